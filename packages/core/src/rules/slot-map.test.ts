import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SlotCodec, SlotMap } from './slot-map.js';

const CODECS = [SlotCodec.BOX, SlotCodec.FLAT, SlotCodec.SEQ, SlotCodec.SEQ_NB, SlotCodec.FLAT_NB];
const codecOf = (slot: number): SlotCodec => CODECS[slot % CODECS.length] as SlotCodec;

/** A state in its decoded form; the `_NB` codecs' bindings are `null`, as without aliases. */
const valueFor = (slot: number, n: number): unknown => {
  const codec = codecOf(slot);
  if (codec === SlotCodec.BOX) return n % 2 === 0 ? n : { t: n, i: `E${n}` };
  if (codec === SlotCodec.FLAT)
    return Array.from({ length: 1 + (n % 9) }, (_, i) => (i % 2 ? `id${i}` : i + n));
  if (codec === SlotCodec.FLAT_NB)
    return [null, ...Array.from({ length: 1 + (n % 3) }, (_, r) => [r % 2, n + r, r + 1, `E${r}`]).flat()];
  const binds = codec === SlotCodec.SEQ ? { a: n } : null;
  return Array.from({ length: 1 + (n % 4) }, (_, p) =>
    [p, 0, n, p + 1, p % 2 ? binds : null, `E${p}`, `F${n}`].slice(0, 5 + (p % 3)),
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

  it('leaves null bindings out of the packed form of the _NB codecs and puts them back', () => {
    const map = new SlotMap();
    map.set(1, [[0, 1, 100, 7, null, 'E7']], SlotCodec.SEQ);
    map.set(2, [[0, 1, 100, 7, null, 'E7']], SlotCodec.SEQ_NB);
    map.set(3, [null, 0, 100, 7, 'E7'], SlotCodec.FLAT);
    map.set(4, [null, 0, 100, 7, 'E7'], SlotCodec.FLAT_NB);
    expect([1, 2, 3, 4].map((slot) => map.lengthAt(map.locate(slot)))).toEqual([7, 6, 5, 4]);
    expect(map.get(2)).toEqual(map.get(1));
    expect(map.get(4)).toEqual(map.get(3));
    // a set with no records left is no state
    map.set(4, [null], SlotCodec.FLAT_NB);
    expect(map.get(4)).toBeUndefined();
    expect(map.size).toBe(3);
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
