import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { isExcluded, route } from './route.js';
import { freeSeats, isEligible } from './eligibility.js';
import type { Assignment, Channel, QueueDef, RoutingAgent, WaitingInteraction } from './model.js';

const AGENT_IDS = ['a', 'b', 'c', 'd', 'e', 'f'];
const GROUPS = ['g1', 'g2', 'g3'];
const channelArb = fc.constantFrom<Channel>('chat', 'callback');
// Levels chosen so that agents often qualify: required 0..3, held 0..5 (a missing skill never qualifies).
const requiredSkillsArb = fc.record(
  { s1: fc.integer({ min: 0, max: 3 }), s2: fc.integer({ min: 0, max: 3 }) },
  { requiredKeys: [] },
);
const agentSkillsArb = fc.record(
  { s1: fc.integer({ min: 0, max: 5 }), s2: fc.integer({ min: 0, max: 5 }) },
  { requiredKeys: ['s1'] },
);

const agentArb = (agentId: string): fc.Arbitrary<RoutingAgent> =>
  fc.record({
    agentId: fc.constant(agentId),
    status: fc.record({
      state: fc.constantFrom('LoggedOut', 'NotReady', 'Ready', 'AfterChatWork', 'Ready', 'Ready' as const),
      reasonCode: fc.constant(null),
      afterChatWork: fc.boolean(),
      idleSince: fc.integer({ min: 0, max: 4 }), // small range: idle ties are common
    }),
    groups: fc.subarray(GROUPS, { minLength: 1 }),
    skills: agentSkillsArb,
    capacity: fc.record({ chat: fc.integer({ min: 0, max: 3 }), callback: fc.integer({ min: 0, max: 2 }) }),
    active: fc.record({ chat: fc.integer({ min: 0, max: 2 }), callback: fc.integer({ min: 0, max: 1 }) }),
  });

const queuesArb: fc.Arbitrary<Map<string, QueueDef>> = fc
  .tuple(
    ...['q1', 'q2', 'q3'].map((name) =>
      fc.record({
        name: fc.constant(name),
        channels: fc.constant<Channel[]>(['chat', 'callback']),
        groups: fc.subarray(GROUPS, { minLength: 1 }),
        requiredSkills: requiredSkillsArb,
      }),
    ),
  )
  .map((defs) => new Map(defs.map((d) => [d.name, d])));

const waitingArb = (interactionId: string): fc.Arbitrary<WaitingInteraction> =>
  fc.record({
    interactionId: fc.constant(interactionId),
    queue: fc.constantFrom('q1', 'q2', 'q3', 'q1', 'unknown'),
    channel: channelArb,
    priority: fc.integer({ min: 0, max: 3 }),
    enqueuedAt: fc.integer({ min: 0, max: 20 }),
    offeredTo: fc.oneof(
      { arbitrary: fc.constant(null), weight: 4 },
      { arbitrary: fc.constantFrom(...AGENT_IDS), weight: 1 },
    ),
    excluded: fc.dictionary(fc.constantFrom(...AGENT_IDS), fc.integer({ min: 0, max: 20 }), { maxKeys: 3 }),
  });

const worldArb = fc.record({
  agents: fc
    .subarray(AGENT_IDS)
    .chain((ids) => fc.tuple(...ids.map(agentArb)))
    .map((a) => [...a]),
  queues: queuesArb,
  waiting: fc
    .integer({ min: 0, max: 12 })
    .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => waitingArb(`i${i}`))))
    .map((w) => [...w]),
  now: fc.integer({ min: 0, max: 20 }),
});

