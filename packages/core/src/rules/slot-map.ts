/**
 * A small map from component slot to state, stored as one sorted flat array `[slot, state, …]` of exact size.
 * A visit holds a few dozen component states; a `Map` would cost ~40 bytes per entry plus spare capacity, this
 * costs 16 bytes per entry, which is what keeps a visit with 100 rules under 1 KB (spec/rules.md §12).
 */

const NONE: readonly unknown[] = Object.freeze([]);

export class SlotMap {
  private a: readonly unknown[] = NONE;

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
    const i = this.find(slot);
    if (i >= 0) {
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
    if (i < 0) return;
    const a = this.a;
    this.a = a.length === 2 ? NONE : a.slice(0, i).concat(a.slice(i + 2));
  }

  get size(): number {
    return this.a.length >> 1;
  }

  clear(): void {
    this.a = NONE;
  }

  /** Calls `fn` for each entry in slot order; `fn` may set or delete entries. */
  forEach(fn: (state: unknown, slot: number) => void): void {
    const a = this.a;
    for (let j = 0; j < a.length; j += 2) fn(a[j + 1], a[j] as number);
  }

  *[Symbol.iterator](): IterableIterator<[number, unknown]> {
    const a = this.a;
    for (let j = 0; j < a.length; j += 2) yield [a[j] as number, a[j + 1]];
  }
}
