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
export { queuePositions, estimatedWaitSec, staffedSeats } from './queue-position.js';
export type { QueuePosition } from './queue-position.js';
export {
  pacingFor,
  computePacing,
  adjustGain,
  combinedReactiveState,
  DEFAULT_REACTIVE_SHARE,
  DEFAULT_ACCEPTANCE_RATE,
  MIN_ACCEPTANCE_RATE,
  INITIAL_GAIN,
  MIN_GAIN,
  MAX_GAIN,
} from './pacing.js';
export type { PacingAlgorithm, PacingInput, PacingOptions, PacingState } from './pacing.js';
