/**
 * The matchers of the rule operators (spec/rules.md §5, §8): how one component's per-visit state changes when an
 * event arrives, when it completes, what a firing consumes, and when its timer is due. States are small immutable
 * JSON values (flat arrays of exact size, replaced rather than grown) so that a visit costs little memory and a
 * snapshot is plain JSON. Every list is bounded (§8.9): overflow drops the oldest entry and is counted.
 */
import type { Component } from './compile.js';
import type { EvalCtx } from './expr.js';
import type { RuleEvent, VisitState } from './visit-state.js';

/** A completed match, waiting for the guard and refraction. */
export interface Completion {
  ids: string[];
  binds: Record<string, RuleEvent> | null;
  last: RuleEvent;
  /** Page of the actionable event. */
  pageID: string | null;
  /** Everything of the rule that started at or before this event position is consumed by a firing. */
  cutoff: number;
  /** Called when the guard is false: discards this completion only (timer completions). */
  reject: (() => void) | null;
}

type StepsComponent = Extract<Component, { steps: unknown }>;

/** Limits of §8.9. */
export const MAX_PARTIAL = 64;
export const MAX_IDS = 64;

export interface Counters {
  dropped: number;
}

/**
 * Sequence partial match, flat: `[step, events counted in the step, first time, first position, bindings, ...ids]`.
 */
export type PartialMatch = unknown[];
const PM_IDS = 5;

/** Set state, flat: `[bindings, (member, t, n, id)…]` in arrival order; each member keeps its latest `times` events. */
export type SetState = unknown[];
const SET_STRIDE = 4;

/** Absence state: the pending `F`. */
export interface PendingAbsence {
  t: number;
  n: number;
  i: string;
  p: string;
  b: RuleEvent | null;
}

const EMPTY: unknown[] = [];
Object.freeze(EMPTY);

const lastIds = (ids: string[]): string[] => (ids.length > MAX_IDS ? ids.slice(ids.length - MAX_IDS) : ids);
export const bind = (
  b: Record<string, RuleEvent> | null,
  alias: string | null,
  ev: RuleEvent,
): Record<string, RuleEvent> | null => (alias === null ? b : { ...b, [alias]: ev });

/** `list` without the records (of `stride` fields) for which `drop` is true, plus `extra`, as an exact-size array. */
function rebuild(
  list: readonly unknown[] | undefined,
  stride: number,
  drop: (j: number) => boolean,
  extra: readonly unknown[],
): unknown[] {
  const src = list ?? EMPTY;
  let keep = 0;
  for (let j = 0; j < src.length; j += stride) if (!drop(j)) keep++;
  const out = new Array<unknown>(keep * stride + extra.length);
  let o = 0;
  for (let j = 0; j < src.length; j += stride) {
    if (drop(j)) continue;
    for (let f = 0; f < stride; f++) out[o++] = src[j + f];
  }
  for (const x of extra) out[o++] = x;
  return out;
}

/**
 * A distinct-value list (records `[value, time, …]` of `extra.length` fields) without the records of `v` or older
 * than `from`, plus `extra`: one exact-size array, no closure.
 */
function distinctPut(
  list: readonly unknown[] | undefined,
  v: unknown,
  from: number,
  extra: readonly unknown[],
): unknown[] {
  const src = list ?? EMPTY;
  const stride = extra.length;
  let keep = 0;
  for (let j = 0; j < src.length; j += stride) if (src[j] !== v && (src[j + 1] as number) >= from) keep++;
  const out = new Array<unknown>((keep + 1) * stride);
  let o = 0;
  for (let j = 0; j < src.length; j += stride) {
    if (src[j] === v || (src[j + 1] as number) < from) continue;
    for (let f = 0; f < stride; f++) out[o++] = src[j + f];
  }
  for (let f = 0; f < stride; f++) out[o++] = extra[f];
  return out;
}

/** `list.filter(keep)` as an exact-size array (`filter` and spreads grow by pushing and leave spare capacity). */
function keepIf<T>(list: readonly T[], keep: (x: T) => boolean): T[] {
  let n = 0;
  for (const x of list) if (keep(x)) n++;
  const out = new Array<T>(n);
  let o = 0;
  for (const x of list) if (keep(x)) out[o++] = x;
  return out;
}

