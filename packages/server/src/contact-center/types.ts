/**
 * The contact center's records in domain words (spec/engagement.md §1, §5, §7, §10): agent accounts, groups,
 * queues, engagements, interactions and chat messages. The store keeps each as a JSON body beside the few
 * columns it is queried by, so these shapes are the single source of truth for what is persisted.
 */
import type { Channel } from '@beckon/core/routing';

export const CHANNELS = ['chat', 'callback'] as const satisfies readonly Channel[];

/** An agent account as the admin API shows it (never with its password hash). */
export interface AgentRecord {
  agentId: string;
  name: string;
  groups: string[];
  skills: Record<string, number>;
  capacity: Record<Channel, number>;
  afterChatWorkSec: number;
  enabled: boolean;
}

export interface GroupRecord {
  name: string;
  description: string;
}

/** A registration form field of a queue (spec §7). */
export interface RegistrationField {
  name: string;
  label: string;
  required: boolean;
}

export interface QueueRecord {
  name: string;
  channels: Channel[];
  groups: string[];
  requiredSkills: Record<string, number>;
  registration: RegistrationField[];
  maxQueueTimeSec: number | null;
}

export const ENGAGEMENT_LIVE_STATES = [
  'qualified',
  'evaluating',
  'invited',
  'accepted',
  'registration',
  'queued',
  'connected',
  'requested',
] as const;

/** The §1 engagement record. */
export interface EngagementRecord {
  engagementId: string;
  kind: 'proactive' | 'reactive';
  visitID: string;
  globalVisitID: string | null;
  pageID: string;
  name: string;
  channel: Channel | 'offer';
  queue: string;
  priority: number;
  ruleId: string | null;
  actionableId: string | null;
  strategy: string | null;
  state: string;
  reason: string | null;
  outcome: string | null;
  interactionId: string | null;
  createdAt: number;
  invitedAt: number | null;
  respondedAt: number | null;
  queuedAt: number | null;
  connectedAt: number | null;
  endedAt: number | null;
  history: { state: string; at: number; reason: string | null }[];
  /** Free data the visitor or rule attached (reactive `data`). */
  data?: unknown;
}

export type InteractionState =
  'registration' | 'queued' | 'connected' | 'ended' | 'requested' | 'scheduled' | 'dialled' | 'done';

/** A chat or callback (spec §1, §7, §10); `agentId` is the connected agent, if any. */
export interface InteractionRecord {
  interactionId: string;
  engagementId: string;
  mediaType: Channel;
  queue: string;
  priority: number;
  state: InteractionState;
  visitID: string;
  pageID: string;
  identityId: string | null;
  webengagement: 'proactive' | 'reactive';
  engagementName: string;
  ruleId: string | null;
  /** Secret of the visitor API, scoped to this interaction. */
  token: string;
  createdAt: number;
  /** Original enqueue time; kept when re-queued (spec §5 rule 1). */
  enqueuedAt: number | null;
  connectedAt: number | null;
  endedAt: number | null;
  reason: string | null;
  agentId: string | null;
  agentIds: string[];
  registration: Record<string, string> | null;
  phoneNumber: string | null;
  preferredTime: string | null;
  note: string | null;
  /** Callback: when it enters the queue; attempts made so far; last outcome. */
  dueAt: number | null;
  attempts: number;
  outcome: string | null;
}

/** Chat messages and transcripts are protocol types (spec §7), shared with the client and the desktop. */
import type { ChatMessage, ChatParty, ChatTranscript } from '@beckon/protocol';
export type { ChatMessage, ChatParty, ChatTranscript };
