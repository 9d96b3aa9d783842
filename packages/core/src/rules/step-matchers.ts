/**
 * In-place matchers for the components made of steps: sets (`all`, §8.4) and sequences (§8.3). Like the counts and
 * windows of `flat-matchers.ts`, they read the state where it lies in the visit's `SlotMap` and write the new state
 * once, through a scratch list, so the hot path allocates nothing but completions (spec/rules.md §12).
 */
import type { Component } from './compile.js';
import type { Completion, Counters } from './components.js';
import { bind, MAX_IDS, MAX_PARTIAL } from './components.js';
import type { EvalCtx } from './expr.js';
import { SlotCodec } from './slot-map.js';
import type { SlotMap } from './slot-map.js';
import type { RuleEvent } from './visit-state.js';

type StepsComponent = Extract<Component, { steps: unknown }>;

/** Scratch lists: the new state is built here, then copied into the map (never re-entered). */
const OUT: unknown[] = [];
const KEPT: unknown[] = [];
const SET_NONE: readonly unknown[] = Object.freeze([null]);
const memberCounts: number[] = [];
/** Start of each record in `OUT` while a sequence state is rebuilt, and which of them are kept. */
const starts: number[] = [];
const keepMark = new Uint8Array(MAX_PARTIAL + 2);

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