/** Keeps the last `max` records of a flat list. */
const tail = (list: unknown[], stride: number, max: number, k: Counters | null): unknown[] => {
  if (list.length <= max * stride) return list;
  if (k) k.dropped += (list.length - max * stride) / stride;
  return list.slice(list.length - max * stride);
};

/** Records an event into an expression window (`count(F) within D` in `where`/`with`). */
export function feedWindow(
  comp: Extract<Component, { kind: 'window' }>,
  st: unknown,
  ev: RuleEvent,
  rt: number,
  k: Counters,
): unknown {
  const from = rt - comp.withinMs;
  const list = st as unknown[] | undefined;
  if (comp.distinct === null) {
    if (list !== undefined && list.length >= MAX_PARTIAL && (list[0] as number) >= from) k.dropped++;
    return slide(list, 1, from, MAX_PARTIAL, [rt]);
  }
  const v = comp.distinct(ev);
  if (v === null) return st;
  return tail(distinctPut(list, v, from, [v, rt]), 2, MAX_PARTIAL, k);
}

/** Value of an expression window at `now`. */
export function windowCount(comp: Extract<Component, { kind: 'window' }>, st: unknown, now: number): number {
  if (st === undefined) return 0;
  const from = now - comp.withinMs;
  const list = st as unknown[];
  const stride = comp.distinct === null ? 1 : 2;
  const at = stride - 1;
  let count = 0;
  for (let j = 0; j < list.length; j += stride) if ((list[j + at] as number) >= from) count++;
  return count;
}

/**
 * Feeds an event to a branch; pushes completions. Returns the new state (`undefined` = none). `rt` is the event's
 * time relative to the visit start: states keep relative times, which stay small integers in memory.
 */
export function stepBranch(
  comp: Component,
  st: unknown,
  ev: RuleEvent,
  rt: number,
  c: EvalCtx,
  out: Completion[],
  k: Counters,
): unknown {
  const t = rt;
  switch (comp.kind) {
    case 'event':
      if (comp.filter.test(ev, c)) {
        out.push({
          ids: [ev.id],
          binds: bind(null, comp.filter.alias, ev),
          last: ev,
          pageID: ev.pageID,
          cutoff: ev.n,
          reject: null,
        });
      }
      return st;
    case 'absence': {
      let p = st as PendingAbsence | undefined;
      if (p !== undefined) {
        c.binds = comp.filter.alias !== null && p.b !== null ? { [comp.filter.alias]: p.b } : null;
        if (comp.absent.test(ev, c)) p = undefined;
        c.binds = null;
      }
      if (comp.filter.test(ev, c)) p = { t, n: ev.n, i: ev.id, p: ev.pageID, b: c.keep ? ev : null };
      return p;
    }
    case 'count': {
      if (!comp.filter.test(ev, c)) return st;
      const from = t - comp.withinMs;
      const list = st as unknown[] | undefined;
      let next: unknown[];
      if (comp.distinct === null) {
        const full = comp.min * 3;
        if (list !== undefined && list.length === full && (full === 3 || (list[3] as number) >= from)) {
          // steady state: shift in place, no allocation (the list never grows past `min` entries)
          for (let j = 0; j < full - 3; j++) list[j] = list[j + 3];
          list[full - 3] = t;
          list[full - 2] = ev.n;
          list[full - 1] = ev.id;
          next = list;
        } else next = slide(list, 3, from, comp.min, [t, ev.n, ev.id]);
        if (next.length < full) return next;
      } else {
        const v = comp.distinct(ev);
        if (v === null) return st;
        next = tail(distinctPut(list, v, from, [v, t, ev.n, ev.id]), 4, MAX_PARTIAL, k);
        if (next.length < comp.min * 4) return next;
      }
      // the last `min` counted events (id is the last field of each record)
      const stride = comp.distinct === null ? 3 : 4;
      const counted = new Array<string>(comp.min);
      for (let j = next.length - comp.min * stride, o = 0; o < comp.min; j += stride, o++)
        counted[o] = next[j + stride - 1] as string;
      out.push({
        ids: lastIds(counted),
        binds: bind(null, comp.filter.alias, ev),
        last: ev,
        pageID: ev.pageID,
        cutoff: ev.n,
        reject: null,
      });
      return next;
    }
    case 'sequence':
      return stepSequence(comp, st as PartialMatch[] | undefined, ev, rt, c, out, k);
    case 'all':
      return stepSet(comp, st as SetState | undefined, ev, rt, c, out);
    default:
      return st;
  }
}

