import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { StoredEvent } from '@beckon/protocol';
import { RuleEngine } from './engine.js';
import type { ActionableEvent } from './actionable.js';
import { GWE_TEMPLATES, SHOP_EXAMPLES } from './fixtures/spec-examples.js';
import { mustCompile, replay, storedEvent, summary, T0 } from './fixtures/events.js';
import type { VisitState } from './visit-state.js';

const EXTRA = `package com.example
rule "seq-times" when sequence(event A as a times 2, event B with (data.v == a.data.v), event C) within 10m unless event X then emit "seq" end
rule "set-unless" cooldown 1m when all(event A in "K1", event B as b, event C times 2) within 5m unless event X then emit "set" data { v: b.data.v } end
rule "absence-alias" when event A as a followed by no event B with (data.v == a.data.v) for 2m then emit "abs" data { v: a.data.v } end
rule "windows" when event C where count(event A) within 1m >= 2 and count(event B distinct data.v) within 5m >= 2 then set fact seen = visit.eventCount emit "win" end
rule "either" when count(event * in "K2") within 1m >= 3 or idle 45s or dwell 90s then emit "either" data { n: fact.seen } end
rule "bad-math" when event D where number(last.data.v) / 0 == null and lower(last.data.v) == upper(last.data.v) then emit "math" end
`;
const ALL = [mustCompile(GWE_TEMPLATES), mustCompile(SHOP_EXAMPLES), mustCompile(EXTRA)];
const engine = () => new RuleEngine({ packages: ALL, domainSeparation: true });

const eventArb = fc.record({
  gap: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 400 })),
  name: fc.constantFrom(
    'PageEntered',
    'PageExited',
    'A',
    'B',
    'C',
    'D',
    'X',
    'AddToCart',
    'Checkout',
    'Search',
    'ResultClick',
    'Timeout-30',
  ),
  cats: fc.subarray([
    'K1',
    'K2',
    'Loans',
    'Checkout',
    'Products',
    'Pricing',
    'PlanBasic',
    'PlanPro',
    'PlanEnterprise',
  ]),
  page: fc.constantFrom('P1', 'P2', 'P3'),
  v: fc.oneof(fc.constantFrom('1', '2', 3, null), fc.string({ maxLength: 3 })),
  host: fc.constantFrom('shop.example.com', 'example.com', 'other.org', ''),
});
const streamArb = fc.array(eventArb, { maxLength: 80 }).map((specs) => {
  let at = 0;
  return specs.map((s, i) => {
    at += s.gap;
    return storedEvent({
      at,
      name: s.name,
      cats: s.cats,
      page: s.page,
      url: s.host ? `https://${s.host}/p/${i % 7}` : 'nonsense',
      data: { v: s.v, productPrice: '1500', searchString: 'q' },
      id: `EV${String(i).padStart(6, '0')}`,
    });
  });
});

/** Largest list held by any component of the visit. */
const largestList = (vs: VisitState): number => {
  let max = 0;
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) {
      max = Math.max(max, v.length);
      v.forEach(walk);
    } else if (v !== null && typeof v === 'object') Object.values(v).forEach(walk);
  };
  for (const [, st] of vs.comps) walk(st);
  return max;
};

