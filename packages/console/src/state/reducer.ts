/**
 * The desktop reducer: one pure function from (state, action) to state. Stream events are applied at most once
 * (a seq at or below `lastSeq` is ignored), so a replay after reconnect or a page reload that overlaps what the
 * desktop already shows changes nothing; `EventResync` replaces the agent and interaction state by the snapshot.
 * An invite is removed when it is rejected or revoked; an interaction that was connected stays, ended, until the
 * agent closes it, so the transcript and the outcome remain visible.
 */
import type { AgentEvent, AgentInteraction, AgentState, InviteUserData, MediaType } from '@beckon/client';
import type {
  DesktopAction,
  DesktopState,
  InteractionPhase,
  InteractionView,
  JourneyEntry,
} from './desktop-state.js';
import { initialDesktopState } from './desktop-state.js';
import { applyActivity, emptyJourney, mergeJourney } from './journey.js';
import { addPending, emptyChatLog, failPending, mergeMessages } from './messages.js';

/** Typing notices expire after 6 s (spec §7). */
export const TYPING_TTL_MS = 6000;
/** Invitation timeout when the event does not say (spec §5 rule 4). */
const DEFAULT_INVITE_SEC = 15;

function phaseOf(serverState: string): InteractionPhase {
  const s = serverState.toLowerCase();
  if (s === 'invited' || s === 'offered' || s === 'inviting') return 'invited';
  if (s === 'ended' || s === 'released' || s === 'done' || s === 'closed') return 'ended';
  return 'connected';
}

function newInteraction(id: string, mediaType: MediaType, queue: string, at: number): InteractionView {
  return {
    interactionId: id,
    mediaType,
    queue,
    phase: 'invited',
    visitID: null,
    pageID: null,
    identityId: null,
    engagementId: null,
    engagementName: null,
    webengagement: null,
    registration: null,
    startedAt: at,
    inviteDeadline: null,
    inviteTimeoutSec: DEFAULT_INVITE_SEC,
    phoneNumber: null,
    preferredTime: null,
    callbackState: 'toDial',
    outcome: null,
    visitorName: null,
    visitorPresent: true,
    visitorTypingUntil: null,
    endReason: null,
    chat: emptyChatLog,
    unread: 0,
  };
}

function fromServer(i: AgentInteraction, old: InteractionView | undefined): InteractionView {
  const base = old ?? newInteraction(i.interactionId, i.mediaType, i.queue, i.startedAt);
  return {
    ...base,
    mediaType: i.mediaType,
    queue: i.queue,
    phase: phaseOf(i.state),
    visitID: i.visitID ?? base.visitID,
    pageID: i.pageID ?? base.pageID,
    identityId: i.identityId ?? base.identityId,
    engagementId: i.engagementId ?? base.engagementId,
    webengagement: i.webengagement ?? base.webengagement,
    startedAt: i.startedAt || base.startedAt,
    phoneNumber: i.phoneNumber ?? base.phoneNumber,
    preferredTime: i.preferredTime ?? base.preferredTime,
    registration: i.registration ?? base.registration,
    callbackState: i.state === 'dialled' && base.callbackState === 'toDial' ? 'dialled' : base.callbackState,
  };
}

/** Replaces the live interactions by the server's list; connected ones that vanished are shown as ended. */
function withInteractions(s: DesktopState, list: readonly AgentInteraction[]): DesktopState {
  const interactions: Record<string, InteractionView> = {};
  const order: string[] = [];
  const listed = new Map(list.map((i) => [i.interactionId, i]));
  for (const id of s.order) {
    const old = s.interactions[id]!;
    const now = listed.get(id);
    if (now) interactions[id] = fromServer(now, old);
    else if (old.phase !== 'invited') interactions[id] = { ...old, phase: 'ended', endReason: old.endReason };
    else continue;
    order.push(id);
  }
  for (const i of list) {
    if (interactions[i.interactionId]) continue;
    interactions[i.interactionId] = fromServer(i, undefined);
    order.push(i.interactionId);
  }
  return select({ ...s, interactions, order }, s.selected);
}

function select(s: DesktopState, id: string | null): DesktopState {
  const target = id !== null && s.interactions[id] ? id : (s.order[0] ?? null);
  if (target === null) return { ...s, selected: null };
  const view = s.interactions[target]!;
  const interactions =
    view.unread > 0 ? { ...s.interactions, [target]: { ...view, unread: 0 } } : s.interactions;
  return { ...s, selected: target, interactions };
}

