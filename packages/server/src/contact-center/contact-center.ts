/**
 * Assembles the contact center of one node: stores, agent stream, routing, interactions, chat, callback,
 * reactive engagements, pacing and queue feedback, wired to each other, to the visitor push hub and to the bus.
 * Routes only talk to the object this returns. Restart recovery: open interactions are loaded back — chats
 * re-queued at their original place (no agent is logged in after a restart), callbacks re-armed.
 */
import type { QueueDef } from '@beckon/core/routing';
import type { BeckonApp } from '../app.js';
import type { NotificationHub } from '../notifications/hub.js';
import { AgentAuth } from './agent-auth.js';
import { AgentStreamHub } from './agent-stream.js';
import { CallbackService } from './callback-service.js';
import { ChatService } from './chat-service.js';
import { DirectoryStore } from './directory-store.js';
import { EngagementService } from './engagement-service.js';
import { InteractionService } from './interaction-service.js';
import { InteractionStore } from './interaction-store.js';
import { PacingService } from './pacing-service.js';
import { QueueFeedback } from './queue-feedback.js';
import { RoutingService } from './routing-service.js';
import { realScheduler } from './scheduler.js';
import type { Scheduler } from './scheduler.js';
import type { AgentRecord, QueueRecord } from './types.js';
import { forwardVisitActivity } from './visit-activity.js';
import { VisitorPresence } from './visitor-presence.js';

export interface ContactCenterOptions {
  hub: NotificationHub;
  /** Timers (default: real timers over `beckon.now`); tests pass a manual scheduler. */
  scheduler?: Scheduler;
}

export type ContactCenter = Awaited<ReturnType<typeof createContactCenter>>;

/** The queue every reactive engagement without `queue` uses; implicit when not configured: every agent. */
export const DEFAULT_QUEUE = 'default';

