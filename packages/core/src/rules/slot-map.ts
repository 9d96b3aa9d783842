/**
 * The component states of one visit, packed into one flat array of segments `[header, …payload]`
 * in slot order (spec/rules.md §12). A state kept as its own array costs ~48 bytes of headers and, being replaced
 * on every change, survives young-generation GC only to become old-generation garbage; a visit holds a few dozen
 * of them. Packed, a visit has one array for all its rules, updated in place (same length: overwritten; other
 * length: the tail moves), and `get` hands out a short-lived copy in the shape the matchers use.
 *
 * Codecs: `BOX` keeps the value as one element (numbers, small objects); `FLAT` copies an array of scalars;
 * `SEQ` stores an array of arrays (sequence partial matches) as `[length, …items]` records. Boxed states (the
 * timers: absence, idle, dwell) live apart in a short sorted `[slot, value, …]` array, because the next-deadline
 * check reads them after every event; a deleted one leaves a hole (`undefined`) that the same slot refills.
 */

/**
 * How a state is stored in its segment. `SEQ_NB` and `FLAT_NB` are the forms of sequences and sets without aliases:
 * their bindings are always `null`, so the packed form leaves them out (a sequence record loses its bindings field,
 * a set its leading one) and `get` puts the `null` back.
 */
export const SlotCodec = { BOX: 0, FLAT: 1, SEQ: 2, SEQ_NB: 3, FLAT_NB: 4 } as const;
export type SlotCodec = (typeof SlotCodec)[keyof typeof SlotCodec];

/** Packed form of each codec in a segment header (2 bits); `BOX` has no segment. */
const FORM = [0, 0, 1, 2, 3] as const;
/** Position of the bindings in a decoded sequence partial match `[step, count, t, n, bindings, …ids]`. */
const PM_BINDS = 4;

const NONE: readonly unknown[] = Object.freeze([]);

/**
 * Segment header: `slot · 2^18 + length · 4 + form` (form: 0 flat, 1 sequence, 2 sequence without bindings, 3 flat
 * without leading bindings), a small integer for up to 8,192 slots (beyond, an exact double). Lengths stay under
 * 2^16: a sequence holds at most 64 partial matches of at most 70 fields, a set at most 16 × 1,000 records of 4.
 */
const header = (slot: number, len: number, codec: SlotCodec): number => slot * 262144 + len * 4 + FORM[codec];
const slotOf = (h: number): number => Math.floor(h / 262144);
const lenOf = (h: number): number => Math.floor(h / 4) % 65536;
const formOf = (h: number): number => h % 4;

/**
 * Memo of the last lookup, so ascending lookups (rules in rank order) walk forward only. One for all maps, keyed by
 * the backing array it was taken on: an evaluation touches one visit at a time, and a field pair per visit would
 * cost 16 bytes each. Any change of positions clears it.
 */
let memoArr: readonly unknown[] | null = null;
let memoSlot = -1;
let memoPos = 0;

export class SlotMap {
  /** Segments in `[0, used)`; the rest is spare capacity (kept small: `a.length` is the capacity). */
  private a: unknown[] = NONE as unknown[];
  private used = 0;
  /** Boxed states: sorted `[slot, value, …]`, `undefined` value = hole. */
  private b: unknown[] = NONE as unknown[];

  /** Segment position of `slot`, or `-(insertion position) - 1`. */
  private find(slot: number): number {
    const a = this.a;
    const used = this.used;
    let j = 0;
    if (memoArr === a && slot >= memoSlot) j = memoPos;
    while (j < used) {
      const h = a[j] as number;
      const s = slotOf(h);
      if (s >= slot) {
        memoArr = a;
        memoSlot = slot;
        memoPos = j;
        return s === slot ? j : -j - 1;
      }
      j += 1 + lenOf(h);
    }
    memoArr = a;
    memoSlot = slot;
    memoPos = j;
    return -j - 1;
  }

