/**
 * The proactive engagement service (spec/engagement.md §2–§3): consumes `actionable` events from the bus, creates
 * the §1 record, applies admission, and runs one SCXML strategy session per admitted engagement. After every
 * macrostep the session snapshot and that macrostep's `beckon` sends are committed together with the record,
 * then the sends are performed (at least once) through {@link createEngagementActions}. Server deadlines (invite
 * timeout + 5 s, `engagementExpirationTime`) are derived from the stored record and session row, so a restart
 * re-arms them and each fires once. Chat and callback progress comes from the contact center's interactions.
 */
import { createSession, restoreSession, type Evaluator } from '@beckon/core/scxml';
import type { Channel } from '@beckon/core/routing';
import type { ActionableEvent } from '@beckon/core/rules';
import { BeckonError } from '@beckon/protocol';
import type { BeckonApp } from '../app.js';
import type { ContactCenter } from '../contact-center/contact-center.js';
import { KeyedMutex } from '../contact-center/keyed-mutex.js';
import type { Scheduler } from '../contact-center/scheduler.js';
import type { EngagementRecord } from '../contact-center/types.js';
import type { NotificationHub } from '../notifications/hub.js';
import type { StrategyCatalog } from '../scxml/strategy-catalog.js';
import { admit } from './admission.js';
import { createEngagementActions } from './engagement-actions.js';
import { interactionEvent, observeInteractionStates } from './interaction-events.js';
import { newLive, newProactiveRecord, transition } from './live-engagement.js';
import type { LiveEngagement } from './live-engagement.js';
import { EngagementSessionStore } from './session-store.js';
import type { Deadlines } from './session-store.js';
import { StrategySessions } from './strategy-sessions.js';

export { TERMINAL_STATES } from './live-engagement.js';
export type { LiveEngagement } from './live-engagement.js';

/** Disposition codes of `GET /server/data/notification/disposition/{visitID}`. */
export const DISPOSITION_CODES = ['accepted', 'refused', 'timeout', 'closed'] as const;
export type DispositionCode = (typeof DISPOSITION_CODES)[number];

export interface EngagementEngineOptions {
  beckon: BeckonApp;
  contactCenter: ContactCenter;
  hub: NotificationHub;
  scheduler: Scheduler;
  catalog: StrategyCatalog;
  evaluator: Evaluator;
  /**
   * Whether the visitor is on the site (spec §2 admission: "the visit has no open page or has ended"). Default: a
   * page of the visit holds a push connection, or the visit has an entered, not exited page and is not idle.
   */
  isPresent?: (visitId: string) => boolean;
}

export class EngagementEngine {
  readonly live = new Map<string, LiveEngagement>();
  readonly store: EngagementSessionStore;
  readonly #o: EngagementEngineOptions;
  readonly #mutex = new KeyedMutex();
  readonly #sessions: StrategySessions;
  #off: (() => void)[] = [];

  constructor(options: EngagementEngineOptions) {
    this.#o = options;
    this.store = new EngagementSessionStore(options.beckon.store.driver);
    const actions = createEngagementActions(this, options);
    this.#sessions = new StrategySessions(this, options, this.store, actions);
  }

  get now(): number {
    return this.#o.beckon.now();
  }

  /**
   * A page just entered is open before its push connection exists (the tracker connects after PageEntered is
   * stored, and a rule fires on that very event), so connection alone would call every first-page visitor absent.
   * Invitations pushed before the page connects are buffered by the hub and delivered on connect.
   */
  isPresent(visitId: string): boolean {
    if (this.#o.isPresent) return this.#o.isPresent(visitId);
    if (this.#o.hub.isConnected(visitId)) return true;
    const visit = this.#o.beckon.services.ingest.cachedVisit(visitId);
    if (!visit || visit.endedAt > 0) return false;
    const idleMs = this.now - visit.lastEventAt;
    if (idleMs >= this.#o.beckon.config.visit.inactivityTimeout * 1000) return false;
    for (const page of visit.pages.values()) if (page.endDate === 0) return true;
    return false;
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
      l.session = restoreSession(row.snapshot, this.#sessions.options(l, doc));
      this.#armDeadlines(l);
      this.#sessions.flushLater(l);
    }
    this.#off.push(
      beckon.bus.subscribe('actionable', (m) => {
        void this.onActionable(m.actionable as ActionableEvent).catch((error: unknown) =>
          beckon.app.log.error({ err: error }, 'engagement creation failed'),
        );
      }),
      beckon.bus.subscribe('agents.changed', () => this.agentsChanged()),
      observeInteractionStates(contactCenter.interactions, (rec, state, reason) => {
        const l = this.live.get(rec.engagementId);
        if (!l) return;
        l.interaction = rec;
        const event = interactionEvent(rec, state, reason, this.now);
        if (!event) return;
        this.deliver(l, event.name, event.data);
        void this.#sessions.flushLater(l);
      }),
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
    const { beckon } = this.#o;
    return this.#mutex.run(a.visitID, async () => {
      const now = this.now;
      const e = newProactiveRecord(a, this.#strategyFor(a), now);
      const cfg = beckon.config.engagement;
      const failure = admit({
        connected: this.isPresent(a.visitID),
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
        ...this.#sessions.options(l, doc),
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
    await this.#sessions.flushLater(l);
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
    transition(e, state, reason, this.now);
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
    void this.#sessions.flushLater(l);
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
    const l = newLive(e, strategy, sequence, deadlines);
    this.live.set(e.engagementId, l);
    return l;
  }

  /** spec/rules.md §7: the engagement's name picks the strategy; an explicit `strategy` wins; else `default`. */
  #strategyFor(a: ActionableEvent): string {
    const named = (a.engagement as { strategy?: unknown } | null)?.strategy;
    for (const candidate of [named, a.name]) {
      if (typeof candidate === 'string' && this.#o.catalog.get(candidate)) return candidate;
    }
    return 'default';
  }
}
