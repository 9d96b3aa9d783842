import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Component } from './compile.js';
import { consumeBranch } from './components.js';
import { consumeCountAt } from './flat-matchers.js';
import { mustCompile } from './fixtures/events.js';
import { SlotCodec, SlotMap } from './slot-map.js';

const pkg = mustCompile(`package default
rule "plain" when count(event A) within 5m >= 3 then emit "p" end
rule "distinct" when count(event A distinct data.v) within 5m >= 3 then emit "d" end
`);
const counts = pkg.rules.map((r) => r.comps[0] as Extract<Component, { kind: 'count' }>);

describe('in-place matchers', () => {
  it('consumeCountAt leaves exactly what consumeBranch leaves, for any cutoff', () => {
    // records in arrival order: increasing positions, as the count matcher appends them
    const stateArb = fc
      .array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 12 })
      .map((gaps) => gaps.reduce<number[]>((ns, g) => [...ns, (ns.at(-1) ?? 0) + g], []));
    fc.assert(
      fc.property(fc.constantFrom(0, 1), stateArb, fc.integer({ min: 0, max: 70 }), (which, ns, cutoff) => {
        const comp = counts[which] as (typeof counts)[number];
        const state = ns.flatMap((n) =>
          comp.distinct === null ? [n * 10, n, `E${n}`] : [`v${n}`, n * 10, n, `E${n}`],
        );
        const map = new SlotMap();
        map.set(3, state, SlotCodec.FLAT);
        map.set(7, [1, 2, 3], SlotCodec.FLAT);
        consumeCountAt(comp, map, 3, cutoff);
        expect(map.get(3)).toEqual(consumeBranch(comp, state, cutoff));
        expect(map.get(7)).toEqual([1, 2, 3]);
      }),
      { numRuns: 500 },
    );
  });
});
