/** @beckon/protocol: the wire contract shared by every Beckon package. */
export { errorCatalog, eventRejectionCatalog, BeckonError, isBeckonError } from './errors.js';
export type { ErrorCode, EventRejectionCode } from './errors.js';
export {
  eventTypes,
  systemEventNames,
  identityEventNames,
  ID_PATTERN,
  GENERATED_ID_PATTERN,
} from './events.js';
export type {
  EventType,
  SystemEventName,
  WireEvent,
  StoredEvent,
  EventRejection,
  IngestResult,
} from './events.js';
export { visitScopes } from './resources.js';
export type {
  VisitScope,
  Association,
  VisitResource,
  PageResource,
  IdentityResource,
  Category,
  CategoryTag,
} from './resources.js';
export type { ChatParty, ChatMessage, ChatTranscript } from './chat.js';
export { agentStates, notReadyReasons, callbackOutcomes, visitActivityKinds } from './agent.js';
export type {
  AgentState,
  MediaType,
  CallbackOutcome,
  AgentSession,
  AgentInteraction,
  AgentMe,
  Journey,
  InviteUserData,
  Party,
  VisitActivityKind,
  AgentEvent,
  AgentEventName,
  AgentEventDraft,
} from './agent.js';
