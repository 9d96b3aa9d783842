/**
 * In-place matchers for the components whose state is a flat list of records (counts and expression windows; sets
 * and sequences are in step-matchers.ts): they read the state where it lies in the visit's `SlotMap` and write the
 * new state once, through a scratch list, so the hot path allocates nothing (spec/rules.md §12). Semantics are those
 * of `components.ts` (§5, §8), which keeps the reference versions used off the hot path (consumption, pruning,
 * snapshots). `freshAt` answers for every packed kind.
 */
import type { Component } from './compile.js';
import type { Counters } from './components.js';
import { MAX_IDS, MAX_PARTIAL } from './components.js';
import type { SlotMap } from './slot-map.js';
import type { RuleEvent } from './visit-state.js';

type WindowComponent = Extract<Component, { kind: 'window' }>;
type CountComponent = Extract<Component, { kind: 'count' }>;

/** Scratch list: the new state is built here, then copied into the map (never re-entered). */
const OUT: unknown[] = [];

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