/** A partial match one event further. */
function advancePm(pm: PartialMatch, steps: StepsComponent['steps'], ev: RuleEvent): PartialMatch {
  const s = pm[0] as number;
  const step = steps[s] as StepsComponent['steps'][number];
  let count = (pm[1] as number) + 1;
  let next = s;
  if (count >= step.times) {
    next++;
    count = 0;
  }
  const skip = pm.length - PM_IDS >= MAX_IDS ? 1 : 0;
  const out = new Array<unknown>(pm.length + 1 - skip);
  out[0] = next;
  out[1] = count;
  out[2] = pm[2];
  out[3] = pm[3];
  out[4] = bind(pm[4] as Record<string, RuleEvent> | null, step.filter.alias, ev);
  for (let j = PM_IDS + skip, o = PM_IDS; j < pm.length; j++, o++) out[o] = pm[j];
  out[out.length - 1] = ev.id;
  return out;
}

/**
 * Keeps the records of a time-ordered flat list that are inside the window (a suffix), at most `max - 1` of
 * them, then appends `extra`: one exact-size array and no closures (the hot path of counts and windows).
 */
function slide(
  list: readonly unknown[] | undefined,
  stride: number,
  from: number,
  max: number,
  extra: readonly unknown[],
): unknown[] {
  const src = list ?? EMPTY;
  let start = 0;
  while (start < src.length && (src[start] as number) < from) start += stride;
  start = Math.max(start, src.length - (max - 1) * stride);
  const out = new Array<unknown>(src.length - start + extra.length);
  let o = 0;
  for (let j = start; j < src.length; j++) out[o++] = src[j];
  for (let j = 0; j < extra.length; j++) out[o++] = extra[j];
  return out;
}

/** Scratch of the sequence and set matchers (never re-entered: filters do not call back into them). */
const keepMark = new Uint8Array(MAX_PARTIAL + 2);
const memberCounts: number[] = [];
const SET_NONE: readonly unknown[] = Object.freeze([null]);

/**
 * Sequence matching (§8.3). Partial matches are immutable arrays, oldest first. When the steps have no aliases, a
 * newer partial match at the same progress dominates an older one (it completes whenever the older would and
 * expires later), so only the newest is kept: at most one partial match per progress state.
 */
function stepSequence(
  comp: StepsComponent,
  st: PartialMatch[] | undefined,
  ev: RuleEvent,
  rt: number,
  c: EvalCtx,
  out: Completion[],
  k: Counters,
): PartialMatch[] | undefined {
  const from = rt - comp.withinMs;
  const steps = comp.steps;
  let pms: readonly PartialMatch[] = st ?? (EMPTY as PartialMatch[]);
  if (pms.length > 0 && ((pms[0] as PartialMatch)[2] as number) < from) {
    let keep = 0;
    for (let j = 0; j < pms.length; j++) if (((pms[j] as PartialMatch)[2] as number) >= from) keep++;
    const kept = new Array<PartialMatch>(keep);
    for (let j = 0, o = 0; j < pms.length; j++)
      if (((pms[j] as PartialMatch)[2] as number) >= from) kept[o++] = pms[j] as PartialMatch;
    pms = kept;
  }
  if (comp.unless !== null && pms.length > 0 && comp.unless.test(ev, c)) pms = EMPTY as PartialMatch[];
  let changed = pms !== st;
  let result: PartialMatch[] | null = null;
  for (let j = 0; j < pms.length; j++) {
    const pm = pms[j] as PartialMatch;
    c.binds = pm[4] as Record<string, RuleEvent> | null;
    const ok = (steps[pm[0] as number] as (typeof steps)[number]).filter.test(ev, c);
    c.binds = null;
    if (!ok) continue;
    result ??= pms.slice();
    result[j] = advancePm(pm, steps, ev);
    changed = true;
  }
  const src: readonly PartialMatch[] = result ?? pms;
  let extra: PartialMatch | null = null;
  if ((steps[0] as (typeof steps)[number]).filter.test(ev, c)) {
    extra = advancePm([0, 0, rt, ev.n, null], steps, ev);
    changed = true;
  }
  if (!changed) return st;
  const total = src.length + (extra === null ? 0 : 1);
  const end = steps.length;
  // completions leave the list at once: they fire or, with a false guard, are discarded (newest first)
  for (let j = total - 1; j >= 0; j--) {
    const pm = (j < src.length ? src[j] : extra) as PartialMatch;
    if (pm[0] !== end) continue;
    out.push({
      ids: pm.slice(PM_IDS) as string[],
      binds: pm[4] as Record<string, RuleEvent> | null,
      last: ev,
      pageID: ev.pageID,
      cutoff: ev.n,
      reject: null,
    });
  }
  let keep = 0;
  for (let j = 0; j < total; j++) {
    const pm = (j < src.length ? src[j] : extra) as PartialMatch;
    let ok = pm[0] !== end;
    if (ok && comp.aliasFree) {
      for (let x = j + 1; x < total; x++) {
        const later = (x < src.length ? src[x] : extra) as PartialMatch;
        if (later[0] === pm[0] && later[1] === pm[1]) {
          ok = false;
          break;
        }
      }
    }
    keepMark[j] = ok ? 1 : 0;
    if (ok) keep++;
  }
  const skip = keep > MAX_PARTIAL ? keep - MAX_PARTIAL : 0;
  k.dropped += skip;
  if (keep - skip === 0) return undefined;
  const list = new Array<PartialMatch>(keep - skip);
  for (let j = 0, seen = 0, o = 0; j < total; j++) {
    if (keepMark[j] === 0) continue;
    if (seen++ < skip) continue;
    list[o++] = (j < src.length ? src[j] : extra) as PartialMatch;
  }
  return list;
}

