/**
 * A small map from component slot to state, stored as one sorted flat array `[slot, state, …]` of exact size.
 * A visit holds a few dozen component states; a `Map` would cost ~40 bytes per entry plus spare capacity, this
 * costs 16 bytes per entry, which is what keeps a visit with 100 rules small (spec/rules.md §12). Deleting leaves
 * a hole (`undefined` state) in place: states come and go on the same slots (a count fires and is consumed, then
 * starts again), and refilling a hole needs no reallocation of the whole array. Holes are compacted when they
 * pile up ({@link SlotMap.compact}).
 */

const NONE: readonly unknown[] = Object.freeze([]);
/** Holes tolerated before `compact` rebuilds the array. */
const MAX_HOLES = 8;

export class SlotMap {
  private a: readonly unknown[] = NONE;
  private holes = 0;

  private find(slot: number): number {
    const a = this.a;
    let lo = 0;
    let hi = (a.length >> 1) - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = a[mid * 2] as number;
      if (s === slot) return mid * 2;
      if (s < slot) lo = mid + 1;
      else hi = mid - 1;
    }
    return -(lo * 2) - 1;
  }

  get(slot: number): unknown {
    const i = this.find(slot);
    return i >= 0 ? this.a[i + 1] : undefined;
  }

  set(slot: number, state: unknown): void {
    if (state === undefined) return this.delete(slot);
    const i = this.find(slot);
    if (i >= 0) {
      if (this.a[i + 1] === undefined) this.holes--;
      (this.a as unknown[])[i + 1] = state;
      return;
    }
    const at = -i - 1;
    const a = this.a;
    const next = new Array<unknown>(a.length + 2);
    for (let j = 0; j < at; j++) next[j] = a[j];
    next[at] = slot;
    next[at + 1] = state;
    for (let j = at; j < a.length; j++) next[j + 2] = a[j];
    this.a = next;
  }

  delete(slot: number): void {
    const i = this.find(slot);
    if (i < 0 || this.a[i + 1] === undefined) return;
    (this.a as unknown[])[i + 1] = undefined;
    this.holes++;
  }

  /** Drops the holes when there are more than a few (or all entries are holes). */
  compact(): void {
    const a = this.a;
    const live = (a.length >> 1) - this.holes;
    if (this.holes === 0 || (this.holes <= MAX_HOLES && live > 0)) return;
    this.holes = 0;
    if (live === 0) {
      this.a = NONE;
      return;
    }
    const next = new Array<unknown>(live * 2);
    for (let j = 0, o = 0; j < a.length; j += 2) {
      if (a[j + 1] === undefined) continue;
      next[o++] = a[j];
      next[o++] = a[j + 1];
    }
    this.a = next;
  }

  /** Number of slots with a state. */
  get size(): number {
    return (this.a.length >> 1) - this.holes;
  }

  clear(): void {
    this.a = NONE;
    this.holes = 0;
  }

  /** The raw sorted `[slot, state, …]` array (states may be `undefined`); read-only, for merge walks. */
  raw(): readonly unknown[] {
    return this.a;
  }

  /** Calls `fn` for each entry with a state, in slot order; `fn` may set or delete entries. */
  forEach(fn: (state: unknown, slot: number) => void): void {
    const a = this.a;
    for (let j = 0; j < a.length; j += 2) if (a[j + 1] !== undefined) fn(a[j + 1], a[j] as number);
  }

  *[Symbol.iterator](): IterableIterator<[number, unknown]> {
    const a = this.a;
    for (let j = 0; j < a.length; j += 2) if (a[j + 1] !== undefined) yield [a[j] as number, a[j + 1]];
  }
}