describe('engine properties', () => {
  it('random streams never crash and partial matches stay bounded', () => {
    fc.assert(
      fc.property(streamArb, (events) => {
        const { state } = replay(engine(), events, { until: 100_000 });
        // flat lists hold up to 64 entries of at most 4 fields
        expect(largestList(state)).toBeLessThanOrEqual(64 * 4);
      }),
      { numRuns: 200 },
    );
  });

  it('same result one by one (timers on time), batched (timers late) and through snapshots', () => {
    fc.assert(
      fc.property(streamArb, (events) => {
        const a = replay(engine(), events, { until: 50_000 }).out;
        const e2 = engine();
        const vs = e2.newVisit('V1', 'G1');
        const b: ActionableEvent[] = [];
        for (const ev of events) b.push(...e2.onEvent(vs, ev));
        b.push(...e2.fireTimers(vs, T0 + 50_000_000));
        expect(b).toEqual(a);
        // a snapshot after every event, restored by a fresh engine
        let json: string | null = null;
        const c: ActionableEvent[] = [];
        for (const ev of events) {
          const e3 = engine();
          const st: VisitState = json === null ? e3.newVisit('V1', 'G1') : e3.restore(json);
          let d = e3.nextDeadline(st);
          while (d !== null && d < ev.receivedAt) {
            c.push(...e3.fireTimers(st, d));
            d = e3.nextDeadline(st);
          }
          c.push(...e3.onEvent(st, ev));
          json = e3.serialize(st);
        }
        const e4 = engine();
        if (json !== null) c.push(...e4.fireTimers(e4.restore(json), T0 + 50_000_000));
        expect(c).toEqual(a);
      }),
      { numRuns: 150 },
    );
  });

  it('same result when a visit outlives 2^30 ms and its time base moves in the middle of the stream', () => {
    // relative times stay under 2^30 ms; a visit that runs longer moves its base and every stored time
    const BOUNDARY = 2 ** 30;
    const run = (shift: number, events: StoredEvent[]): unknown[] => {
      const primer = storedEvent({ at: 0, name: 'Primer', id: 'EV-PRIMER' });
      const moved = events.map((e) => ({
        ...e,
        receivedAt: e.receivedAt + shift,
        timestamp: e.timestamp + shift,
      }));
      const { out } = replay(engine(), [primer, ...moved], { until: (shift + 50_000_000) / 1000 });
      return out
        .filter((a) => a.timestamp >= T0 + shift)
        .map((a) => [a.ruleId, a.name, a.timestamp - shift, a.triggeringEventIDs, a.data]);
    };
    fc.assert(
      fc.property(streamArb, (events) => {
        const near = run(86_400_000, events);
        // the base moves about 1,000 s into the stream, with the state of the events before it
        expect(run(BOUNDARY - 1_000_000, events)).toEqual(near);
        // past 2^31 ms: the base moves at the first event after the primer
        expect(run(2 * BOUNDARY - 1_000_000, events)).toEqual(near);
      }),
      { numRuns: 150 },
    );
  });
});