/** Set matching (§8.4). */
function stepSet(
  comp: StepsComponent,
  st: SetState | undefined,
  ev: RuleEvent,
  rt: number,
  c: EvalCtx,
  out: Completion[],
): SetState | undefined {
  const from = rt - comp.withinMs;
  let list: readonly unknown[] = st ?? SET_NONE;
  if (list.length > 1 && (list[2] as number) < from) {
    let keep = 0;
    for (let j = 1; j < list.length; j += SET_STRIDE) if ((list[j + 1] as number) >= from) keep++;
    const kept = new Array<unknown>(1 + keep * SET_STRIDE);
    kept[0] = list[0];
    for (let j = 1, o = 1; j < list.length; j += SET_STRIDE) {
      if ((list[j + 1] as number) < from) continue;
      for (let f = 0; f < SET_STRIDE; f++) kept[o++] = list[j + f];
    }
    list = kept;
  }
  if (comp.unless !== null && list.length > 1 && comp.unless.test(ev, c)) list = SET_NONE;
  let b = (list.length > 1 ? list[0] : null) as Record<string, RuleEvent> | null;
  const steps = comp.steps;
  const counts = memberCounts;
  for (let j = 0; j < steps.length; j++) counts[j] = 0;
  for (let j = 1; j < list.length; j += SET_STRIDE) {
    const m = list[j] as number;
    counts[m] = (counts[m] as number) + 1;
  }
  c.binds = b;
  let target = -1;
  let firstMatch = -1;
  for (let j = 0; j < steps.length; j++) {
    const step = steps[j] as (typeof steps)[number];
    if (!step.filter.test(ev, c)) continue;
    if (firstMatch < 0) firstMatch = j;
    if ((counts[j] as number) < step.times) {
      target = j;
      break;
    }
  }
  c.binds = null;
  // a member that already has its k events takes the newer one in place of its oldest (the window slides)
  if (target < 0) target = firstMatch;
  if (target < 0) return list === st ? st : list.length > 1 ? (list as SetState) : undefined;
  const step = steps[target] as (typeof steps)[number];
  b = bind(b, step.filter.alias, ev);
  let drop = -1;
  if ((counts[target] as number) >= step.times) {
    for (let j = 1; j < list.length; j += SET_STRIDE)
      if (list[j] === target) {
        drop = j;
        break;
      }
  } else counts[target] = (counts[target] as number) + 1;
  const next = new Array<unknown>(list.length + (drop < 0 ? SET_STRIDE : 0));
  next[0] = b;
  let o = 1;
  for (let j = 1; j < list.length; j += SET_STRIDE) {
    if (j === drop) continue;
    for (let f = 0; f < SET_STRIDE; f++) next[o++] = list[j + f];
  }
  next[o] = target;
  next[o + 1] = rt;
  next[o + 2] = ev.n;
  next[o + 3] = ev.id;
  let complete = true;
  for (let j = 0; j < steps.length; j++)
    if ((counts[j] as number) < (steps[j] as (typeof steps)[number]).times) complete = false;
  if (complete) {
    const ids = new Array<string>((next.length - 1) / SET_STRIDE);
    for (let j = 4, x = 0; j < next.length; j += SET_STRIDE) ids[x++] = next[j] as string;
    out.push({ ids: lastIds(ids), binds: b, last: ev, pageID: ev.pageID, cutoff: ev.n, reject: null });
  }
  return next;
}

