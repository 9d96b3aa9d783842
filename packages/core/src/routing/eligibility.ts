/**
 * Who may take a queue's interactions (spec/engagement.md §1) and who may be offered one right now (§5 rule 3).
 * Routing, queue positions and pacing all use these two predicates, so an agent counts the same way everywhere.
 */
import type { Channel, QueueDef, RoutingAgent } from './model.js';

/**
 * An agent is eligible for a queue on a channel when it belongs to one of the queue's groups, has every required
 * skill at or above its level, and has capacity > 0 for the channel. Its state does not matter here.
 */
export function isEligible(agent: RoutingAgent, queue: QueueDef, channel: Channel): boolean {
  if (!(agent.capacity[channel] > 0)) return false;
  if (!queue.groups.some((g) => agent.groups.includes(g))) return false;
  for (const [skill, level] of Object.entries(queue.requiredSkills)) {
    const has = agent.skills[skill];
    if (has === undefined || has < level) return false;
  }
  return true;
}

/** Free seats of an agent on a channel: max(0, capacity − active). */
export function freeSeats(agent: RoutingAgent, channel: Channel): number {
  return Math.max(0, agent.capacity[channel] - agent.active[channel]);
}