  private findBox(slot: number): number {
    const b = this.b;
    let lo = 0;
    let hi = (b.length >> 1) - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = b[mid * 2] as number;
      if (s === slot) return mid * 2;
      if (s < slot) lo = mid + 1;
      else hi = mid - 1;
    }
    return -(lo * 2) - 1;
  }

  /** The boxed states as sorted `[slot, value, …]` pairs (`undefined` value: a hole); read-only. */
  get boxes(): readonly unknown[] {
    return this.b;
  }

  /** A boxed state (of a component whose codec is `BOX`), without looking at the other segments. */
  getBox(slot: number): unknown {
    const i = this.findBox(slot);
    return i >= 0 ? this.b[i + 1] : undefined;
  }

  private setBox(slot: number, state: unknown): void {
    const i = this.findBox(slot);
    if (i >= 0) {
      if (this.b[i + 1] === undefined && state === undefined) return;
      this.b[i + 1] = state;
      return;
    }
    if (state === undefined) return;
    const at = -i - 1;
    const b = this.b;
    const next = new Array<unknown>(b.length + 2);
    for (let j = 0; j < at; j++) next[j] = b[j];
    next[at] = slot;
    next[at + 1] = state;
    for (let j = at; j < b.length; j++) next[j + 2] = b[j];
    this.b = next;
  }

  get(slot: number): unknown {
    const box = this.getBox(slot);
    if (box !== undefined) return box;
    const j = this.find(slot);
    if (j < 0) return undefined;
    const a = this.a;
    const h = a[j] as number;
    const len = lenOf(h);
    const form = formOf(h);
    if (form === 0 || form === 3) {
      // flat, or a set without its leading `null` bindings
      const lead = form === 3 ? 1 : 0;
      const out = new Array<unknown>(lead + len);
      if (lead === 1) out[0] = null;
      for (let x = 0; x < len; x++) out[lead + x] = a[j + 1 + x];
      return out;
    }
    const nb = form === 2 ? 1 : 0;
    let items = 0;
    for (let x = j + 1; x < j + 1 + len; x += 1 + (a[x] as number)) items++;
    const out = new Array<unknown[]>(items);
    for (let x = j + 1, o = 0; o < items; o++) {
      const n = a[x] as number;
      const item = new Array<unknown>(n + nb);
      for (let y = 0, w = 0; y < n; y++, w++) {
        if (w === PM_BINDS && nb === 1) item[w++] = null;
        item[w] = a[x + 1 + y];
      }
      if (nb === 1 && n <= PM_BINDS) item[PM_BINDS] = null;
      out[o] = item;
      x += 1 + n;
    }
    return out;
  }

  /**
   * Header position of `slot`'s segment, or a negative number when it has none (boxed states are not segments).
   * The payload is `raw[pos + 1 …]`, {@link lengthAt} elements; positions are valid until the next write.
   */
  locate(slot: number): number {
    return this.find(slot);
  }

  /** The backing array, for in-place reads and same-length writes at {@link locate}d positions. */
  get raw(): unknown[] {
    return this.a;
  }

  /** Payload length of the segment whose header is at `pos`. */
  lengthAt(pos: number): number {
    return lenOf(this.a[pos] as number);
  }

  /** Slot of the segment whose header is at `pos`. */
  slotAt(pos: number): number {
    return slotOf(this.a[pos] as number);
  }

  /** End of the segments: headers are found by walking from 0 by `1 + lengthAt(pos)` up to here. */
  get end(): number {
    return this.used;
  }

  /**
   * Stores the first `len` elements of `src` as the state's packed form (`len` 0 deletes): the list itself for
   * `FLAT`, without the leading bindings for `FLAT_NB`, `[length, …item]` records for `SEQ` (without the bindings
   * field for `SEQ_NB`).
   */
  setFlat(slot: number, src: readonly unknown[], len: number, codec: SlotCodec = SlotCodec.FLAT): void {
    if (len === 0) return this.delete(slot);
    let j = this.find(slot);
    if (j >= 0) this.resize(j + 1, lenOf(this.a[j] as number), len);
    else {
      j = -j - 1;
      this.resize(j, 0, len + 1);
    }
    const a = this.a;
    a[j] = header(slot, len, codec);
    for (let x = 0; x < len; x++) a[j + 1 + x] = src[x];
  }

  /** Stores `state` (`undefined` deletes) with `codec` (fixed per component kind). */
  set(slot: number, state: unknown, codec: SlotCodec): void {
    if (codec === SlotCodec.BOX) return this.setBox(slot, state);
    if (state === undefined) return this.delete(slot);
    const flat = codec === SlotCodec.FLAT || codec === SlotCodec.FLAT_NB;
    /** Elements of the decoded form left out of the packed one: the set's leading or each record's bindings. */
    const nb = codec === SlotCodec.FLAT_NB || codec === SlotCodec.SEQ_NB ? 1 : 0;
    let len = 0;
    if (flat) len = (state as unknown[]).length - nb;
    else for (const item of state as unknown[][]) len += 1 + item.length - nb;
    if (len === 0) return this.delete(slot);
    let j = this.find(slot);
    if (j >= 0) this.resize(j + 1, lenOf(this.a[j] as number), len);
    else {
      j = -j - 1;
      this.resize(j, 0, len + 1);
    }
    const a = this.a;
    a[j] = header(slot, len, codec);
    if (flat) {
      const s = state as unknown[];
      for (let x = 0; x < len; x++) a[j + 1 + x] = s[nb + x];
    } else {
      let o = j + 1;
      for (const item of state as unknown[][]) {
        a[o++] = item.length - nb;
        for (let y = 0; y < item.length; y++) if (nb === 0 || y !== PM_BINDS) a[o++] = item[y];
      }
    }
  }

  delete(slot: number): void {
    if (this.getBox(slot) !== undefined) return this.setBox(slot, undefined);
    const j = this.find(slot);
    if (j < 0) return;
    this.resize(j, 1 + lenOf(this.a[j] as number), 0);
  }

  /**
   * Makes the `from`-element region at `at` `to` elements long, moving the tail: in place while the capacity
   * allows, else into a new array with an eighth of spare room (not the 50 % of `push`).
   */
  private resize(at: number, from: number, to: number): void {
    if (from === to) return;
    memoArr = null;
    const a = this.a;
    const used = this.used;
    const need = used + to - from;
    this.used = need;
    if (need > a.length || a.length - need > 32 + (need >> 2)) {
      const b = new Array<unknown>(need + (need >> 3) + 4);
      for (let x = 0; x < at; x++) b[x] = a[x];
      for (let x = at + from, y = at + to; x < used; x++, y++) b[y] = a[x];
      this.a = b;
      return;
    }
    const d = to - from;
    if (d > 0) for (let x = used - 1; x >= at + from; x--) a[x + d] = a[x];
    else {
      for (let x = at + from; x < used; x++) a[x + d] = a[x];
      for (let x = need; x < used; x++) a[x] = undefined;
    }
  }

  /** Number of slots with a state (a walk: asked when a visit may expire, not per event). */
  get size(): number {
    let n = 0;
    for (let j = 0; j < this.used; j += 1 + lenOf(this.a[j] as number)) n++;
    for (let j = 1; j < this.b.length; j += 2) if (this.b[j] !== undefined) n++;
    return n;
  }

  /** Takes over the entries of `other` (which must not be used afterwards). */
  replaceWith(other: SlotMap): void {
    this.a = other.a;
    this.b = other.b;
    this.used = other.used;
    memoArr = null;
  }

  clear(): void {
    this.a = NONE as unknown[];
    this.b = NONE as unknown[];
    this.used = 0;
    memoArr = null;
  }

  /** Slots with a state, in order. */
  slots(): number[] {
    const a = this.a;
    const b = this.b;
    const out: number[] = [];
    for (let j = 0; j < this.used; j += 1 + lenOf(a[j] as number)) out.push(slotOf(a[j] as number));
    for (let j = 0; j < b.length; j += 2) if (b[j + 1] !== undefined) out.push(b[j] as number);
    return out.sort((x, y) => x - y);
  }

  /** Calls `fn` for each entry, in slot order; `fn` may set or delete entries. */
  forEach(fn: (state: unknown, slot: number) => void): void {
    for (const slot of this.slots()) {
      const st = this.get(slot);
      if (st !== undefined) fn(st, slot);
    }
  }

  *[Symbol.iterator](): IterableIterator<[number, unknown]> {
    for (const slot of this.slots()) {
      const st = this.get(slot);
      if (st !== undefined) yield [slot, st];
    }
  }
}
