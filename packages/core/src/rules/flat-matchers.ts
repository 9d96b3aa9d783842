/**
 * In-place matchers for the components whose state is a flat list (count windows, expression windows, sets):
 * they read the state where it lies in the visit's `SlotMap` and write the new state once, through a scratch list,
 * so the hot path allocates nothing (spec/rules.md §12). Semantics are those of `components.ts` (§5, §8), which
 * keeps the reference versions used off the hot path (consumption, pruning, snapshots).
 */
import type { Component } from './compile.js';
import type { Completion, Counters } from './components.js';
import { bind, MAX_IDS, MAX_PARTIAL } from './components.js';
import type { EvalCtx } from './expr.js';
import { SlotCodec } from './slot-map.js';
import type { SlotMap } from './slot-map.js';
import type { RuleEvent } from './visit-state.js';

type WindowComponent = Extract<Component, { kind: 'window' }>;
type CountComponent = Extract<Component, { kind: 'count' }>;
type StepsComponent = Extract<Component, { steps: unknown }>;

/** Scratch lists: the new state is built here, then copied into the map (never re-entered). */
const OUT: unknown[] = [];
const KEPT: unknown[] = [];
const SET_NONE: readonly unknown[] = Object.freeze([null]);
const memberCounts: number[] = [];
/** Start of each record in `OUT` while a sequence state is rebuilt, and which of them are kept. */
const starts: number[] = [];
const keepMark = new Uint8Array(MAX_PARTIAL + 2);

/** The last `min` ids of a flat list of records (`stride` fields, the id last), newest last. */
function lastRecordIds(
  list: readonly unknown[],
  start: number,
  len: number,
  stride: number,
  min: number,
): string[] {
  const n = Math.min(min, MAX_IDS);
  const ids = new Array<string>(n);
  for (let j = start + len - n * stride, o = 0; o < n; j += stride, o++)
    ids[o] = list[j + stride - 1] as string;
  return ids;
}

/**
 * Count in window (§5): records `[t, n, id]` (or `[value, t, n, id]` with `distinct`) of the counted events. The
 * event has passed the filter. Returns the ids of the counted events when the count completes, else `null`.
 */
export function stepCountAt(
  comp: CountComponent,
  map: SlotMap,
  slot: number,
  ev: RuleEvent,
  rt: number,
  k: Counters,
): string[] | null {
  const from = rt - comp.withinMs;
  const j = map.locate(slot);
  const a = map.raw;
  const base = j + 1;
  const len = j >= 0 ? map.lengthAt(j) : 0;
  if (comp.distinct === null) {
    const full = comp.min * 3;
    if (j >= 0 && len === full && (full === 3 || (a[base + 3] as number) >= from)) {
      // steady state: the oldest record leaves, the new one enters, in place
      for (let x = base; x < base + full - 3; x++) a[x] = a[x + 3];
      a[base + full - 3] = rt;
      a[base + full - 2] = ev.n;
      a[base + full - 1] = ev.id;
      return lastRecordIds(a, base, full, 3, comp.min);
    }
    let start = 0;
    while (start < len && (a[base + start] as number) < from) start += 3;
    start = Math.max(start, len - (comp.min - 1) * 3);
    let o = 0;
    for (let x = start; x < len; x++) OUT[o++] = a[base + x];
    OUT[o++] = rt;
    OUT[o++] = ev.n;
    OUT[o++] = ev.id;
    map.setFlat(slot, OUT, o);
    return o < full ? null : lastRecordIds(OUT, 0, o, 3, comp.min);
  }
  const v = comp.distinct(ev);
  if (v === null) return null;
  let o = 0;
  for (let x = base; x < base + len; x += 4) {
    if (a[x] === v || (a[x + 1] as number) < from) continue;
    OUT[o++] = a[x];
    OUT[o++] = a[x + 1];
    OUT[o++] = a[x + 2];
    OUT[o++] = a[x + 3];
  }
  OUT[o++] = v;
  OUT[o++] = rt;
  OUT[o++] = ev.n;
  OUT[o++] = ev.id;
  let skip = 0;
  if (o > MAX_PARTIAL * 4) {
    skip = o - MAX_PARTIAL * 4;
    k.dropped += skip / 4;
    for (let x = skip; x < o; x++) OUT[x - skip] = OUT[x];
    o -= skip;
  }
  map.setFlat(slot, OUT, o);
  return o < comp.min * 4 ? null : lastRecordIds(OUT, 0, o, 4, comp.min);
}

