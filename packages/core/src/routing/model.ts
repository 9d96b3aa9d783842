/**
 * The shapes the routing policy reasons about (spec/engagement.md §1, §5): agents with their state, groups,
 * skills and per-channel capacity, queue definitions, and interactions waiting for an agent. They are plain
 * data so the server can build them from its store and hand them to the pure functions of this folder.
 */

/** States of an agent; one state per agent, not per channel (spec §5). */
export type AgentState = 'LoggedOut' | 'NotReady' | 'Ready' | 'AfterChatWork';

/** Media an interaction is routed on. */
export type Channel = 'chat' | 'callback';

/** Every routable channel, in a fixed order. */
export const CHANNELS: readonly Channel[] = ['chat', 'callback'] as const;

/** An agent's state as the state machine keeps it. */
export interface AgentStatus {
  state: AgentState;
  /** Reason code of NotReady (`null` when none was given); always `null` in other states. */
  reasonCode: string | null;
  /** True exactly when `state` is `AfterChatWork`. */
  afterChatWork: boolean;
  /** Epoch ms: the latest of becoming Ready, the end of its last interaction, login (spec §5 rule 3). */
  idleSince: number;
}

/** A routing target (spec §1): `{name, channels, groups, requiredSkills}`; other fields stay with the server. */
export interface QueueDef {
  name: string;
  channels: Channel[];
  groups: string[];
  /** Skill name → minimum level. */
  requiredSkills: Record<string, number>;
}

/** What routing needs to know about one agent. */
export interface RoutingAgent {
  agentId: string;
  status: AgentStatus;
  groups: string[];
  /** Skill name → level. */
  skills: Record<string, number>;
  /** Seats per channel; 0 disables the channel. */
  capacity: Record<Channel, number>;
  /** Interactions per channel that are connected to the agent or being offered to it. */
  active: Record<Channel, number>;
}

/** An interaction in a queue (state `queued`), possibly being offered to an agent right now. */
export interface WaitingInteraction {
  interactionId: string;
  queue: string;
  channel: Channel;
  /** Higher is served first. */
  priority: number;
  /** Epoch ms of the first enqueue; a re-queued interaction keeps it (spec §5 rule 1). */
  enqueuedAt: number;
  /** The agent the interaction is currently offered to, or `null`. */
  offeredTo: string | null;
  /** agentId → epoch ms until which that agent may not be offered this interaction (exclusive). */
  excluded: Record<string, number>;
}

/** One routing decision: offer `interactionId` to `agentId`. */
export interface Assignment {
  interactionId: string;
  agentId: string;
}
