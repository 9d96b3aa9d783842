/**
 * Small builders for routing tests: an agent, a queue, a waiting interaction with sensible defaults.
 * Test-only helpers kept beside the code so every routing test reads the same way.
 */
import type { AgentState, QueueDef, RoutingAgent, WaitingInteraction } from './model.js';

/** A Ready agent in group `sales` with 3 chat seats and 1 callback seat, idle since 0, unless overridden. */
export function agent(
  agentId: string,
  over: Partial<Omit<RoutingAgent, 'status'>> & { state?: AgentState; idleSince?: number } = {},
): RoutingAgent {
  const { state = 'Ready', idleSince = 0, ...rest } = over;
  return {
    agentId,
    status: {
      state,
      reasonCode: null,
      afterChatWork: state === 'AfterChatWork',
      idleSince,
    },
    groups: ['sales'],
    skills: {},
    capacity: { chat: 3, callback: 1 },
    active: { chat: 0, callback: 0 },
    ...rest,
  };
}

/** A queue named `name` served by group `sales` on chat and callback, no required skills, unless overridden. */
export function queue(name: string, over: Partial<QueueDef> = {}): QueueDef {
  return { name, channels: ['chat', 'callback'], groups: ['sales'], requiredSkills: {}, ...over };
}

/** A chat waiting in queue `sales` with priority 0, enqueued at 0, unless overridden. */
export function waiting(interactionId: string, over: Partial<WaitingInteraction> = {}): WaitingInteraction {
  return {
    interactionId,
    queue: 'sales',
    channel: 'chat',
    priority: 0,
    enqueuedAt: 0,
    offeredTo: null,
    excluded: {},
    ...over,
  };
}

/** A queue map from definitions. */
export function queueMap(...defs: QueueDef[]): Map<string, QueueDef> {
  return new Map(defs.map((d) => [d.name, d]));
}