function canTake(
  a: RoutingAgent,
  w: WaitingInteraction,
  queues: Map<string, QueueDef>,
  now: number,
): boolean {
  const q = queues.get(w.queue);
  return (
    q !== undefined &&
    a.status.state === 'Ready' &&
    isEligible(a, q, w.channel) &&
    !isExcluded(w, a.agentId, now)
  );
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A straightforward reference, written apart from `route`: the first interaction in order that some agent can take. */
function referenceRoute(
  waiting: WaitingInteraction[],
  agents: RoutingAgent[],
  queues: Map<string, QueueDef>,
  now: number,
): Assignment[] {
  const used = new Map<string, number>();
  const key = (id: string, c: Channel) => `${id}/${c}`;
  const out: Assignment[] = [];
  for (const w of waiting
    .filter((x) => x.offeredTo === null)
    .sort(
      (x, y) =>
        y.priority - x.priority || x.enqueuedAt - y.enqueuedAt || cmp(x.interactionId, y.interactionId),
    )) {
    const best = agents
      .filter(
        (a) =>
          canTake(a, w, queues, now) && freeSeats(a, w.channel) > (used.get(key(a.agentId, w.channel)) ?? 0),
      )
      .sort((x, y) => x.status.idleSince - y.status.idleSince || cmp(x.agentId, y.agentId))[0];
    if (best === undefined) continue;
    used.set(key(best.agentId, w.channel), (used.get(key(best.agentId, w.channel)) ?? 0) + 1);
    out.push({ interactionId: w.interactionId, agentId: best.agentId });
  }
  return out;
}

describe('route (properties)', () => {
  it('runs on worlds where routing has real choices to make', () => {
    // Guards the generators: the properties below would pass vacuously if nothing ever routed.
    const sizes = fc
      .sample(worldArb, { numRuns: 400, seed: 42 })
      .map((w) => route(w.waiting, w.agents, w.queues, w.now).length);
    expect(sizes.filter((n) => n >= 2).length).toBeGreaterThan(40);
  });

  it('never assigns to an ineligible, not-Ready, excluded or full agent, nor an interaction twice', () => {
    fc.assert(
      fc.property(worldArb, ({ agents, queues, waiting, now }) => {
        const result = route(waiting, agents, queues, now);
        const byId = new Map(agents.map((a) => [a.agentId, a]));
        const items = new Map(waiting.map((w) => [w.interactionId, w]));
        const seats = new Map<string, number>();
        const seen = new Set<string>();
        for (const { interactionId, agentId } of result) {
          expect(seen.has(interactionId)).toBe(false);
          seen.add(interactionId);
          const w = items.get(interactionId)!;
          const a = byId.get(agentId)!;
          expect(w.offeredTo).toBeNull();
          expect(canTake(a, w, queues, now)).toBe(true);
          const k = `${agentId}/${w.channel}`;
          seats.set(k, (seats.get(k) ?? 0) + 1);
          expect(seats.get(k)!).toBeLessThanOrEqual(freeSeats(a, w.channel));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('is deterministic and independent of input order', () => {
    fc.assert(
      fc.property(worldArb, fc.nat(), ({ agents, queues, waiting, now }, seed) => {
        const once = route(waiting, agents, queues, now);
        expect(route(waiting, agents, queues, now)).toEqual(once);
        const rotate = <T>(xs: T[]): T[] =>
          xs.length === 0 ? xs : [...xs.slice(seed % xs.length), ...xs.slice(0, seed % xs.length)];
        expect(route(rotate([...waiting].reverse()), rotate([...agents].reverse()), queues, now)).toEqual(
          once,
        );
      }),
      { numRuns: 300 },
    );
  });

  it('matches the reference policy (global order, longest idle, smallest id) and leaves nothing routable', () => {
    fc.assert(
      fc.property(worldArb, ({ agents, queues, waiting, now }) => {
        const result = route(waiting, agents, queues, now);
        expect(result).toEqual(referenceRoute(waiting, agents, queues, now));
        // Maximal: with the assigned seats taken and the assigned interactions offered, nothing more routes.
        const taken = new Map(result.map((r) => [r.interactionId, r.agentId]));
        const after = agents.map((a) => {
          const active = { ...a.active };
          for (const w of waiting) if (taken.get(w.interactionId) === a.agentId) active[w.channel] += 1;
          return { ...a, active };
        });
        const rest = waiting.map((w) => ({ ...w, offeredTo: taken.get(w.interactionId) ?? w.offeredTo }));
        expect(route(rest, after, queues, now)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