function remove(s: DesktopState, id: string): DesktopState {
  if (!s.interactions[id]) return s;
  const { [id]: _gone, ...interactions } = s.interactions;
  const { [id]: _journey, ...journeys } = s.journeys;
  const order = s.order.filter((x) => x !== id);
  const next = { ...s, interactions, journeys, order };
  return s.selected === id ? select(next, null) : next;
}

function update(s: DesktopState, id: string, f: (v: InteractionView) => InteractionView): DesktopState {
  const view = s.interactions[id];
  return view ? { ...s, interactions: { ...s.interactions, [id]: f(view) } } : s;
}

function agentState(s: DesktopState, state: AgentState, reasonCode: string | null): DesktopState {
  return { ...s, agentState: state, reasonCode };
}

function invite(s: DesktopState, e: Extract<AgentEvent, { Event: 'EventInvite' }>, at: number): DesktopState {
  const known = s.interactions[e.InteractionID];
  // A replayed invite for an interaction already taken further must not take it back to "invited".
  if (known && known.phase !== 'ended') return s;
  const u: Partial<InviteUserData> = e.UserData ?? {};
  const timeoutSec = e.TimeoutSec > 0 ? e.TimeoutSec : DEFAULT_INVITE_SEC;
  const view: InteractionView = {
    ...newInteraction(e.InteractionID, e.MediaType, e.Queue, at),
    visitID: u.visitID ?? null,
    pageID: u.pageID ?? null,
    identityId: u.identityId ?? null,
    engagementId: u.engagementId ?? null,
    engagementName: u.engagementName ?? null,
    webengagement: u.webengagement ?? null,
    registration: u.registration ?? null,
    phoneNumber: u.phoneNumber ?? null,
    preferredTime: u.preferredTime ?? null,
    inviteDeadline: at + timeoutSec * 1000,
    inviteTimeoutSec: timeoutSec,
  };
  const order = known ? s.order : [...s.order, e.InteractionID];
  const next = { ...s, order, interactions: { ...s.interactions, [e.InteractionID]: view } };
  return s.selected === null || !s.interactions[s.selected] ? select(next, e.InteractionID) : next;
}

function applyEvent(s: DesktopState, e: AgentEvent, at: number): DesktopState {
  switch (e.Event) {
    case 'EventAgentLogin':
      return agentState(s, 'NotReady', null);
    case 'EventAgentReady':
      return agentState(s, 'Ready', null);
    case 'EventAgentNotReady':
      return e.WorkMode === 'AfterChatWork'
        ? agentState(s, 'AfterChatWork', null)
        : agentState(s, 'NotReady', e.ReasonCode ?? null);
    case 'EventAgentLogout':
      return agentState(s, 'LoggedOut', null);
    case 'EventInvite':
      return invite(s, e, at);
    case 'EventRejected':
    case 'EventRevoked': {
      const view = s.interactions[e.InteractionID];
      // Revoked after re-queue (disconnect grace) also ends a connected chat for this agent.
      if (view && view.phase === 'connected')
        return update(s, e.InteractionID, (v) => ({ ...v, phase: 'ended', endReason: 'requeued' }));
      return remove(s, e.InteractionID);
    }
    case 'EventPartyAdded':
      return update(s, e.InteractionID, (v) =>
        e.Party?.Type === 'visitor'
          ? { ...v, visitorName: e.Party.Name ?? v.visitorName, visitorPresent: true }
          : e.Party?.ID === null || e.Party?.ID === s.agentId || s.agentId === null
            ? { ...v, phase: 'connected', inviteDeadline: null, startedAt: at }
            : v,
      );
    case 'EventPartyRemoved':
      return update(s, e.InteractionID, (v) =>
        e.Party?.Type === 'visitor'
          ? { ...v, visitorPresent: false, visitorTypingUntil: null }
          : { ...v, phase: 'ended', endReason: e.Reason ?? v.endReason },
      );
    case 'EventReleased': {
      const view = s.interactions[e.InteractionID];
      if (!view) return s;
      // An interaction never connected on this desktop (a replayed old invite) is simply dropped.
      if (view.phase === 'invited') return remove(s, e.InteractionID);
      return update(s, e.InteractionID, (v) => ({
        ...v,
        phase: 'ended',
        endReason: e.Reason ?? null,
        outcome: e.Outcome ?? v.outcome,
        visitorTypingUntil: null,
      }));
    }
    case 'EventChatMessage':
      return update(s, e.InteractionID, (v) => {
        const chat = mergeMessages(v.chat, [e.Message]);
        if (chat === v.chat) return v;
        const fromVisitor = e.Message.from?.type === 'visitor';
        return {
          ...v,
          chat,
          unread: fromVisitor && s.selected !== v.interactionId ? v.unread + 1 : v.unread,
          visitorTypingUntil: fromVisitor ? null : v.visitorTypingUntil,
          visitorName: fromVisitor ? (e.Message.from.name ?? v.visitorName) : v.visitorName,
        };
      });
    case 'EventTyping':
      if (e.From !== 'visitor') return s;
      return update(s, e.InteractionID, (v) => ({
        ...v,
        visitorTypingUntil: e.Typing ? at + TYPING_TTL_MS : null,
      }));
    case 'EventVisitActivity': {
      const entry: JourneyEntry = s.journeys[e.InteractionID] ?? {
        status: 'loading',
        error: null,
        view: emptyJourney,
      };
      if (!s.interactions[e.InteractionID]) return s;
      const view = applyActivity(entry.view, e.Kind, e.Item);
      return { ...s, journeys: { ...s.journeys, [e.InteractionID]: { ...entry, view } } };
    }
    case 'EventResync':
      return withInteractions(
        agentState(s, e.Snapshot.state, e.Snapshot.reasonCode),
        e.Snapshot.interactions,
      );
    default:
      return s;
  }
}

