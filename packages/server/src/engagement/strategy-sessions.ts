/**
 * Hosting of strategy sessions (spec/engagement.md §3 Durability): session options (vm evaluator, limits, the
 * `_x.beckon` platform, a timer service over the scheduler), and the commit-then-perform cycle. After each
 * macrostep the snapshot, the sends not yet performed and the deadlines are committed with the record; then the
 * sends are performed in order (at least once), failures reported back as `error.communication`. A session that
 * finished, failed or was closed is removed and its row deleted, cancelling an engagement not yet accepted.
 */
import {
  SessionSystem,
  actionFailedEvent,
  performAction,
  takeSnapshot,
  type BeckonPlatform,
  type EngagementActions,
  type ScxmlDocument,
  type ScxmlSession,
  type TimerService,
} from '@beckon/core/scxml';
import { STRATEGY_SESSION_LIMITS } from '../scxml/strategy-limits.js';
import type { EngagementEngine, EngagementEngineOptions } from './engagement-engine.js';
import { PRE_ACCEPT, TERMINAL_STATES } from './live-engagement.js';
import type { LiveEngagement } from './live-engagement.js';
import type { EngagementSessionStore } from './session-store.js';

const CLOSE_AFTER_MS = 60_000;

export class StrategySessions {
  readonly #timers: TimerService;

  constructor(
    private readonly engine: EngagementEngine,
    private readonly o: EngagementEngineOptions,
    private readonly store: EngagementSessionStore,
    private readonly actions: EngagementActions,
  ) {
    const { scheduler } = o;
    this.#timers = {
      set: (dueAt, fire) => scheduler.at(dueAt, fire),
      clear: (handle) => (handle as () => void)(),
    };
  }

  /** Options for `createSession` / `restoreSession` of the engagement's session. */
  options(l: LiveEngagement, doc: ScxmlDocument) {
    const { engine } = this;
    const platform: BeckonPlatform = {
      beckon: {
        get engagement() {
          return structuredClone(l.e);
        },
        get visit() {
          return { visitID: l.e.visitID, open: engine.isPresent(l.e.visitID) };
        },
        pacing: (channel, queue) => engine.pacing(channel, queue),
        now: () => engine.now,
      },
    };
    return {
      document: doc,
      system: new SessionSystem(),
      evaluator: this.o.evaluator,
      clock: { now: () => engine.now },
      timers: this.#timers,
      ioProcessors: { beckon: l.outbox },
      ...STRATEGY_SESSION_LIMITS,
      resolver: this.o.catalog.resolver,
      platform,
      onMacrostep: (s: ScxmlSession) => this.#macrostep(l, s),
      onFault: (_s: ScxmlSession, message: string) => {
        this.o.beckon.app.log.warn({ engagementId: l.e.engagementId, message }, 'strategy fault');
        l.ended = true;
        l.snapshot = null;
        void this.flushLater(l);
      },
    };
  }

  /** Queues a write of the record and session row, then the pending sends; resolves when done. */
  flushLater(l: LiveEngagement): Promise<void> {
    l.chain = l.chain
      .then(() => this.#flush(l))
      .catch((error: unknown) =>
        this.o.beckon.app.log.error(
          { err: error, engagementId: l.e.engagementId },
          'engagement write failed',
        ),
      );
    return l.chain;
  }

  #macrostep(l: LiveEngagement, s: ScxmlSession): void {
    const actions = l.outbox.take();
    if (actions.some((a) => a.target === 'invite')) l.pendingInvite = true;
    l.pending.push(...actions);
    l.snapshot = takeSnapshot(s);
    if (s.status === 'done' || s.status === 'stopped') l.ended = true;
    else if (TERMINAL_STATES.has(l.e.state) && !l.timers.has('close'))
      this.engine.armAt(l, 'close', this.engine.now + CLOSE_AFTER_MS);
    void this.flushLater(l);
  }

  async #flush(l: LiveEngagement): Promise<void> {
    if (this.engine.live.get(l.e.engagementId) !== l) return;
    await this.#save(l);
    let performed = 0;
    while (l.pending.length > 0) {
      const a = l.pending[0]!;
      const failure = await performAction(this.actions, a);
      l.pending.shift();
      performed++;
      if (a.target === 'invite') l.pendingInvite = false;
      if (failure && l.session?.running) l.session.send(actionFailedEvent(a, failure));
    }
    if (l.ended) {
      if (PRE_ACCEPT.has(l.e.state))
        this.engine.cancel(l, l.session?.status === 'done' ? 'strategyEnded' : 'strategyError');
      for (const cancel of l.timers.values()) cancel();
      this.engine.live.delete(l.e.engagementId);
      await this.store.finish(l.e, !(await this.#saveWithInteraction(l)));
    } else if (performed > 0) await this.#save(l);
  }

  /**
   * Once a chat or callback exists, the record is written through the contact center's store, in the same
   * ordered queue as the interaction's own writes, so neither overwrites the other with an older state.
   */
  async #saveWithInteraction(l: LiveEngagement): Promise<boolean> {
    if (!l.interaction) return false;
    await this.o.contactCenter.store.save(structuredClone(l.interaction), structuredClone(l.e));
    return true;
  }

  async #save(l: LiveEngagement): Promise<void> {
    const written = await this.#saveWithInteraction(l);
    if (!l.snapshot) return written ? undefined : this.store.saveRecord(l.e);
    const row = {
      engagementId: l.e.engagementId,
      strategy: l.strategy,
      snapshot: l.snapshot,
      outbox: l.pending,
      sequence: l.outbox.sequence,
      deadlines: l.deadlines,
    };
    await this.store.save(l.e, row, this.engine.now, !written);
  }
}
