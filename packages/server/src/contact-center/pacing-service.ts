/**
 * Pacing figures per queue and channel (spec §4), computed by the pure `pacingFor` of `@beckon/core/routing`
 * from the live routing state and the stored engagements: `P` (invited), the invitation acceptance rate of the
 * last 30 min and, for the predictive algorithm, a gain adjusted at most every `pacing.refreshPeriod` to keep
 * the abandonment rate of the last 15 min at the goal. Serves `reactiveState`, `/pacing/state` and strategies.
 */
import { adjustGain, combinedReactiveState, pacingFor } from '@beckon/core/routing';
import type { Channel } from '@beckon/core/routing';
import type { Config } from '../config.js';
import type { InteractionService } from './interaction-service.js';
import type { InteractionStore } from './interaction-store.js';
import type { RoutingService } from './routing-service.js';
import type { EngagementRecord } from './types.js';

export interface QueuePacing {
  queue: string;
  R: number;
  F: number;
  Q: number;
  P: number;
  reserve: number;
  freeProactive: number;
  reactiveState: number;
}

const INITIAL_ACCEPTANCE = 0.2;
const ACCEPTANCE_WINDOW_MS = 30 * 60_000;
const ABANDON_WINDOW_MS = 15 * 60_000;

export interface PacingServiceOptions {
  routing: RoutingService;
  interactions: InteractionService;
  store: InteractionStore;
  config: Readonly<Config>;
  now: () => number;
}

export class PacingService {
  readonly #o: PacingServiceOptions;
  readonly #gain = new Map<string, { gain: number; at: number }>();

  constructor(options: PacingServiceOptions) {
    this.#o = options;
  }

  /** Figures for every queue serving `channel` (or only `queues` when given and non-empty). */
  async state(channel: Channel, queues: readonly string[] = []): Promise<QueuePacing[]> {
    const { routing, interactions, config } = this.#o;
    const recent = await this.#recentEngagements();
    const agents = routing.routingAgents();
    const out: QueuePacing[] = [];
    for (const queue of routing.queues.values()) {
      if (!queue.channels.includes(channel)) continue;
      if (queues.length > 0 && !queues.includes(queue.name)) continue;
      let waiting = 0;
      for (const w of routing.waiting.values())
        if (w.queue === queue.name && w.channel === channel && w.offeredTo === null) waiting++;
      for (const i of interactions.live.values())
        if (i.queue === queue.name && i.mediaType === channel && i.state === 'registration') waiting++;
      const ofQueue = recent.filter((e) => e.queue === queue.name && e.channel === channel);
      const invited = ofQueue.filter((e) => e.state === 'invited').length;
      const figures = pacingFor(queue, channel, agents, waiting, invited, {
        algorithm: config.pacing.algorithm,
        reactiveShare: config.pacing.reactiveShare,
        acceptanceRate: this.#acceptance(ofQueue),
        gain: this.#gainOf(queue.name, ofQueue),
      });
      out.push({ queue: queue.name, ...figures });
    }
    return out;
  }

  /**
   * Synchronous figures for `_x.beckon.pacing(channel, queue)` of strategies (spec §3): from the live state only,
   * with `invited` (`P`) supplied by the caller, which owns proactive invitations. Unknown queue → all zero.
   */
  snapshot(
    channel: Channel,
    queueName: string,
    invited = 0,
  ): { freeProactive: number; free: number; readyAgents: number; queued: number; reactiveState: number } {
    const { routing, interactions, config } = this.#o;
    const queue = routing.queues.get(queueName);
    if (!queue || !queue.channels.includes(channel))
      return { freeProactive: 0, free: 0, readyAgents: 0, queued: 0, reactiveState: 0 };
    let waiting = 0;
    for (const w of routing.waiting.values())
      if (w.queue === queueName && w.channel === channel && w.offeredTo === null) waiting++;
    for (const i of interactions.live.values())
      if (i.queue === queueName && i.mediaType === channel && i.state === 'registration') waiting++;
    const figures = pacingFor(queue, channel, routing.routingAgents(), waiting, invited, {
      algorithm: config.pacing.algorithm,
      reactiveShare: config.pacing.reactiveShare,
      acceptanceRate: 0.2,
      gain: this.#gain.get(queueName)?.gain ?? 1,
    });
    return {
      freeProactive: figures.freeProactive,
      free: figures.F,
      readyAgents: figures.R,
      queued: figures.Q,
      reactiveState: figures.reactiveState,
    };
  }

  /** `reactiveState` over the listed queues (all of the channel when none), from their summed figures. */
  async reactiveState(channel: Channel, queues: readonly string[] = []): Promise<number> {
    return combinedReactiveState(await this.state(channel, queues));
  }

  /** Engagements invited or created in the acceptance window, plus every one currently invited. */
  async #recentEngagements(): Promise<EngagementRecord[]> {
    const since = this.#o.now() - ACCEPTANCE_WINDOW_MS;
    const stored = await this.#o.store.engagementsSince(since);
    const invited = await this.#o.store.engagementsIn(['invited']);
    const byId = new Map<string, EngagementRecord>();
    for (const e of [...stored, ...invited]) byId.set(e.engagementId, e);
    return [...byId.values()];
  }

  #acceptance(engagements: readonly EngagementRecord[]): number {
    const since = this.#o.now() - ACCEPTANCE_WINDOW_MS;
    const invited = engagements.filter((e) => e.invitedAt !== null && e.invitedAt >= since);
    if (invited.length === 0) return INITIAL_ACCEPTANCE;
    const accepted = invited.filter((e) => e.history.some((h) => h.state === 'accepted')).length;
    return Math.max(0.05, accepted / invited.length);
  }

  #gainOf(queue: string, engagements: readonly EngagementRecord[]): number {
    const now = this.#o.now();
    const current = this.#gain.get(queue) ?? { gain: 1, at: 0 };
    if (this.#o.config.pacing.algorithm !== 'predictive') return current.gain;
    if (now - current.at < this.#o.config.pacing.refreshPeriod * 1000) return current.gain;
    const since = now - ABANDON_WINDOW_MS;
    const accepted = engagements.filter(
      (e) =>
        e.kind === 'proactive' &&
        e.respondedAt !== null &&
        e.respondedAt >= since &&
        e.history.some((h) => h.state === 'accepted'),
    );
    const abandoned = accepted.filter(
      (e) => e.endedAt !== null && e.connectedAt === null && e.channel === 'chat',
    ).length;
    const rate = accepted.length === 0 ? 0 : abandoned / accepted.length;
    const next = { gain: adjustGain(current.gain, rate, this.#o.config.pacing.optimizationGoal), at: now };
    this.#gain.set(queue, next);
    return next.gain;
  }
}
