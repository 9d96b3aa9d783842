/**
 * The agent state machine of spec/engagement.md §5. The server feeds it agent actions (login, ready, notReady,
 * logout) and facts (an interaction ended, after-chat work elapsed, an invitation went unanswered); it answers
 * with the new status and the agent events to publish, or rejects the command with `wrongState` so the route can
 * answer 409. Keeping it pure lets every transition — legal or not — be tested without a server.
 *
 * Transitions (spec table, plus Beckon's choices for the cells the table leaves open):
 *
 * | From \ command      | login | ready | notReady | logout | interactionEnded | afterChatWorkElapsed | inviteTimedOut |
 * |---------------------|-------|-------|----------|--------|------------------|----------------------|----------------|
 * | LoggedOut           | NotReady | ✗  | ✗        | ✗      | ✗                | ✗                    | ✗              |
 * | NotReady            | ✗     | Ready | ✗        | LoggedOut¹ | NotReady²    | ✗                    | NotReady (no change) |
 * | Ready               | ✗     | ✗     | NotReady | LoggedOut¹ | AfterChatWork³ / Ready² | ✗           | NotReady(NoAnswer) |
 * | AfterChatWork       | ✗     | Ready | NotReady | LoggedOut¹ | AfterChatWork² | Ready              | NotReady(NoAnswer) |
 *
 * ✗ = `wrongState`. ¹ `logout` with reason `agent` is refused while the agent has active interactions; reasons
 * `disconnected` and `supervisor` are forced (the server re-queues or revokes first). ² only `idleSince` moves to
 * `now`. ³ when `afterChatWorkSec` > 0, else the agent stays Ready.
 */
import type { AgentEventDraft as WireAgentEventDraft } from '@beckon/protocol';
import type { AgentStatus } from './model.js';

/** A command for {@link transitionAgent}: an agent action or a fact observed by the server. */
export type AgentCommand =
  | { type: 'login' }
  | { type: 'ready' }
  | { type: 'notReady'; reasonCode: string | null }
  | { type: 'logout'; reason: 'agent' | 'disconnected' | 'supervisor'; activeInteractions: number }
  | { type: 'interactionEnded'; afterChatWorkSec: number }
  | { type: 'afterChatWorkElapsed' }
  | { type: 'inviteTimedOut' };

/**
 * An agent event without `AgentID`, `seq` and `time`, which the server's stream adds. `EventAgentLogin` carries no
 * `Place`, `Queues`, `Capacity` here either: the server knows them and merges them in.
 */
export type AgentEventDraft = Extract<
  WireAgentEventDraft,
  { Event: 'EventAgentLogin' | 'EventAgentReady' | 'EventAgentNotReady' | 'EventAgentLogout' }
>;

/** Result of {@link transitionAgent}. */
export type AgentTransition =
  | { ok: true; status: AgentStatus; events: AgentEventDraft[] }
  | { ok: false; code: 'wrongState'; message: string };

/** Reason code an agent gets when it lets an invitation time out (spec §5). */
export const NO_ANSWER_REASON = 'NoAnswer';

/** Status of an agent that has never logged in (or has logged out). */
export const initialAgentStatus = (now: number): AgentStatus => ({
  state: 'LoggedOut',
  reasonCode: null,
  afterChatWork: false,
  idleSince: now,
});

function wrong(status: AgentStatus, command: AgentCommand, why?: string): AgentTransition {
  return {
    ok: false,
    code: 'wrongState',
    message: why ?? `Agent action '${command.type}' is not allowed in state ${status.state}.`,
  };
}

function notReady(reasonCode: string | null, idleSince: number): AgentStatus {
  return { state: 'NotReady', reasonCode, afterChatWork: false, idleSince };
}

function ready(idleSince: number): AgentStatus {
  return { state: 'Ready', reasonCode: null, afterChatWork: false, idleSince };
}

/**
 * Applies one command to an agent's status. Never mutates `status`.
 *
 * @param now epoch ms of the command; becomes `idleSince` on login, on becoming Ready and when an interaction ends.
 * @returns the new status and the agent events in publishing order, or `wrongState` when the command is not
 *   allowed in the current state (see the module table).
 */
export function transitionAgent(status: AgentStatus, command: AgentCommand, now: number): AgentTransition {
  const { state } = status;
  switch (command.type) {
    case 'login':
      if (state !== 'LoggedOut') return wrong(status, command, 'The agent is already logged in.');
      return {
        ok: true,
        status: notReady(null, now),
        events: [{ Event: 'EventAgentLogin' }, { Event: 'EventAgentNotReady', ReasonCode: null }],
      };
    case 'ready':
      if (state !== 'NotReady' && state !== 'AfterChatWork') return wrong(status, command);
      return { ok: true, status: ready(now), events: [{ Event: 'EventAgentReady' }] };
    case 'notReady':
      if (state !== 'Ready' && state !== 'AfterChatWork') return wrong(status, command);
      return {
        ok: true,
        status: notReady(command.reasonCode, status.idleSince),
        events: [{ Event: 'EventAgentNotReady', ReasonCode: command.reasonCode }],
      };
    case 'logout':
      if (state === 'LoggedOut') return wrong(status, command, 'The agent is not logged in.');
      if (command.reason === 'agent' && command.activeInteractions > 0) {
        return wrong(status, command, 'Logout is not allowed while the agent has active interactions.');
      }
      return {
        ok: true,
        status: initialAgentStatus(now),
        events: [{ Event: 'EventAgentLogout', Reason: command.reason }],
      };
    case 'interactionEnded':
      if (state === 'LoggedOut') return wrong(status, command);
      if (state === 'Ready' && command.afterChatWorkSec > 0) {
        return {
          ok: true,
          status: { state: 'AfterChatWork', reasonCode: null, afterChatWork: true, idleSince: now },
          events: [{ Event: 'EventAgentNotReady', ReasonCode: null, WorkMode: 'AfterChatWork' }],
        };
      }
      // NotReady and AfterChatWork keep their state (the table starts after-chat work only from Ready).
      return { ok: true, status: { ...status, idleSince: now }, events: [] };
    case 'afterChatWorkElapsed':
      if (state !== 'AfterChatWork') return wrong(status, command);
      return { ok: true, status: ready(now), events: [{ Event: 'EventAgentReady' }] };
    case 'inviteTimedOut':
      if (state === 'LoggedOut') return wrong(status, command);
      // Already NotReady: the agent keeps its own reason code; nothing to announce.
      if (state === 'NotReady') return { ok: true, status, events: [] };
      return {
        ok: true,
        status: notReady(NO_ANSWER_REASON, status.idleSince),
        events: [{ Event: 'EventAgentNotReady', ReasonCode: NO_ANSWER_REASON }],
      };
  }
}
