/**
 * The matchers of the rule operators (spec/rules.md §5, §8): how one component's per-visit state changes when an
 * event arrives (singleton and absence here; counts, windows, sequences and sets in place, in flat-matchers.ts), what
 * a firing consumes, when a timer is due and what the periodic sweep drops. States are plain JSON values (flat
 * arrays of exact size) so that a visit costs little memory and a snapshot is plain JSON. Every list is bounded
 * (§8.9): overflow drops the oldest entry and is counted.
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

/** `list.filter(keep)` as an exact-size array (`filter` and spreads grow by pushing and leave spare capacity). */
function keepIf<T>(list: readonly T[], keep: (x: T) => boolean): T[] {
  let n = 0;
  for (const x of list) if (keep(x)) n++;
  const out = new Array<T>(n);
  let o = 0;
  for (const x of list) if (keep(x)) out[o++] = x;
  return out;
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
): unknown {
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
      if (comp.filter.test(ev, c)) p = { t: rt, n: ev.n, i: ev.id, p: ev.pageID, b: c.keep ? ev : null };
      return p;
    }
    default:
      // count, sequence and set states change in place: see flat-matchers.ts
      return st;
  }
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

/**
 * The state with every relative time moved `delta` earlier (a visit's time base moves `delta` later; see
 * `RuleEngine.relative`). Positions, ids and bindings are unchanged.
 */
export function shiftComponent(comp: Component, st: unknown, delta: number): unknown {
  if (st === undefined) return undefined;
  const shifted = (list: readonly unknown[], at: number, stride: number): unknown[] =>
    list.map((x, j) => (j >= at && (j - at) % stride === 0 ? (x as number) - delta : x));
  switch (comp.kind) {
    case 'window':
      return comp.distinct === null ? shifted(st as unknown[], 0, 1) : shifted(st as unknown[], 1, 2);
    case 'count':
      return comp.distinct === null ? shifted(st as unknown[], 0, 3) : shifted(st as unknown[], 1, 4);
    case 'sequence':
      return (st as PartialMatch[]).map((pm) => pm.map((x, j) => (j === 2 ? (x as number) - delta : x)));
    case 'all':
      return shifted(st as SetState, 2, SET_STRIDE);
    case 'absence': {
      const p = st as PendingAbsence;
      return { ...p, t: p.t - delta };
    }
    default:
      // idle and dwell keep an event position, not a time
      return st;
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