describe('engine behaviour', () => {
  it('timers keep their deadlines when the time base moves', () => {
    const e = new RuleEngine({
      packages: [
        mustCompile(
          'package default\nrule "d" when dwell 90s then emit "dwell" end\nrule "i" when idle 60s then emit "idle" end',
        ),
      ],
    });
    const B = 2 ** 30 / 1000;
    const { out } = replay(
      e,
      [
        storedEvent({ at: 0, name: 'PageEntered', page: 'P0' }),
        storedEvent({ at: 10, name: 'PageExited', page: 'P0' }),
        storedEvent({ at: B - 30, name: 'PageEntered', page: 'P1' }),
        storedEvent({ at: B + 10, name: 'Click', page: 'P1' }),
      ],
      { until: B + 200 },
    );
    expect(summary(out).map(([name, at]) => [name, Math.round((at - B) * 1000) / 1000])).toEqual([
      ['dwell', 60],
      ['idle', 70],
    ]);
  });

  it('bounds partial matches at 64 per rule and counts the drops', () => {
    const e = new RuleEngine({
      packages: [
        mustCompile(
          'package default\nrule "s" when sequence(event A as a, event B) within 1h then emit "x" data { first: a.pageID } end',
        ),
      ],
    });
    const events = Array.from({ length: 100 }, (_, i) => storedEvent({ at: i, name: 'A', page: `P${i}` }));
    const b = storedEvent({ at: 200, name: 'B' });
    const vs = e.newVisit('V1', 'G1');
    for (const ev of events) e.onEvent(vs, ev);
    expect(largestList(vs)).toBe(64);
    expect(e.stats().droppedPartialMatches).toBe(36);
    const out = e.onEvent(vs, b);
    // one firing for all completions; the most recent partial match (the shortest match) is reported
    expect(out.map((a) => [a.triggeringEventIDs, a.data])).toEqual([
      [[events[99]?.eventID, b.eventID], { first: 'P99' }],
    ]);
    expect(vs.comps.size).toBe(0);
  });

  it('keeps one partial match per progress state when the steps bind no alias', () => {
    const e = new RuleEngine({
      packages: [
        mustCompile(
          'package default\nrule "s" when sequence(event A, event B, event C) within 1h then emit "x" end',
        ),
      ],
    });
    const vs = e.newVisit('V1', 'G1');
    const evs = [
      ...Array.from({ length: 50 }, (_, i) => storedEvent({ at: i, name: 'A' })),
      storedEvent({ at: 60, name: 'B' }),
      storedEvent({ at: 61, name: 'A' }),
    ];
    for (const ev of evs) e.onEvent(vs, ev);
    expect((vs.comps.get(0) as unknown[]).length).toBe(2);
    const out = e.onEvent(vs, storedEvent({ at: 70, name: 'C', id: 'CCCCCCCC' }));
    expect(out[0]?.triggeringEventIDs).toEqual([evs[49]?.eventID, evs[50]?.eventID, 'CCCCCCCC']);
  });

  it('a false guard discards the completion only; count windows keep checking', () => {
    const e = new RuleEngine({
      packages: [
        mustCompile(
          'package default\nrule "c" when count(event A) within 1m >= 2 where data.ok == true then emit "x" end'.replace(
            'data.ok',
            'last.data.ok',
          ),
        ),
      ],
    });
    const out = replay(e, [
      storedEvent({ at: 0, name: 'A' }),
      storedEvent({ at: 1, name: 'A', data: { ok: false } }),
      storedEvent({ at: 2, name: 'A', data: { ok: true } }),
    ]).out;
    expect(summary(out)).toEqual([['x', 2]]);
  });

  it('hot reload keeps state when the when-part is unchanged and resets it otherwise', () => {
    const v1 = 'package default\nrule "s" when sequence(event A, event B) within 1h then emit "v1" end';
    const v2 =
      'package default\nrule "s" when sequence(event A, event B) within 1h where true then emit "v2" end';
    const v3 = 'package default\nrule "s" when sequence(event A, event B) within 2h then emit "v3" end';
    const e = new RuleEngine({ packages: [mustCompile(v1)] });
    const vs = e.newVisit('V1', 'G1');
    e.onEvent(vs, storedEvent({ at: 0, name: 'A' }));
    e.setPackages([mustCompile(v2)]);
    expect(summary(e.onEvent(vs, storedEvent({ at: 1, name: 'B' })))).toEqual([['v2', 1]]);
    e.onEvent(vs, storedEvent({ at: 2, name: 'A' }));
    e.setPackages([mustCompile(v3)]);
    expect(e.onEvent(vs, storedEvent({ at: 3, name: 'B' }))).toEqual([]);
  });

  it('refraction records survive a reload while the rule id exists', () => {
    const v1 = 'package default\nrule "o" once per visit when event A then emit "x" end';
    const e = new RuleEngine({ packages: [mustCompile(v1)] });
    const vs = e.newVisit('V1', 'G1');
    expect(e.onEvent(vs, storedEvent({ at: 0, name: 'A' }))).toHaveLength(1);
    e.setPackages([mustCompile(v1.replace('event A', 'event A in "K"'))]);
    expect(e.onEvent(vs, storedEvent({ at: 1, name: 'A', cats: ['K'] }))).toEqual([]);
  });

  it('drops window state after the largest window without timers; facts stay', () => {
    const e = new RuleEngine({
      packages: [
        mustCompile(
          'package default\nrule "c" when count(event A) within 1m >= 3 then set fact f = 1 end\nrule "d" when event A then set fact g = 2 end',
        ),
      ],
    });
    const vs = e.newVisit('V1', 'G1');
    e.onEvent(vs, storedEvent({ at: 0, name: 'A' }));
    expect(vs.comps.size).toBe(1);
    expect(e.expire(vs, T0 + 30_000)).toBe(false);
    expect(e.expire(vs, T0 + 61_000)).toBe(true);
    expect(vs.comps.size).toBe(0);
    expect(vs.facts).toEqual({ g: 2 });
  });

  it('time never goes backwards within a visit', () => {
    const e = new RuleEngine({
      packages: [
        mustCompile('package default\nrule "c" when count(event A) within 10s >= 2 then emit "x" end'),
      ],
    });
    const late: StoredEvent = { ...storedEvent({ at: 0, name: 'A' }), receivedAt: T0 - 60_000 };
    const out = replay(e, [storedEvent({ at: 100, name: 'A' }), late]).out;
    expect(summary(out)).toEqual([['x', 100]]);
  });

  it('serialized state of a busy visit stays compact', () => {
    const e = new RuleEngine({ packages: ALL.slice(0, 2), domainSeparation: true });
    const events = Array.from({ length: 200 }, (_, i) =>
      storedEvent({
        at: i * 10,
        name: ['PageEntered', 'A', 'B', 'Search'][i % 4] as string,
        cats: i % 3 ? ['K2'] : [],
        page: `P${i % 5}`,
      }),
    );
    const { state } = replay(e, events);
    expect(e.serialize(state).length).toBeLessThan(1024);
  });
});
