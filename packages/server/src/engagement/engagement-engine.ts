/**
 * The proactive engagement service (spec/engagement.md §2–§3): consumes `actionable` events from the bus, creates
 * the §1 record, applies admission, and runs one SCXML strategy session per admitted engagement. After every
 * macrostep the session snapshot and that macrostep's `beckon` sends are committed together with the record,
 * then the sends are performed (at least once) through {@link createEngagementActions}. Server deadlines (invite
 * timeout + 5 s, `engagementExpirationTime`) are derived from the stored record and session row, so a restart
 * re-arms them and each fires once. Chat and callback progress comes from the contact center's interactions.
 */
import {
  BeckonOutbox,
  SessionSystem,
  actionFailedEvent,
  createSession,
  performAction,
  restoreSession,
  takeSnapshot,
  type BeckonAction,
  type BeckonPlatform,
  type Evaluator,
  type ScxmlDocument,
  type ScxmlSession,
  type SessionSnapshot,
  type TimerService,
} from '@beckon/core/scxml';
import type { Channel } from '@beckon/core/routing';
import type { ActionableEvent } from '@beckon/core/rules';
import { BeckonError } from '@beckon/protocol';
import type { BeckonApp } from '../app.js';
import type { ContactCenter } from '../contact-center/contact-center.js';
import { newId } from '../contact-center/interaction-service.js';
import { KeyedMutex } from '../contact-center/keyed-mutex.js';
import type { Scheduler } from '../contact-center/scheduler.js';
import type { EngagementRecord, InteractionRecord } from '../contact-center/types.js';
import type { NotificationHub } from '../notifications/hub.js';
import type { StrategyCatalog } from '../scxml/strategy-catalog.js';
import { STRATEGY_SESSION_LIMITS } from '../scxml/strategy-limits.js';
import { admit } from './admission.js';
import { createEngagementActions } from './engagement-actions.js';
import { EngagementSessionStore } from './session-store.js';
import type { Deadlines } from './session-store.js';

/** States after which no invitation can follow (the session is closed 60 s after its last event). */
export const TERMINAL_STATES = new Set(['refused', 'timedOut', 'expired', 'cancelled', 'ended', 'done']);
/** States a strategy ending or failing turns into `cancelled`. */
const PRE_ACCEPT = new Set(['qualified', 'evaluating', 'invited']);
const CLOSE_AFTER_MS = 60_000;

/** Disposition codes of `GET /server/data/notification/disposition/{visitID}`. */
export const DISPOSITION_CODES = ['accepted', 'refused', 'timeout', 'closed'] as const;
export type DispositionCode = (typeof DISPOSITION_CODES)[number];

/** One engagement with a running (or just ended) strategy session. */
export interface LiveEngagement {
  e: EngagementRecord;
  strategy: string;
  session: ScxmlSession | null;
  outbox: BeckonOutbox;
  snapshot: SessionSnapshot | null;
  /** Sends committed but not yet performed, in order. */
  pending: BeckonAction[];
  deadlines: Deadlines;
  /** An `invite` is in the outbox: counts in pacing's `P` at once. */
  pendingInvite: boolean;
  /** Idempotency key of the performed invite (a retried send succeeds). */
  inviteKey: string | null;
  timers: Map<string, () => void>;
  /** The chat or callback of the engagement (the contact center's live object). */
  interaction: InteractionRecord | null;
  chain: Promise<void>;
  ended: boolean;
}

export interface EngagementEngineOptions {
  beckon: BeckonApp;
  contactCenter: ContactCenter;
  hub: NotificationHub;
  scheduler: Scheduler;
  catalog: StrategyCatalog;
  evaluator: Evaluator;
}

export class EngagementEngine {
  readonly live = new Map<string, LiveEngagement>();
  readonly store: EngagementSessionStore;
  readonly #o: EngagementEngineOptions;
  readonly #mutex = new KeyedMutex();
  readonly #timers: TimerService;
  readonly #actions;
  #off: (() => void)[] = [];

