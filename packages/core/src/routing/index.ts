/**
 * Agents, routing and pacing (spec/engagement.md §4, §5): the public surface of `@beckon/core/routing`.
 * Everything here is pure: the server passes in time, agents, queues and waiting interactions.
 */
export type {
  AgentState,
  AgentStatus,
  Assignment,
  Channel,
  QueueDef,
  RoutingAgent,
  WaitingInteraction,
} from './model.js';
export { CHANNELS } from './model.js';
export { transitionAgent, initialAgentStatus, NO_ANSWER_REASON } from './agent-state.js';
export type { AgentCommand, AgentEventDraft, AgentTransition } from './agent-state.js';
export { isEligible, freeSeats } from './eligibility.js';
export { route, compareWaiting, compareIdle, compareIds, isExcluded } from './route.js';