/**
 * Consumption of a count (§8.6) in place: drops the records of events at or before position `cutoff`. Records are
 * in arrival order (a distinct value seen again moves to the end), so they are a prefix of the list; the usual
 * firing (`cutoff` = the completing event) drops them all. Same result as `consumeBranch`, without decoding.
 */
export function consumeCountAt(comp: CountComponent, map: SlotMap, slot: number, cutoff: number): void {
  const j = map.locate(slot);
  if (j < 0) return;
  const a = map.raw;
  const stride = comp.distinct === null ? 3 : 4;
  const base = j + 1;
  const len = map.lengthAt(j);
  let start = 0;
  while (start < len && (a[base + start + stride - 2] as number) <= cutoff) start += stride;
  if (start === 0) return;
  if (start >= len) return map.delete(slot);
  let o = 0;
  for (let x = base + start; x < base + len; x++) OUT[o++] = a[x];
  map.setFlat(slot, OUT, o);
}

/** Records an event into an expression window (`count(F) within D` in `where`/`with`): `[t]` or `[value, t]`. */
export function feedWindowAt(
  comp: WindowComponent,
  map: SlotMap,
  slot: number,
  ev: RuleEvent,
  rt: number,
  k: Counters,
): void {
  const from = rt - comp.withinMs;
  const j = map.locate(slot);
  const a = map.raw;
  const base = j + 1;
  const len = j >= 0 ? map.lengthAt(j) : 0;
  let o = 0;
  if (comp.distinct === null) {
    if (len >= MAX_PARTIAL && (a[base] as number) >= from) k.dropped++;
    let start = 0;
    while (start < len && (a[base + start] as number) < from) start++;
    start = Math.max(start, len - (MAX_PARTIAL - 1));
    for (let x = start; x < len; x++) OUT[o++] = a[base + x];
    OUT[o++] = rt;
  } else {
    const v = comp.distinct(ev);
    if (v === null) return;
    for (let x = base; x < base + len; x += 2) {
      if (a[x] === v || (a[x + 1] as number) < from) continue;
      OUT[o++] = a[x];
      OUT[o++] = a[x + 1];
    }
    OUT[o++] = v;
    OUT[o++] = rt;
    if (o > MAX_PARTIAL * 2) {
      const skip = o - MAX_PARTIAL * 2;
      k.dropped += skip / 2;
      for (let x = skip; x < o; x++) OUT[x - skip] = OUT[x];
      o -= skip;
    }
  }
  map.setFlat(slot, OUT, o);
}

/** Value of an expression window at relative time `now`. */
export function windowCountAt(comp: WindowComponent, map: SlotMap, slot: number, now: number): number {
  const j = map.locate(slot);
  if (j < 0) return 0;
  const a = map.raw;
  const from = now - comp.withinMs;
  const stride = comp.distinct === null ? 1 : 2;
  const end = j + 1 + map.lengthAt(j);
  let count = 0;
  for (let x = j + stride; x < end; x += stride) if ((a[x] as number) >= from) count++;
  return count;
}

/**
 * Set matching (§8.4), state `[bindings, (member, t, n, id)…]` in arrival order; each member keeps its latest
 * `times` events. Without aliases the bindings are always `null` and the packed state leaves them out
 * (`SlotCodec.FLAT_NB`). Pushes a completion when every member has its events.
 */