/** The desktop reducer. */
export function desktopReducer(s: DesktopState, a: DesktopAction): DesktopState {
  switch (a.type) {
    case 'signedIn':
      return { ...initialDesktopState, agentId: a.session.agent.agentId, name: a.session.agent.name };
    case 'signedOut':
      return initialDesktopState;
    case 'me': {
      const lastSeq = typeof a.me.lastSeq === 'number' ? Math.max(s.lastSeq, a.me.lastSeq) : s.lastSeq;
      const next = { ...s, agentId: a.me.agentId, name: a.me.name, reasonCode: a.me.reasonCode, lastSeq };
      const state: AgentState = a.me.afterChatWork ? 'AfterChatWork' : a.me.state;
      return withInteractions({ ...next, agentState: state }, a.me.interactions);
    }
    case 'event': {
      const e = a.event;
      if (e.Event === 'EventResync') return { ...applyEvent(s, e, a.at), lastSeq: e.seq };
      if (e.seq <= s.lastSeq) return s;
      return { ...applyEvent(s, e, a.at), lastSeq: e.seq };
    }
    case 'connection':
      return { ...s, connection: a.status };
    case 'select':
      return select(s, a.interactionId);
    case 'dismiss':
      return remove(s, a.interactionId);
    case 'messages':
      return update(s, a.interactionId, (v) => ({
        ...v,
        chat: mergeMessages(v.chat, a.messages),
        visitorName:
          v.visitorName ??
          a.messages.find((m) => m.from?.type === 'visitor' && m.from.name)?.from.name ??
          null,
      }));
    case 'sending':
      return update(s, a.interactionId, (v) => ({
        ...v,
        chat: addPending(v.chat, a.clientMessageId, a.text),
      }));
    case 'sendFailed':
      return update(s, a.interactionId, (v) => ({ ...v, chat: failPending(v.chat, a.clientMessageId) }));
    case 'dialled':
      return update(s, a.interactionId, (v) => ({ ...v, callbackState: 'dialled' }));
    case 'outcomeRecorded':
      return update(s, a.interactionId, (v) => ({ ...v, callbackState: 'outcome', outcome: a.code }));
    case 'journeyLoading': {
      const entry = s.journeys[a.interactionId];
      const view = entry?.view ?? emptyJourney;
      return {
        ...s,
        journeys: { ...s.journeys, [a.interactionId]: { status: 'loading', error: null, view } },
      };
    }
    case 'journeyLoaded': {
      if (!s.interactions[a.interactionId]) return s;
      const view = mergeJourney(s.journeys[a.interactionId]?.view ?? emptyJourney, a.journey);
      return { ...s, journeys: { ...s.journeys, [a.interactionId]: { status: 'ready', error: null, view } } };
    }
    case 'journeyFailed': {
      const view = s.journeys[a.interactionId]?.view ?? emptyJourney;
      return {
        ...s,
        journeys: { ...s.journeys, [a.interactionId]: { status: 'error', error: a.error, view } },
      };
    }
    case 'notice':
      return { ...s, notice: a.message };
    default:
      return s;
  }
}
