/**
 * The desktop's whole state as plain data, and the actions that change it. Stream events, REST answers and the
 * agent's clicks all become actions for one pure reducer (`reducer.ts`), so the behaviour that matters (apply each
 * seq once, resync, invites that vanish on revoke, merged chats, live journeys) is tested without a browser.
 */
import type {
  AgentEvent,
  AgentMe,
  AgentSession,
  AgentState,
  ChatMessage,
  Journey,
  MediaType,
  StreamStatus,
} from '@beckon/client';
import type { ChatLog } from './messages.js';
import type { JourneyView } from './journey.js';

export type InteractionPhase = 'invited' | 'connected' | 'ended';

export interface InteractionView {
  interactionId: string;
  mediaType: MediaType;
  queue: string;
  phase: InteractionPhase;
  visitID: string | null;
  pageID: string | null;
  identityId: string | null;
  engagementId: string | null;
  engagementName: string | null;
  webengagement: 'proactive' | 'reactive' | null;
  registration: Record<string, unknown> | null;
  /** When it was offered or started (ms). */
  startedAt: number;
  /** Invitation deadline on the desktop clock (ms), null when unknown. */
  inviteDeadline: number | null;
  inviteTimeoutSec: number;
  phoneNumber: string | null;
  preferredTime: string | null;
  callbackState: 'toDial' | 'dialled' | 'outcome';
  outcome: string | null;
  visitorName: string | null;
  visitorPresent: boolean;
  /** Typing notices expire after 6 s (spec §7). */
  visitorTypingUntil: number | null;
  endReason: string | null;
  chat: ChatLog;
  unread: number;
}

export interface JourneyEntry {
  status: 'loading' | 'ready' | 'error';
  error: string | null;
  view: JourneyView;
}

export interface DesktopState {
  agentId: string | null;
  name: string | null;
  agentState: AgentState;
  reasonCode: string | null;
  /** Highest stream seq applied. */
  lastSeq: number;
  connection: StreamStatus | 'idle';
  /** Display order: arrival order. */
  order: string[];
  interactions: Record<string, InteractionView>;
  journeys: Record<string, JourneyEntry>;
  selected: string | null;
  /** The last action error shown to the agent. */
  notice: string | null;
}

export const initialDesktopState: DesktopState = {
  agentId: null,
  name: null,
  agentState: 'LoggedOut',
  reasonCode: null,
  lastSeq: 0,
  connection: 'idle',
  order: [],
  interactions: {},
  journeys: {},
  selected: null,
  notice: null,
};

/** Every change of the desktop state; `at` is the desktop clock (ms) when it happened. */
export type DesktopAction =
  | { type: 'signedIn'; session: AgentSession }
  | { type: 'signedOut' }
  | { type: 'me'; me: AgentMe; at: number }
  | { type: 'event'; event: AgentEvent; at: number }
  | { type: 'connection'; status: StreamStatus }
  | { type: 'select'; interactionId: string | null }
  | { type: 'dismiss'; interactionId: string }
  | { type: 'messages'; interactionId: string; messages: ChatMessage[] }
  | { type: 'sending'; interactionId: string; clientMessageId: string; text: string }
  | { type: 'sendFailed'; interactionId: string; clientMessageId: string }
  | { type: 'dialled'; interactionId: string }
  | { type: 'outcomeRecorded'; interactionId: string; code: string }
  | { type: 'journeyLoading'; interactionId: string }
  | { type: 'journeyLoaded'; interactionId: string; journey: Journey }
  | { type: 'journeyFailed'; interactionId: string; error: string }
  | { type: 'notice'; message: string | null };