export function stepSetAt(
  comp: StepsComponent,
  map: SlotMap,
  slot: number,
  ev: RuleEvent,
  rt: number,
  c: EvalCtx,
  out: Completion[],
): void {
  const from = rt - comp.withinMs;
  /** Elements before the first record: the bindings, or none. */
  const lead = comp.aliasFree ? 0 : 1;
  const codec = comp.aliasFree ? SlotCodec.FLAT_NB : SlotCodec.FLAT;
  const j = map.locate(slot);
  let list: readonly unknown[] = j >= 0 ? map.raw : SET_NONE;
  let base = j >= 0 ? j + 1 : 0;
  let len = j >= 0 ? map.lengthAt(j) : lead;
  let changed = false;
  if (len > lead && (list[base + lead + 1] as number) < from) {
    let o = 0;
    if (lead === 1) KEPT[o++] = list[base];
    for (let x = base + lead; x < base + len; x += 4) {
      if ((list[x + 1] as number) < from) continue;
      for (let f = 0; f < 4; f++) KEPT[o++] = list[x + f];
    }
    list = KEPT;
    base = 0;
    len = o;
    changed = true;
  }
  if (comp.unless !== null && len > lead && comp.unless.test(ev, c)) {
    list = SET_NONE;
    base = 0;
    len = lead;
    changed = true;
  }
  let b = (lead === 1 && len > 1 ? list[base] : null) as Record<string, RuleEvent> | null;
  const steps = comp.steps;
  const counts = memberCounts;
  for (let m = 0; m < steps.length; m++) counts[m] = 0;
  for (let x = base + lead; x < base + len; x += 4) {
    const m = list[x] as number;
    counts[m] = (counts[m] as number) + 1;
  }
  c.binds = b;
  let target = -1;
  let firstMatch = -1;
  for (let m = 0; m < steps.length; m++) {
    const step = steps[m] as (typeof steps)[number];
    if (!step.filter.test(ev, c)) continue;
    if (firstMatch < 0) firstMatch = m;
    if ((counts[m] as number) < step.times) {
      target = m;
      break;
    }
  }
  c.binds = null;
  // a member that already has its k events takes the newer one in place of its oldest (the window slides)
  if (target < 0) target = firstMatch;
  if (target < 0) {
    // pruned or cleared: the kept records are in KEPT (from 0), or nothing is left
    if (changed) map.setFlat(slot, list, len > lead ? len : 0, codec);
    return;
  }
  const step = steps[target] as (typeof steps)[number];
  b = bind(b, step.filter.alias, ev);
  let drop = -1;
  if ((counts[target] as number) >= step.times) {
    for (let x = base + lead; x < base + len; x += 4)
      if (list[x] === target) {
        drop = x;
        break;
      }
  } else counts[target] = (counts[target] as number) + 1;
  let o = 0;
  if (lead === 1) OUT[o++] = b;
  for (let x = base + lead; x < base + len; x += 4) {
    if (x === drop) continue;
    for (let f = 0; f < 4; f++) OUT[o++] = list[x + f];
  }
  OUT[o++] = target;
  OUT[o++] = rt;
  OUT[o++] = ev.n;
  OUT[o++] = ev.id;
  let complete = true;
  for (let m = 0; m < steps.length; m++)
    if ((counts[m] as number) < (steps[m] as (typeof steps)[number]).times) complete = false;
  if (complete) {
    const all = (o - lead) / 4;
    const n = Math.min(all, MAX_IDS);
    const ids = new Array<string>(n);
    for (let x = lead + (all - n) * 4 + 3, y = 0; y < n; x += 4, y++) ids[y] = OUT[x] as string;
    out.push({ ids, binds: b, last: ev, pageID: ev.pageID, cutoff: ev.n, reject: null });
  }
  map.setFlat(slot, OUT, o, codec);
}

/**
 * Sequence matching (§8.3). The state is a list of partial matches, oldest first, each stored as the record
 * `[length, step, count in step, first time, first position, bindings, …ids]`; without aliases the bindings are
 * always `null` and the record leaves them out (`SlotCodec.SEQ_NB`). When the steps have no aliases, a newer partial
 * match at the same progress dominates an older one (it completes whenever the older would and expires later), so
 * only the newest is kept: at most one partial match per progress state.
 */
