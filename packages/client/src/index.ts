/** @beckon/client: typed HTTP client of the Beckon REST API. */
export { createClient } from './client.js';
export type { BeckonClient, ClientOptions, Page, Query } from './client.js';
export { createAgentClient } from './agent-client.js';
export type { AgentClient, AgentClientOptions } from './agent-client.js';
export { openAgentStream, backoffDelay } from './agent-stream.js';
export type {
  AgentStream,
  AgentStreamOptions,
  BackoffOptions,
  SocketLike,
  StreamStatus,
} from './agent-stream.js';
export { agentStates, notReadyReasons, callbackOutcomes, visitActivityKinds } from '@beckon/protocol';
export type {
  AgentState,
  MediaType,
  CallbackOutcome,
  AgentSession,
  AgentInteraction,
  AgentMe,
  ChatMessage,
  ChatTranscript,
  Journey,
  InviteUserData,
  Party,
  VisitActivityKind,
  AgentEvent,
  AgentEventName,
} from '@beckon/protocol';