export async function createContactCenter(beckon: BeckonApp, options: ContactCenterOptions) {
  const { config, now, bus } = beckon;
  const scheduler = options.scheduler ?? realScheduler(now);
  const directory = new DirectoryStore(beckon.store.driver);
  const store = new InteractionStore(beckon.store.driver);
  const log = (error: unknown) => beckon.app.log.error({ err: error }, 'contact center write failed');
  // The stream and routing refer to each other; the stream's callbacks run only after both exist.
  const late: { routing: RoutingService | null } = { routing: null };
  const stream = new AgentStreamHub({
    now,
    snapshot: (agentId) => ({
      state: late.routing!.status(agentId).state,
      reasonCode: late.routing!.status(agentId).reasonCode,
      interactions: late.routing!.hooks.interactionsOf(agentId),
    }),
    onPresence: (agentId, connected) => late.routing!.presence(agentId, connected),
  });
  const routing = new RoutingService({
    now,
    scheduler,
    stream,
    inviteTimeoutSec: config.routing.agentInviteTimeoutSec,
    disconnectGraceSec: config.routing.disconnectGraceSec,
    exclusionSec: config.routing.rejectExclusionSec,
    onAgentsChanged: () => bus.publish('agents.changed', { at: now() }),
  });
  late.routing = routing;
  const feedback: { current: QueueFeedback | null } = { current: null };
  const interactions = new InteractionService({
    now,
    scheduler,
    store,
    routing,
    stream,
    hub: options.hub,
    visitorGoneTimeoutSec: config.chat.visitorGoneTimeoutSec,
    maxQueueTimeSec: config.chat.maxQueueTimeSec,
    registrationExpirySec: config.engagement.registrationFormExpirationTime,
    onHandled: (queue, ms) => feedback.current?.handled(queue, ms),
    onError: log,
  });
  const queueFeedback = new QueueFeedback({ interactions, routing, now, scheduler });
  feedback.current = queueFeedback;
  interactions.queueInfo = (id) => queueFeedback.last(id);
  const chat = new ChatService({ interactions, store, stream });
  const presence = new VisitorPresence({
    interactions,
    store,
    isConnected: (visitId) => options.hub.isConnected(visitId),
  });
  const callbacks = new CallbackService({ interactions, routing, stream });
  const engagements = new EngagementService({
    driver: beckon.store.driver,
    store,
    interactions,
    routing,
    now,
    strictMode: config.engagement.strictEngagementMode,
    identityFields: async (identityId) => {
      const identity = await beckon.store.getIdentity(identityId);
      const out: Record<string, string> = {};
      for (const field of ['firstName', 'lastName', 'emailAddress', 'phoneNumber'] as const) {
        const value = identity?.[field];
        if (typeof value === 'string' && value !== '') out[field] = value;
      }
      return out;
    },
  });
  const pacing = new PacingService({ routing, interactions, store, config, now });
  const auth = new AgentAuth({
    directory,
    now,
    ttlSec: config.agents.sessionTtlSec,
    loginLimitPerMin: config.agents.loginRateLimitPerMin,
  });

  /** Summary of an interaction for `GET /me` and `EventResync` (console contract). */
  const summary = (interactionId: string) => {
    const i = interactions.live.get(interactionId);
    if (!i) return null;
    return {
      interactionId: i.interactionId,
      mediaType: i.mediaType,
      state: i.agentId === null ? 'invited' : i.state,
      queue: i.queue,
      visitID: i.visitID,
      pageID: i.pageID,
      identityId: i.identityId,
      engagementId: i.engagementId,
      webengagement: i.webengagement,
      startedAt: i.createdAt,
      ...(i.mediaType === 'callback' ? { phoneNumber: i.phoneNumber, preferredTime: i.preferredTime } : {}),
      ...(i.registration ? { registration: i.registration } : {}),
    };
  };
  routing.hooks = {
    userData: (interactionId) => {
      const i = interactions.live.get(interactionId);
      if (!i) return null;
      return {
        visitID: i.visitID,
        pageID: i.pageID,
        webengagement: i.webengagement,
        ...(i.identityId !== null ? { identityId: i.identityId } : {}),
        engagementId: i.engagementId,
        engagementName: i.engagementName,
        ...(i.ruleId !== null ? { ruleId: i.ruleId } : {}),
        ...(i.registration ? { registration: i.registration } : {}),
        ...(i.mediaType === 'callback' ? { phoneNumber: i.phoneNumber, preferredTime: i.preferredTime } : {}),
      };
    },
    agentLost: (interactionId, agentId) => interactions.agentLost(interactionId, agentId),
    changed: () => queueFeedback.update(),
    interactionsOf: (agentId) => {
      const agent = routing.agents.get(agentId);
      if (!agent) return [];
      return [...agent.offers.keys(), ...agent.connected.keys()].map(summary).filter((s) => s !== null);
    },
  };

  /** Reloads queue definitions from the store (after an admin change). */
  async function reloadQueues(): Promise<void> {
    const records = await directory.listQueues();
    const agents = await directory.listAgents();
    const byName = new Map<string, QueueRecord>(records.map((q) => [q.name, q]));
    if (!byName.has(DEFAULT_QUEUE))
      byName.set(DEFAULT_QUEUE, {
        name: DEFAULT_QUEUE,
        channels: ['chat', 'callback'],
        groups: [...new Set(agents.flatMap((a) => a.groups))],
        requiredSkills: {},
        registration: [],
        maxQueueTimeSec: null,
      });
    interactions.queueRecords = byName;
    const defs = new Map<string, QueueDef>();
    for (const q of byName.values())
      defs.set(q.name, {
        name: q.name,
        channels: q.channels,
        groups: q.groups,
        requiredSkills: q.requiredSkills,
      });
    routing.setQueues(defs);
  }

  /** An agent account changed: the live agent picks it up; queues may depend on its groups. */
  async function agentChanged(record: AgentRecord | null, agentId: string): Promise<void> {
    if (record) routing.updateAgent(record);
    else if (routing.agents.has(agentId)) routing.logout(agentId, 'supervisor');
    auth.forget(agentId); // sessions are re-read from the store: a password change or removal ends them
    await reloadQueues();
  }

  async function recover(): Promise<void> {
    for (const rec of await store.openInteractions()) {
      if (rec.state === 'connected' || rec.state === 'queued' || rec.state === 'registration') {
        if (rec.mediaType !== 'chat') continue;
        interactions.live.set(rec.interactionId, rec);
        let set = interactions.byVisit.get(rec.visitID);
        if (!set) interactions.byVisit.set(rec.visitID, (set = new Set()));
        set.add(rec.interactionId);
        const engagement = await store.getEngagement(rec.engagementId);
        if (engagement) interactions.engagements.set(engagement.engagementId, engagement);
        rec.agentId = null;
        if (rec.state !== 'registration') interactions.enqueue(rec, true);
        presence.disconnected(rec.visitID);
      } else if (rec.state === 'scheduled' || rec.state === 'requested' || rec.state === 'dialled') {
        interactions.live.set(rec.interactionId, rec);
        const engagement = await store.getEngagement(rec.engagementId);
        if (engagement) interactions.engagements.set(engagement.engagementId, engagement);
        rec.agentId = null;
        if (rec.state === 'dialled') rec.state = 'scheduled';
        callbacks.resume(rec);
      }
    }
  }

  const unsubscribe = [
    bus.subscribe('events.stored', (events) =>
      forwardVisitActivity(events, { interactions, routing, stream }),
    ),
    options.hub.onConnect((visitId) => void presence.connected(visitId).catch(log)),
    options.hub.onDisconnect((visitId) => presence.disconnected(visitId)),
  ];

  await reloadQueues();
  await recover();

  return {
    beckon,
    scheduler,
    directory,
    store,
    stream,
    routing,
    interactions,
    chat,
    callbacks,
    engagements,
    pacing,
    auth,
    summary,
    reloadQueues,
    agentChanged,
    stop(): void {
      for (const off of unsubscribe) off();
      stream.closeAll();
      interactions.stop();
      scheduler.stop();
    },
  };
}