  constructor(options: EngagementEngineOptions) {
    this.#o = options;
    this.store = new EngagementSessionStore(options.beckon.store.driver);
    const { scheduler } = options;
    this.#timers = {
      set: (dueAt, fire) => scheduler.at(dueAt, fire),
      clear: (handle) => (handle as () => void)(),
    };
    this.#actions = createEngagementActions(this, options);
  }

  get now(): number {
    return this.#o.beckon.now();
  }

  /** Restores stored sessions, then listens to the bus and to interaction changes. */
  async start(): Promise<void> {
    const { beckon, contactCenter } = this.#o;
    for (const row of await this.store.sessions()) {
      const e =
        contactCenter.interactions.engagements.get(row.engagementId) ??
        (await this.store.get(row.engagementId));
      const doc = this.#o.catalog.get(row.strategy);
      if (!e || !doc) continue;
      const l = this.#entry(e, row.strategy, row.sequence, row.deadlines);
      l.pending = row.outbox;
      l.snapshot = row.snapshot;
      if (e.interactionId !== null)
        l.interaction = contactCenter.interactions.live.get(e.interactionId) ?? null;
      l.session = restoreSession(row.snapshot, this.#sessionOptions(l, doc));
      this.#armDeadlines(l);
      this.#flushLater(l);
    }
    this.#off.push(
      beckon.bus.subscribe('actionable', (m) => {
        void this.onActionable(m.actionable as ActionableEvent).catch((error: unknown) =>
          beckon.app.log.error({ err: error }, 'engagement creation failed'),
        );
      }),
      beckon.bus.subscribe('agents.changed', () => this.agentsChanged()),
      this.#observeInteractions(),
    );
  }

  stop(): void {
    for (const off of this.#off) off();
    this.#off = [];
    for (const l of this.live.values()) {
      for (const cancel of l.timers.values()) cancel();
      l.session?.stop();
    }
    this.live.clear();
  }

  /** An actionable event: a `qualified` record, then admission, then the strategy session. */
  async onActionable(a: ActionableEvent): Promise<EngagementRecord | null> {
    if (!a.engagement) return null;
    const { beckon, hub } = this.#o;
    const engagement = a.engagement;
    return this.#mutex.run(a.visitID, async () => {
      const now = this.now;
      const e: EngagementRecord = {
        engagementId: newId(),
        kind: 'proactive',
        visitID: a.visitID,
        globalVisitID: a.globalVisitID,
        pageID: a.pageID ?? '',
        name: a.name,
        channel: engagement.channel,
        queue: engagement.queue || 'default',
        priority: engagement.priority,
        ruleId: a.ruleId,
        actionableId: a.id,
        strategy: this.#strategyFor(a),
        state: 'qualified',
        reason: null,
        outcome: null,
        interactionId: null,
        createdAt: now,
        invitedAt: null,
        respondedAt: null,
        queuedAt: null,
        connectedAt: null,
        endedAt: null,
        history: [{ state: 'qualified', at: now, reason: null }],
      };
      const cfg = beckon.config.engagement;
      const failure = admit({
        connected: hub.isConnected(a.visitID),
        strictMode: cfg.strictEngagementMode,
        refusalCooldownSec: cfg.refusalCooldown,
        maxInvitesPerVisit: cfg.maxInvitesPerVisit,
        others: await this.visitEngagements(a.visitID),
        now,
      });
      if (failure) {
        this.transition(e, 'cancelled', failure);
        await this.store.saveRecord(e);
        return e;
      }
      this.transition(e, 'evaluating');
      const doc = this.#o.catalog.get(e.strategy!)!;
      const l = this.#entry(e, e.strategy!, 0, { inviteDueAt: null });
      this.#armDeadlines(l);
      const session = createSession({
        sessionId: e.engagementId,
        ...this.#sessionOptions(l, doc),
      });
      l.session = session;
      session.start();
      session.send('actionable', a);
      await l.chain;
      return e;
    });
  }

  /** Every engagement of the visit, live ones in their current state. */
  async visitEngagements(visitId: string): Promise<EngagementRecord[]> {
    const byId = new Map<string, EngagementRecord>();
    for (const e of await this.store.ofVisit(visitId)) byId.set(e.engagementId, e);
    for (const e of this.#o.contactCenter.interactions.engagements.values())
      if (e.visitID === visitId) byId.set(e.engagementId, e);
    for (const l of this.live.values()) if (l.e.visitID === visitId) byId.set(l.e.engagementId, l.e);
    return [...byId.values()].sort((x, y) => x.createdAt - y.createdAt);
  }

  /** One engagement in its current state, or null. */
  async get(engagementId: string): Promise<EngagementRecord | null> {
    return (
      this.live.get(engagementId)?.e ??
      this.#o.contactCenter.interactions.engagements.get(engagementId) ??
      (await this.store.get(engagementId))
    );
  }

  /** The visitor's answer to an invitation; the first one wins (409 after). */
  async disposition(visitId: string, engagementId: string, code: string): Promise<void> {
    if (!(DISPOSITION_CODES as readonly string[]).includes(code))
      throw new BeckonError('invalidParameter', 'code must be accepted, refused, timeout or closed');
    const l = this.live.get(engagementId);
    const e = l?.e ?? (await this.store.get(engagementId));
    if (!e || e.visitID !== visitId)
      throw new BeckonError('notFound', `no engagement ${engagementId} of visit ${visitId}`);
    if (!l || e.state !== 'invited')
      throw new BeckonError('conflict', 'a disposition is already recorded for this engagement');
    this.clearTimer(l, 'invite');
    l.deadlines.inviteDueAt = null;
    const now = this.now;
    e.respondedAt = now;
    if (code === 'accepted') {
      this.transition(e, 'accepted');
      this.armAt(l, 'accepted', now + this.#o.beckon.config.engagement.engagementExpirationTime * 1000);
      this.deliver(l, 'invite.accepted', { engagementId, at: now });
    } else if (code === 'timeout') {
      this.transition(e, 'timedOut', 'timeout');
      this.deliver(l, 'invite.timeout', { engagementId });
    } else {
      this.transition(e, 'refused', code);
      this.deliver(l, 'invite.refused', { engagementId, reason: code });
    }
    await this.#flushLater(l);
  }

  /**
   * Agent availability changed: `agent.available` to the engagements waiting on a queue that has free proactive
   * capacity (the default strategy's targetless transition then re-checks pacing).
   */
  agentsChanged(): void {
    const groups = new Map<string, LiveEngagement[]>();
    for (const l of this.live.values()) {
      if (l.e.state !== 'evaluating' || l.e.channel === 'offer') continue;
      const key = `${l.e.channel}\n${l.e.queue}`;
      groups.set(key, [...(groups.get(key) ?? []), l]);
    }
    for (const [key, waiting] of groups) {
      const [channel, queue] = key.split('\n') as [Channel, string];
      const free = this.pacing(channel, queue).freeProactive;
      if (free <= 0) continue;
      for (const l of waiting)
        if (l.e.state === 'evaluating')
          this.deliver(l, 'agent.available', { queue, channel, freeProactive: free });
    }
  }

  /** `_x.beckon.pacing(channel, queue)`, counting this node's outstanding invitations as `P`. */
  pacing(channel: string, queue: string) {
    let invited = 0;
    for (const l of this.live.values())
      if (
        l.e.channel === channel &&
        l.e.queue === queue &&
        (l.e.state === 'invited' || (l.pendingInvite && l.e.state === 'evaluating'))
      )
        invited++;
    return this.#o.contactCenter.pacing.snapshot(channel as Channel, queue, invited);
  }

  /** Moves a record to `state`, with history and the §1 timestamps. */
  transition(e: EngagementRecord, state: string, reason: string | null = null): void {
    const at = this.now;
    e.state = state;
    e.history.push({ state, at, reason });
    if (state === 'invited') e.invitedAt = at;
    if (TERMINAL_STATES.has(state)) {
      e.endedAt = at;
      e.reason = reason;
    }
  }

  /** Sends an external event to the engagement's session (ignored once it has ended). */
  deliver(l: LiveEngagement, name: string, data: unknown): void {
    if (l.session?.running) l.session.send(name, data);
  }

  armAt(l: LiveEngagement, name: string, at: number): void {
    this.clearTimer(l, name);
    l.timers.set(
      name,
      this.#o.scheduler.at(at, () => {
        l.timers.delete(name);
        this.#deadline(l, name);
      }),
    );
  }

  clearTimer(l: LiveEngagement, name: string): void {
    l.timers.get(name)?.();
    l.timers.delete(name);
  }

  /** Queues a write of the record and session row, then the pending sends; resolves when done. */
  #flushLater(l: LiveEngagement): Promise<void> {
    l.chain = l.chain
      .then(() => this.#flush(l))
      .catch((error: unknown) =>
        this.#o.beckon.app.log.error(
          { err: error, engagementId: l.e.engagementId },
          'engagement write failed',
        ),
      );
    return l.chain;
  }

  async #flush(l: LiveEngagement): Promise<void> {
    if (!this.live.has(l.e.engagementId)) return;
    await this.#save(l);
    let performed = 0;
    while (l.pending.length > 0) {
      const a = l.pending[0]!;
      const failure = await performAction(this.#actions, a);
      l.pending.shift();
      performed++;
      if (a.target === 'invite') l.pendingInvite = false;
      if (failure && l.session?.running) l.session.send(actionFailedEvent(a, failure));
    }
    if (l.ended) {
      if (PRE_ACCEPT.has(l.e.state))
        this.#cancel(l, l.session?.status === 'done' ? 'strategyEnded' : 'strategyError');
      for (const cancel of l.timers.values()) cancel();
      this.live.delete(l.e.engagementId);
      await this.store.finish(l.e, !(await this.#saveWithInteraction(l)));
    } else if (performed > 0) await this.#save(l);
  }

  /**
   * Once a chat or callback exists, the record is written through the contact center's store, in the same
   * ordered queue as the interaction's own writes, so neither overwrites the other with an older state.
   */
  async #saveWithInteraction(l: LiveEngagement): Promise<boolean> {
    if (!l.interaction) return false;
    await this.#o.contactCenter.store.save(structuredClone(l.interaction), structuredClone(l.e));
    return true;
  }

  async #save(l: LiveEngagement): Promise<void> {
    const written = await this.#saveWithInteraction(l);
    if (!l.snapshot) return written ? undefined : this.store.saveRecord(l.e);
    await this.store.save(
      l.e,
      {
        engagementId: l.e.engagementId,
        strategy: l.strategy,
        snapshot: l.snapshot,
        outbox: l.pending,
        sequence: l.outbox.sequence,
        deadlines: l.deadlines,
      },
      this.now,
      !written,
    );
  }

  /** Withdraws an engagement that was not accepted (`gpe.cancelInvite` when it was invited). */
  #cancel(l: LiveEngagement, reason: string): void {
    if (l.e.state === 'invited')
      this.#o.hub.push(l.e.visitID, {
        channel: 'gpe.cancelInvite',
        data: { engagementId: l.e.engagementId, reason },
      });
    this.clearTimer(l, 'invite');
    this.transition(l.e, 'cancelled', reason);
  }

  /** Public for the actions: cancellation requested by the strategy. */
  cancel(l: LiveEngagement, reason: string): void {
    this.#cancel(l, reason);
  }

  #deadline(l: LiveEngagement, name: string): void {
    const e = l.e;
    if (name === 'invite' && e.state === 'invited') {
      l.deadlines.inviteDueAt = null;
      e.respondedAt = this.now;
      this.transition(e, 'timedOut', 'serverTimeout');
      this.deliver(l, 'invite.timeout', { engagementId: e.engagementId });
    } else if (name === 'expiry' && e.state === 'evaluating' && !l.pendingInvite) {
      this.transition(e, 'expired', 'expired');
      this.deliver(l, 'engagement.expired', {});
    } else if (name === 'accepted' && e.state === 'accepted') {
      this.transition(e, 'cancelled', 'strategyTimeout');
    } else if (name === 'close' && l.session?.running) {
      l.session.stop();
      l.ended = true;
    } else return;
    void this.#flushLater(l);
  }

  #armDeadlines(l: LiveEngagement): void {
    const e = l.e;
    const expiry = this.#o.beckon.config.engagement.engagementExpirationTime * 1000;
    if (e.state === 'evaluating') this.armAt(l, 'expiry', e.createdAt + expiry);
    if (e.state === 'invited' && l.deadlines.inviteDueAt !== null)
      this.armAt(l, 'invite', l.deadlines.inviteDueAt);
    if (e.state === 'accepted') this.armAt(l, 'accepted', (e.respondedAt ?? this.now) + expiry);
  }

  #entry(e: EngagementRecord, strategy: string, sequence: number, deadlines: Deadlines): LiveEngagement {
    const l: LiveEngagement = {
      e,
      strategy,
      session: null,
      outbox: new BeckonOutbox(e.engagementId, sequence),
      snapshot: null,
      pending: [],
      deadlines,
      pendingInvite: false,
      inviteKey: null,
      timers: new Map(),
      interaction: null,
      chain: Promise.resolve(),
      ended: false,
    };
    this.live.set(e.engagementId, l);
    return l;
  }

  #strategyFor(a: ActionableEvent): string {
    const named = (a.engagement as { strategy?: unknown } | null)?.strategy;
    return typeof named === 'string' && this.#o.catalog.get(named) ? named : 'default';
  }

  #sessionOptions(l: LiveEngagement, doc: ScxmlDocument) {
    const hub = this.#o.hub;
    const platform: BeckonPlatform = {
      beckon: {
        get engagement() {
          return structuredClone(l.e);
        },
        get visit() {
          return { visitID: l.e.visitID, open: hub.isConnected(l.e.visitID) };
        },
        pacing: (channel, queue) => this.pacing(channel, queue),
        now: () => this.now,
      },
    };
    return {
      document: doc,
      system: new SessionSystem(),
      evaluator: this.#o.evaluator,
      clock: { now: () => this.now },
      timers: this.#timers,
      ioProcessors: { beckon: l.outbox },
      ...STRATEGY_SESSION_LIMITS,
      resolver: this.#o.catalog.resolver,
      platform,
      onMacrostep: (s: ScxmlSession) => this.#macrostep(l, s),
      onFault: (_s: ScxmlSession, message: string) => {
        this.#o.beckon.app.log.warn({ engagementId: l.e.engagementId, message }, 'strategy fault');
        l.ended = true;
        l.snapshot = null;
        void this.#flushLater(l);
      },
    };
  }

  #macrostep(l: LiveEngagement, s: ScxmlSession): void {
    const actions = l.outbox.take();
    if (actions.some((a) => a.target === 'invite')) l.pendingInvite = true;
    l.pending.push(...actions);
    l.snapshot = takeSnapshot(s);
    if (s.status === 'done' || s.status === 'stopped') l.ended = true;
    else if (TERMINAL_STATES.has(l.e.state) && !l.timers.has('close'))
      this.armAt(l, 'close', this.now + CLOSE_AFTER_MS);
    void this.#flushLater(l);
  }

  /** Chat and callback progress of proactive engagements, from the contact center's interactions. */
  #observeInteractions(): () => void {
    const interactions = this.#o.contactCenter.interactions;
    const original = interactions.engagementState.bind(interactions);
    interactions.engagementState = (rec: InteractionRecord, state: string, reason: string | null = null) => {
      original(rec, state, reason);
      const l = this.live.get(rec.engagementId);
      if (!l) return;
      l.interaction = rec;
      const now = this.now;
      if (state === 'connected')
        this.deliver(l, 'chat.connected', { interactionId: rec.interactionId, agentId: rec.agentId });
      else if (state === 'ended')
        this.deliver(l, 'chat.ended', {
          engagementId: rec.engagementId,
          interactionId: rec.interactionId,
          reason,
          connected: rec.connectedAt !== null,
          agentId: rec.agentId,
          waitMs: (rec.connectedAt ?? now) - (rec.enqueuedAt ?? rec.createdAt),
          handleMs: rec.connectedAt === null ? 0 : now - rec.connectedAt,
        });
      else if (state === 'done')
        this.deliver(l, 'callback.done', { interactionId: rec.interactionId, outcome: rec.outcome });
      else return;
      void this.#flushLater(l);
    };
    return () => void Reflect.deleteProperty(interactions, 'engagementState');
  }
}
