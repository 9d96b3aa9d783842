/**
 * The routing policy (spec/engagement.md §5 rules 1–4): which waiting interaction is offered to which agent.
 * Interactions are served in one global order — priority descending, then enqueue time ascending — across all
 * queues; each goes to the eligible Ready agent with a free seat on its channel that has been idle longest (ties:
 * smallest agentId), skipping agents excluded for it after a reject or revoke. One call can make several
 * assignments; each takes a seat, so an agent never receives more than its free capacity in a call.
 * The function is pure and deterministic, so the server can run it on every change and tests can replay it.
 */
import { freeSeats, isEligible } from './eligibility.js';
import type { Assignment, Channel, QueueDef, RoutingAgent, WaitingInteraction } from './model.js';

/** Compares two strings by UTF-16 code units: locale-independent, so routing is the same on every node. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Global routing order: priority descending, then enqueue time ascending (FIFO), then interactionId so that the
 * order is total.
 */
export function compareWaiting(a: WaitingInteraction, b: WaitingInteraction): number {
  return (
    b.priority - a.priority || a.enqueuedAt - b.enqueuedAt || compareIds(a.interactionId, b.interactionId)
  );
}

/** Longest idle first (smallest `idleSince`), ties to the smallest agentId. */
export function compareIdle(a: RoutingAgent, b: RoutingAgent): number {
  return a.status.idleSince - b.status.idleSince || compareIds(a.agentId, b.agentId);
}

/** True when `agentId` may not be offered the interaction at `now` (exclusion ends at its `until`, exclusive). */
export function isExcluded(interaction: WaitingInteraction, agentId: string, now: number): boolean {
  const until = interaction.excluded[agentId];
  return until !== undefined && now < until;
}

/**
 * Decides the offers to make now.
 *
 * Interactions already being offered (`offeredTo` set) are left alone; their seats are expected in the agents'
 * `active` counts. Interactions whose queue is unknown are skipped. When the head interaction finds no agent, the
 * next one is still tried (it may need another skill or channel).
 *
 * @returns assignments in routing order; each interaction appears at most once.
 */
export function route(
  waiting: readonly WaitingInteraction[],
  agents: readonly RoutingAgent[],
  queues: ReadonlyMap<string, QueueDef>,
  now: number,
): Assignment[] {
  // Ready agents with a free seat somewhere, longest idle first; `free` is this call's working copy of seats.
  const seen = new Set<string>();
  const candidates: { agent: RoutingAgent; free: Record<Channel, number> }[] = [];
  for (const agent of [...agents].sort(compareIdle)) {
    if (agent.status.state !== 'Ready' || seen.has(agent.agentId)) continue;
    seen.add(agent.agentId);
    const free = { chat: freeSeats(agent, 'chat'), callback: freeSeats(agent, 'callback') };
    if (free.chat > 0 || free.callback > 0) candidates.push({ agent, free });
  }
  if (candidates.length === 0) return [];

  const assignments: Assignment[] = [];
  const assigned = new Set<string>();
  const order = waiting.filter((w) => w.offeredTo === null).sort(compareWaiting);
  for (const interaction of order) {
    if (assigned.has(interaction.interactionId)) continue;
    const queue = queues.get(interaction.queue);
    if (queue === undefined) continue;
    const { channel } = interaction;
    const target = candidates.find(
      (c) =>
        c.free[channel] > 0 &&
        isEligible(c.agent, queue, channel) &&
        !isExcluded(interaction, c.agent.agentId, now),
    );
    if (target === undefined) continue;
    target.free[channel] -= 1;
    assigned.add(interaction.interactionId);
    assignments.push({ interactionId: interaction.interactionId, agentId: target.agent.agentId });
  }
  return assignments;
}
