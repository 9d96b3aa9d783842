/**
 * What a waiting visitor is told (spec/engagement.md §5 rule 6): their place in the queue and an estimated wait,
 * `ewtSec = ceil(p × AHT / max(1, S))`. Positions follow routing order, so the number a visitor sees only moves
 * the way routing will actually serve them.
 */
import { isEligible } from './eligibility.js';
import type { Channel, QueueDef, RoutingAgent, WaitingInteraction } from './model.js';
import { compareWaiting } from './route.js';
import { ceilTolerant } from './tolerant-rounding.js';

/** A visitor's place in its queue. */
export interface QueuePosition {
  /** 1-based, in routing order among the interactions of the same queue and channel. */
  position: number;
  /** Estimated wait in whole seconds. */
  ewtSec: number;
}

/** `ceil(position × ahtSec / max(1, staffedSeats))` (spec §5 rule 6). */
export function estimatedWaitSec(position: number, ahtSec: number, staffedSeats: number): number {
  return Math.max(0, ceilTolerant((position * ahtSec) / Math.max(1, staffedSeats)));
}

/**
 * `S` of the EWT formula: total capacity on `channel` of logged-in (any state but LoggedOut) agents eligible for
 * `queue`.
 */
export function staffedSeats(agents: readonly RoutingAgent[], queue: QueueDef, channel: Channel): number {
  let seats = 0;
  for (const agent of agents) {
    if (agent.status.state !== 'LoggedOut' && isEligible(agent, queue, channel))
      seats += agent.capacity[channel];
  }
  return seats;
}

/**
 * Position and estimated wait of every waiting interaction, keyed by interactionId.
 *
 * Positions count per queue and channel (chat and callback use different seats), including interactions being
 * offered right now — their visitors are still waiting. For an unknown queue `S` is 0, so the estimate is `p × AHT`.
 *
 * @param ahtSec mean handle time of the queue in seconds (the caller applies the 300 s default with < 5 samples).
 */
export function queuePositions(
  waiting: readonly WaitingInteraction[],
  agents: readonly RoutingAgent[],
  queues: ReadonlyMap<string, QueueDef>,
  ahtSec: (queue: string) => number,
): Map<string, QueuePosition> {
  const result = new Map<string, QueuePosition>();
  const counters = new Map<string, { next: number; aht: number; seats: number }>();
  for (const interaction of [...waiting].sort(compareWaiting)) {
    const key = `${interaction.channel}\u0000${interaction.queue}`;
    let counter = counters.get(key);
    if (counter === undefined) {
      const queue = queues.get(interaction.queue);
      counter = {
        next: 1,
        aht: ahtSec(interaction.queue),
        seats: queue === undefined ? 0 : staffedSeats(agents, queue, interaction.channel),
      };
      counters.set(key, counter);
    }
    const position = counter.next++;
    result.set(interaction.interactionId, {
      position,
      ewtSec: estimatedWaitSec(position, counter.aht, counter.seats),
    });
  }
  return result;
}
