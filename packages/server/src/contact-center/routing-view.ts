/**
 * How the routing service's live agents look to the pure policy of `@beckon/core/routing`: seats in use per
 * channel (connected plus being offered, spec §4 `active`) and the queues an agent can serve.
 */
import type { AgentStatus, Channel, QueueDef, RoutingAgent } from '@beckon/core/routing';
import type { AgentRecord } from './types.js';

/** A logged-in agent on this node. */
export interface LiveAgent {
  record: AgentRecord;
  status: AgentStatus;
  place: string | null;
  /** Interactions offered to the agent → channel and the cancel of its invite timeout. */
  offers: Map<string, { channel: Channel; cancel: () => void }>;
  /** Interactions connected to the agent → channel. */
  connected: Map<string, Channel>;
  cancelAfterChatWork: (() => void) | null;
  cancelGrace: (() => void) | null;
}

/** The policy's view of a live agent. */
export function toRoutingAgent(agent: LiveAgent): RoutingAgent {
  const active: Record<Channel, number> = { chat: 0, callback: 0 };
  for (const offer of agent.offers.values()) active[offer.channel]++;
  for (const channel of agent.connected.values()) active[channel]++;
  return {
    agentId: agent.record.agentId,
    status: agent.status,
    groups: agent.record.groups,
    skills: agent.record.skills,
    capacity: agent.record.capacity,
    active,
  };
}

/** Names of the queues an agent belongs to (group) and has the skills for, on any channel. */
export function eligibleQueues(record: AgentRecord, queues: ReadonlyMap<string, QueueDef>): string[] {
  return [...queues.values()]
    .filter(
      (q) =>
        q.groups.some((g) => record.groups.includes(g)) &&
        Object.entries(q.requiredSkills).every(([skill, level]) => (record.skills[skill] ?? 0) >= level),
    )
    .map((q) => q.name);
}
