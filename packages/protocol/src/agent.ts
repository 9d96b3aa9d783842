/**
 * Wire shapes of the agent side of the contact center (spec/engagement.md §5–§8, §10): the session, the REST
 * answers and the events of the agent stream. The server types the events it emits with {@link AgentEventDraft};
 * the client and the desktop read them as {@link AgentEvent}: one definition for both sides.
 */
import type { ChatMessage } from './chat.js';
import type { IdentityResource, VisitResource } from './resources.js';

export const agentStates = ['LoggedOut', 'NotReady', 'Ready', 'AfterChatWork'] as const;
/** Agent state of spec §5. */
export type AgentState = (typeof agentStates)[number];

export type MediaType = 'chat' | 'callback';

/** Reason codes the desktop offers for NotReady (configurable later). */
export const notReadyReasons = ['Break', 'Lunch', 'Training', 'Other'] as const;

/** Outcomes of a callback (spec §10). */
export const callbackOutcomes = ['connected', 'noAnswer', 'busy', 'wrongNumber', 'cancelled'] as const;
export type CallbackOutcome = (typeof callbackOutcomes)[number];

/** Answer of `POST /server/agent/session`. */
export interface AgentSession {
  token: string;
  csrf: string;
  agent: { agentId: string; name: string; groups: string[]; capacity: Record<MediaType, number> };
}

/** One interaction as listed by `GET /server/agent/me` and in `EventResync`. */
export interface AgentInteraction {
  interactionId: string;
  mediaType: MediaType;
  /** `invited`, `connected`, … as the server names it. */
  state: string;
  queue: string;
  visitID: string;
  pageID: string | null;
  identityId: string | null;
  engagementId: string | null;
  webengagement: 'proactive' | 'reactive' | null;
  startedAt: number;
  phoneNumber?: string | null;
  preferredTime?: string | null;
  /** Registration fields the visitor submitted (spec §7). */
  registration?: Record<string, unknown> | null;
}

/** Answer of `GET /server/agent/me`. */
export interface AgentMe {
  agentId: string;
  name: string;
  state: AgentState;
  reasonCode: string | null;
  afterChatWork: boolean;
  interactions: AgentInteraction[];
  /**
   * Highest stream seq already reflected in this answer, so a fresh desktop opens the stream with `lastSeq` and
   * gets no replay of older events (optional: without it the desktop resumes from its own stored seq, or 0).
   */
  lastSeq?: number;
}

import type { ChatTranscript } from './chat.js';

/** Answer of `GET /server/agent/interactions/{id}/journey`. */
export interface Journey {
  visit: VisitResource;
  identities: IdentityResource[];
  previousVisits: VisitResource[];
  chats: ChatTranscript[];
  actionable: unknown[];
}

/** `UserData` of `EventInvite`. */
export interface InviteUserData {
  visitID: string;
  pageID: string | null;
  webengagement: 'proactive' | 'reactive';
  identityId?: string | null;
  engagementId: string;
  engagementName: string;
  ruleId?: string | null;
  registration?: Record<string, unknown> | null;
  phoneNumber?: string | null;
  preferredTime?: string | null;
}

export interface Party {
  Type: 'agent' | 'visitor';
  ID: string | null;
  Name: string | null;
}

export const visitActivityKinds = ['page', 'pageExit', 'event', 'ruleHit', 'identity', 'engagement'] as const;
export type VisitActivityKind = (typeof visitActivityKinds)[number];

interface Base {
  AgentID: string;
  seq: number;
  time: number;
}

/** One event of the agent stream (spec §6), discriminated by `Event`. */
export type AgentEvent =
  | (Base & {
      Event: 'EventAgentLogin';
      Place?: string | null;
      Queues?: string[];
      Capacity?: Record<MediaType, number>;
    })
  | (Base & { Event: 'EventAgentReady' })
  | (Base & { Event: 'EventAgentNotReady'; ReasonCode: string | null; WorkMode?: 'AfterChatWork' })
  | (Base & { Event: 'EventAgentLogout'; Reason: 'agent' | 'disconnected' | 'supervisor' })
  | (Base & {
      Event: 'EventInvite';
      InteractionID: string;
      MediaType: MediaType;
      Queue: string;
      TimeoutSec: number;
      UserData: InviteUserData;
    })
  | (Base & { Event: 'EventPartyAdded'; InteractionID: string; Party: Party })
  | (Base & { Event: 'EventRejected'; InteractionID: string })
  | (Base & { Event: 'EventRevoked'; InteractionID: string; Reason: 'timeout' | 'visitorLeft' | 'requeued' })
  | (Base & { Event: 'EventPartyRemoved'; InteractionID: string; Party: Party; Reason: string })
  | (Base & { Event: 'EventReleased'; InteractionID: string; Reason: string; Outcome?: string | null })
  | (Base & { Event: 'EventChatMessage'; InteractionID: string; Message: ChatMessage })
  | (Base & { Event: 'EventTyping'; InteractionID: string; From: 'visitor' | 'agent'; Typing: boolean })
  | (Base & {
      Event: 'EventVisitActivity';
      InteractionID: string;
      visitID: string;
      Kind: VisitActivityKind;
      Item: unknown;
    })
  | (Base & {
      Event: 'EventResync';
      Snapshot: { state: AgentState; reasonCode: string | null; interactions: AgentInteraction[] };
    });

export type AgentEventName = AgentEvent['Event'];

/** An agent event as the server hands it to the stream, before the stream numbers and stamps it. */
export type AgentEventDraft = AgentEvent extends infer E
  ? E extends AgentEvent
    ? Omit<E, 'AgentID' | 'seq' | 'time'>
    : never
  : never;