/** Drops everything of a branch that started at or before event position `cutoff` (§8.6). */
export function consumeBranch(comp: Component, st: unknown, cutoff: number): unknown {
  if (comp.kind === 'idle' || comp.kind === 'dwell') return Math.max((st as number | undefined) ?? 0, cutoff);
  if (st === undefined) return undefined;
  switch (comp.kind) {
    case 'absence':
      return (st as PendingAbsence).n <= cutoff ? undefined : st;
    case 'count': {
      const list = st as unknown[];
      const stride = comp.distinct === null ? 3 : 4;
      const at = stride - 2;
      const kept = rebuild(list, stride, (j) => (list[j + at] as number) <= cutoff, EMPTY);
      return kept.length > 0 ? kept : undefined;
    }
    case 'sequence': {
      const kept = keepIf(st as PartialMatch[], (pm) => (pm[3] as number) > cutoff);
      return kept.length > 0 ? kept : undefined;
    }
    case 'all': {
      const list = st as SetState;
      const kept = rebuild(list.slice(1), SET_STRIDE, (j) => (list[j + 3] as number) <= cutoff, EMPTY);
      return kept.length > 0 ? [list[0]].concat(kept) : undefined;
    }
    default:
      return st;
  }
}

/** Deadline of a timer branch relative to the visit's `t0`; `Infinity` when nothing is pending. */
export function branchDeadline(comp: Component, st: unknown, vs: VisitState): number {
  switch (comp.kind) {
    case 'absence':
      return st === undefined ? Infinity : (st as PendingAbsence).t + comp.forMs;
    case 'idle':
      return vs.n > ((st as number | undefined) ?? 0) && vs.o1 !== null ? vs.lt + comp.forMs : Infinity;
    case 'dwell': {
      const id = vs.pgId;
      return id !== null && vs.pgEn > ((st as number | undefined) ?? 0) && vs.isOpen(id)
        ? vs.pgAt + comp.forMs
        : Infinity;
    }
    default:
      return Infinity;
  }
}

/** Drops entries that left their window at relative time `now` (the periodic sweep); `undefined` when empty. */
export function pruneComponent(comp: Component, st: unknown, now: number): unknown {
  if (st === undefined) return undefined;
  switch (comp.kind) {
    case 'window':
    case 'count': {
      const from = now - comp.withinMs;
      const list = st as unknown[];
      const stride =
        comp.kind === 'window' ? (comp.distinct === null ? 1 : 2) : comp.distinct === null ? 3 : 4;
      const at = comp.distinct === null ? 0 : 1;
      let stale = false;
      for (let j = 0; j < list.length; j += stride) if ((list[j + at] as number) < from) stale = true;
      if (!stale) return st;
      const kept = rebuild(list, stride, (j) => (list[j + at] as number) < from, EMPTY);
      return kept.length > 0 ? kept : undefined;
    }
    case 'sequence': {
      const from = now - comp.withinMs;
      const pms = st as PartialMatch[];
      if (pms.every((pm) => (pm[2] as number) >= from)) return st;
      const kept = keepIf(pms, (pm) => (pm[2] as number) >= from);
      return kept.length > 0 ? kept : undefined;
    }
    case 'all': {
      const from = now - comp.withinMs;
      const list = st as SetState;
      if (list.length < 2 || (list[2] as number) >= from) return list.length > 1 ? st : undefined;
      const kept = rebuild(list.slice(1), SET_STRIDE, (j) => (list[j + 2] as number) < from, EMPTY);
      return kept.length > 0 ? [list[0]].concat(kept) : undefined;
    }
    default:
      return st;
  }
}
