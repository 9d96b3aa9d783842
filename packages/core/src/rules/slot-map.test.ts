import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SlotCodec, SlotMap } from './slot-map.js';

const codecOf = (slot: number): SlotCodec =>
  slot % 3 === 0 ? SlotCodec.BOX : slot % 3 === 1 ? SlotCodec.FLAT : SlotCodec.SEQ;

const valueFor = (slot: number, n: number): unknown => {
  const codec = codecOf(slot);
  if (codec === SlotCodec.BOX) return n % 2 === 0 ? n : { t: n, i: `E${n}` };
  if (codec === SlotCodec.FLAT)
    return Array.from({ length: 1 + (n % 9) }, (_, i) => (i % 2 ? `id${i}` : i + n));
  return Array.from({ length: 1 + (n % 4) }, (_, p) =>
    [p, 0, n, p + 1, null, `E${p}`, `F${n}`].slice(0, 5 + (p % 3)),
  );
};

describe('SlotMap', () => {
  it('behaves like a Map of slot to state for every codec', () => {
    const op = fc.record({
      slot: fc.integer({ min: 0, max: 40 }),
      del: fc.boolean(),
      n: fc.integer({ min: 0, max: 1000 }),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const map = new SlotMap();
        const model = new Map<number, unknown>();
        for (const o of ops) {
          if (o.del) {
            map.delete(o.slot);
            model.delete(o.slot);
          } else {
            const v = valueFor(o.slot, o.n);
            map.set(o.slot, v, codecOf(o.slot));
            model.set(o.slot, v);
          }
          expect(map.size).toBe(model.size);
        }
        for (let slot = 0; slot <= 40; slot++) expect(map.get(slot)).toEqual(model.get(slot));
        expect([...map]).toEqual([...model.entries()].sort((a, b) => a[0] - b[0]));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps slots beyond the small-integer header range exact', () => {
    const map = new SlotMap();
    map.set(70_000, [1, 2, 3], SlotCodec.FLAT);
    map.set(5, [[1, 2]], SlotCodec.SEQ);
    map.set(20_000, 7, SlotCodec.BOX);
    expect([...map]).toEqual([
      [5, [[1, 2]]],
      [20_000, 7],
      [70_000, [1, 2, 3]],
    ]);
    map.delete(5);
    expect(map.get(70_000)).toEqual([1, 2, 3]);
    map.clear();
    expect(map.size).toBe(0);
  });
});
