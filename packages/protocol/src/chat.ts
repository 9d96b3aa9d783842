/**
 * Chat wire shapes shared by the server, the client and the agent desktop (spec/engagement.md §7).
 */

/** Who wrote a message; visitors see agents by display name only. */
export interface ChatParty {
  type: 'visitor' | 'agent' | 'system';
  id: string | null;
  name: string;
}

/** A durable chat message: the server assigns `id` (32 hex), `seq` (per interaction, from 1) and `timestamp`. */
export interface ChatMessage {
  id: string;
  seq: number;
  interactionId: string;
  from: ChatParty;
  text: string;
  timestamp: number;
  clientMessageId: string | null;
}

/** A stored transcript, as `GET /server/data/visits/{visitId}/chats` returns it. */
export interface ChatTranscript {
  interactionId: string;
  engagementId: string;
  queue: string;
  agentIds: string[];
  startedAt: number;
  connectedAt: number | null;
  endedAt: number | null;
  reason: string | null;
  messages: ChatMessage[];
}
