/**
 * Public API of Beckon's SCXML interpreter (W3C SCXML 1.0, ECMAScript data model).
 */
export { loadScxml, buildScxml, type LoadResult, type ScxmlProblem } from './build-document.js';
export { createSession, type CreateSessionOptions } from './create-session.js';
export { ScxmlSession, type SessionOptions } from './session.js';
export { SessionSystem } from './system.js';
export { VirtualTimers } from './virtual-timers.js';
export {
  createFunctionEvaluator,
  expressionBody,
  scriptBody,
  assignmentBody,
  scriptScope,
} from './function-evaluator.js';
export { nameMatches, parseDelay, SCXML_PROCESSOR, SYSTEM_VARIABLES } from './events.js';
export type { PendingSend, ChildSource } from './dispatch.js';
export type {
  Clock,
  DataScope,
  Evaluator,
  EventIoProcessor,
  LogSink,
  OutboundSend,
  ScxmlDocument,
  ScxmlEvent,
  SourceResolver,
  StateNode,
  TimerService,
} from './types.js';
export { takeSnapshot, restoreSession, type SessionSnapshot, type RestoreOptions } from './snapshot.js';
export {
  BECKON_SEND_TYPE,
  BECKON_TARGETS,
  BeckonOutbox,
  performAction,
  actionFailedEvent,
  RecordingEngagementActions,
  type BeckonTarget,
  type BeckonAction,
  type BeckonPlatform,
  type PacingView,
  type EngagementActions,
  type EngagementFailure,
  type ActionContext,
  type RecordedAction,
  type NotifyParams,
  type InviteParams,
  type CancelInviteParams,
  type StartChatParams,
  type CreateCallbackParams,
  type OutcomeParams,
} from './beckon-io.js';
export { checkStrategy, unreachable, type Diagnostic, type CheckOptions } from './check.js';
