/**
 * Reactive engagements (spec §9): the visitor asks for a chat or callback. The request is accepted only for a
 * page of the visit; strict mode allows one live engagement per visit (409 with the live one's id so the widget
 * resumes it); the queue must exist and serve the channel (404); some eligible agent must be logged in (503).
 * The engagement starts `accepted`, priority 50, and moves straight on as `chat.start` / `callback.create` would.
 */
import { BeckonError } from '@beckon/protocol';
import { isEligible } from '@beckon/core/routing';
import type { Channel } from '@beckon/core/routing';
import type { SqlDriver } from '../store/sql-driver.js';
import { noAgents } from './errors.js';
import type { InteractionStore } from './interaction-store.js';
import { newId } from './interaction-service.js';
import type { InteractionService } from './interaction-service.js';
import { KeyedMutex } from './keyed-mutex.js';
import type { RoutingService } from './routing-service.js';
import { ENGAGEMENT_LIVE_STATES } from './types.js';
import type { EngagementRecord, InteractionRecord } from './types.js';

export const REACTIVE_PRIORITY = 50;

/** 409 body: the live engagement the widget should resume. */
export class EngagementConflict extends BeckonError {
  constructor(readonly engagementId: string) {
    super('conflict', 'the visit already has a live engagement');
  }
}

export interface ReactiveRequest {
  visitID: string;
  pageID: string;
  channel: Channel;
  queue?: string;
  data?: unknown;
}

export interface EngagementServiceOptions {
  driver: SqlDriver;
  store: InteractionStore;
  interactions: InteractionService;
  routing: RoutingService;
  now: () => number;
  /** `engagement.strictEngagementMode`. */
  strictMode: boolean;
  /** Standard registration fields known for an identity (prefill of the chat form). */
  identityFields: (identityId: string) => Promise<Record<string, string>>;
}

export class EngagementService {
  readonly #o: EngagementServiceOptions;
  readonly #mutex = new KeyedMutex();

  constructor(options: EngagementServiceOptions) {
    this.#o = options;
  }

  async reactive(
    input: ReactiveRequest,
  ): Promise<{ engagement: EngagementRecord; interaction: InteractionRecord }> {
    const { driver, interactions, routing } = this.#o;
    const rows = await driver.all<Record<string, unknown>>(
      'SELECT v.global_visit_id, v.current_identity FROM events e JOIN visits v ON v.visit_id = beckon_text(e.visit_id) WHERE e.page_id = beckon_id(?) AND e.visit_id = beckon_id(?) LIMIT 1',
      [input.pageID, input.visitID],
    );
    const visit = rows[0];
    if (!visit) throw new BeckonError('forbidden', 'pageID is not a page of visitID');
    const queueName = input.queue ?? 'default';
    const queue = routing.queues.get(queueName);
    if (!queue || !queue.channels.includes(input.channel))
      throw new BeckonError('notFound', `no queue ${queueName} for channel ${input.channel}`);
    return this.#mutex.run(input.visitID, async () => {
      if (this.#o.strictMode) {
        const live = await this.#liveEngagement(input.visitID);
        if (live) throw new EngagementConflict(live);
      }
      const agents = routing.routingAgents();
      if (!agents.some((a) => isEligible(a, queue, input.channel)))
        throw noAgents(`no eligible agent is logged in for queue ${queueName}`);
      const now = this.#o.now();
      const engagement: EngagementRecord = {
        engagementId: newId(),
        kind: 'reactive',
        visitID: input.visitID,
        globalVisitID: visit.global_visit_id === null ? null : String(visit.global_visit_id),
        pageID: input.pageID,
        name: 'reactive',
        channel: input.channel,
        queue: queueName,
        priority: REACTIVE_PRIORITY,
        ruleId: null,
        actionableId: null,
        strategy: null,
        state: 'accepted',
        reason: null,
        outcome: null,
        interactionId: null,
        createdAt: now,
        invitedAt: null,
        respondedAt: now,
        queuedAt: null,
        connectedAt: null,
        endedAt: null,
        history: [{ state: 'accepted', at: now, reason: null }],
        ...(input.data === undefined ? {} : { data: input.data }),
      };
      const identityId = visit.current_identity === null ? null : String(visit.current_identity);
      const interaction = await interactions.create(engagement, {
        mediaType: input.channel,
        queue: queueName,
        priority: REACTIVE_PRIORITY,
        identityId,
        prefill: identityId === null ? {} : await this.#o.identityFields(identityId),
      });
      return { engagement, interaction };
    });
  }

  /** The id of a live engagement of the visit (in memory, or stored by the proactive engine), if any. */
  async #liveEngagement(visitId: string): Promise<string | null> {
    for (const e of this.#o.interactions.engagements.values())
      if (e.visitID === visitId && (ENGAGEMENT_LIVE_STATES as readonly string[]).includes(e.state))
        return e.engagementId;
    const stored = await this.#o.store.visitEngagements(visitId);
    const live = stored.find((e) => (ENGAGEMENT_LIVE_STATES as readonly string[]).includes(e.state));
    return live?.engagementId ?? null;
  }
}