export function stepSequenceAt(
  comp: StepsComponent,
  map: SlotMap,
  slot: number,
  ev: RuleEvent,
  rt: number,
  c: EvalCtx,
  out: Completion[],
  k: Counters,
): void {
  const from = rt - comp.withinMs;
  const steps = comp.steps;
  const nb = comp.aliasFree;
  /** Offset of the first id in a record (after the length, four counters and the bindings unless `nb`). */
  const ids0 = nb ? 5 : 6;
  const j = map.locate(slot);
  const a = map.raw;
  const base = j >= 0 ? j + 1 : 0;
  const end = j >= 0 ? base + map.lengthAt(j) : 0;
  let changed = false;
  let clear = false;
  if (comp.unless !== null && j >= 0 && comp.unless.test(ev, c)) clear = true;
  // rebuild into OUT: kept (possibly advanced) partial matches, then the one this event starts
  let o = 0;
  let total = 0;
  for (let x = base; x < end; x += 1 + (a[x] as number)) {
    const len = a[x] as number;
    if (clear || (a[x + 3] as number) < from) {
      changed = true;
      continue;
    }
    starts[total++] = o;
    const step = a[x + 1] as number;
    c.binds = nb ? null : (a[x + 5] as Record<string, RuleEvent> | null);
    const ok = (steps[step] as (typeof steps)[number]).filter.test(ev, c);
    c.binds = null;
    if (!ok) {
      for (let f = 0; f <= len; f++) OUT[o++] = a[x + f];
      continue;
    }
    changed = true;
    const b = nb ? null : a[x + 5];
    o = advance(steps, nb, step, a[x + 2] as number, a[x + 3], a[x + 4], b, a, x + ids0, x + 1 + len, ev, o);
  }
  if ((steps[0] as (typeof steps)[number]).filter.test(ev, c)) {
    changed = true;
    starts[total++] = o;
    o = advance(steps, nb, 0, 0, rt, ev.n, null, a, 0, 0, ev, o);
  }
  if (!changed) return;
  const done = steps.length;
  // completions leave the list at once: they fire or, with a false guard, are discarded (newest first)
  for (let r = total - 1; r >= 0; r--) {
    const s = starts[r] as number;
    if (OUT[s + 1] !== done) continue;
    const n = (OUT[s] as number) + 1 - ids0;
    const ids = new Array<string>(n);
    for (let x = 0; x < n; x++) ids[x] = OUT[s + ids0 + x] as string;
    out.push({
      ids,
      binds: nb ? null : (OUT[s + 5] as Record<string, RuleEvent> | null),
      last: ev,
      pageID: ev.pageID,
      cutoff: ev.n,
      reject: null,
    });
  }
  let keep = 0;
  for (let r = 0; r < total; r++) {
    const s = starts[r] as number;
    let ok = OUT[s + 1] !== done;
    if (ok && comp.aliasFree) {
      for (let later = r + 1; later < total; later++) {
        const l = starts[later] as number;
        if (OUT[l + 1] === OUT[s + 1] && OUT[l + 2] === OUT[s + 2]) {
          ok = false;
          break;
        }
      }
    }
    keepMark[r] = ok ? 1 : 0;
    if (ok) keep++;
  }
  const skip = keep > MAX_PARTIAL ? keep - MAX_PARTIAL : 0;
  k.dropped += skip;
  // compact the kept records to the front of OUT (records only move left)
  let w = 0;
  for (let r = 0, seen = 0; r < total; r++) {
    if (keepMark[r] === 0 || seen++ < skip) continue;
    const s = starts[r] as number;
    const len = OUT[s] as number;
    for (let f = 0; f <= len; f++) OUT[w + f] = OUT[s + f];
    w += len + 1;
  }
  map.setFlat(slot, OUT, w, nb ? SlotCodec.SEQ_NB : SlotCodec.SEQ);
}

/**
 * Writes at `OUT[o]` the record of a partial match one event further: it was at `step` with `count` events,
 * started at `t0`/`n0`, with bindings `b` (left out of the record when `nb`) and ids `src[from, to)`. Returns the
 * end of the record.
 */
function advance(
  steps: StepsComponent['steps'],
  nb: boolean,
  step: number,
  count: number,
  t0: unknown,
  n0: unknown,
  b: unknown,
  src: readonly unknown[],
  from: number,
  to: number,
  ev: RuleEvent,
  o: number,
): number {
  const st = steps[step] as StepsComponent['steps'][number];
  let next = step;
  let cnt = count + 1;
  if (cnt >= st.times) {
    next++;
    cnt = 0;
  }
  const skip = to - from >= MAX_IDS ? 1 : 0;
  const ids = to - from - skip + 1;
  OUT[o++] = (nb ? 4 : 5) + ids;
  OUT[o++] = next;
  OUT[o++] = cnt;
  OUT[o++] = t0;
  OUT[o++] = n0;
  if (!nb) OUT[o++] = bind(b as Record<string, RuleEvent> | null, st.filter.alias, ev);
  for (let x = from + skip; x < to; x++) OUT[o++] = src[x];
  OUT[o++] = ev.id;
  return o;
}

/** Whether a flat or sequence state at `raw[base, base + len)` has nothing outside its window at relative `now`. */
export function freshAt(
  comp: Component,
  a: readonly unknown[],
  base: number,
  len: number,
  now: number,
): boolean {
  switch (comp.kind) {
    case 'window':
    case 'count': {
      const from = now - comp.withinMs;
      const stride =
        comp.kind === 'window' ? (comp.distinct === null ? 1 : 2) : comp.distinct === null ? 3 : 4;
      const at = comp.distinct === null ? 0 : 1;
      for (let x = base + at; x < base + len; x += stride) if ((a[x] as number) < from) return false;
      return true;
    }
    case 'sequence': {
      // records `[length, step, count, first time, …]`
      const from = now - comp.withinMs;
      for (let x = base; x < base + len; x += 1 + (a[x] as number))
        if ((a[x + 3] as number) < from) return false;
      return true;
    }
    case 'all': {
      // `[bindings?, (member, t, n, id)…]`: the first record is the oldest
      const lead = comp.aliasFree ? 0 : 1;
      return len > lead && (a[base + lead + 1] as number) >= now - comp.withinMs;
    }
    default:
      return true;
  }
}
