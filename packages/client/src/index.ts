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
/** The wire contract (events, resources, chat, the agent session and stream), so a client user imports from one place. */
export * from '@beckon/protocol';
