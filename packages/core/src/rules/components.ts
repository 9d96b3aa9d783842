/**
 * The matchers of the rule operators (spec/rules.md §5, §8): how one component's per-visit state changes when an
 * event arrives, when it completes, what a firing consumes, and when its timer is due. States are small plain
 * JSON values (flat arrays where possible) so that a visit costs little memory and snapshots are compact.
 * Every list is bounded (§8.9): overflow drops the oldest entry and is counted.
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
  /** Called when the guard is false: discards this completion only. */
  reject: (() => void) | null;
}

type StepsComponent = Extract<Component, { steps: unknown }>;

/** Limits of §8.9. */
export const MAX_PARTIAL = 64;
export const MAX_IDS = 64;

export interface Counters {
  dropped: number;
}

/** Sequence partial match: step, events counted in the step, first event time and position, matched ids. */
export interface PartialMatch {
  s: number;
  c: number;
  t: number;
  n: number;
  i: string[];
  b: Record<string, RuleEvent> | null;
}

/** Set state: per member a flat list `[t, n, id, …]`, plus alias bindings. */
export interface SetState {
  m: (number | string)[][];
  b: Record<string, RuleEvent> | null;
}

/** Absence state: the pending `F`. */
export interface PendingAbsence {
  t: number;
  n: number;
  i: string;
  p: string;
  b: RuleEvent | null;
}

const lastIds = (ids: string[]): string[] => (ids.length > MAX_IDS ? ids.slice(ids.length - MAX_IDS) : ids);
const bind = (
  b: Record<string, RuleEvent> | null,
  alias: string | null,
  ev: RuleEvent,
): Record<string, RuleEvent> | null => (alias === null ? b : { ...b, [alias]: ev });

/** Records an event into an expression window (`count(F) within D` in `where`/`with`). */
export function feedWindow(
  comp: Extract<Component, { kind: 'window' }>,
  st: unknown,
  ev: RuleEvent,
  c: EvalCtx,
  k: Counters,
): unknown {
  const from = ev.timestamp - comp.withinMs;
  if (comp.distinct === null) {
    const ts = (st as number[] | undefined) ?? [];
    let drop = 0;
    while (drop < ts.length && (ts[drop] as number) < from) drop++;
    if (drop > 0) ts.splice(0, drop);
    if (ts.length >= MAX_PARTIAL) {
      ts.shift();
      k.dropped++;
    }
    ts.push(ev.timestamp);
    return ts;
  }
  const v = comp.distinct(ev);
  if (v === null) return st;
  const list = (st as unknown[] | undefined) ?? [];
  upsertDistinct(list, v, [ev.timestamp], 2, from, k);
  void c;
  return list;
}

/** Value of an expression window at `now`. */
export function windowCount(comp: Extract<Component, { kind: 'window' }>, st: unknown, now: number): number {
  if (st === undefined) return 0;
  const from = now - comp.withinMs;
  let count = 0;
  if (comp.distinct === null) {
    for (const t of st as number[]) if (t >= from && t <= now) count++;
  } else {
    const list = st as unknown[];
    for (let j = 1; j < list.length; j += 2) if ((list[j] as number) >= from) count++;
  }
  return count;
}

/** Flat distinct list `[value, ...fields]` of stride `stride`: refresh or append `value`, prune old, bound size. */
function upsertDistinct(
  list: unknown[],
  v: unknown,
  fields: unknown[],
  stride: number,
  from: number,
  k: Counters,
): void {
  for (let j = 0; j < list.length; j += stride) {
    if (list[j] === v || (list[j + 1] as number) < from) {
      list.splice(j, stride);
      j -= stride;
    }
  }
  if (list.length / stride >= MAX_PARTIAL) {
    list.splice(0, stride);
    k.dropped++;
  }
  list.push(v, ...fields);
}

/** Feeds an event to a branch; pushes completions (oldest first). Returns the new state (`undefined` = none). */
export function stepBranch(
  comp: Component,
  st: unknown,
  ev: RuleEvent,
  c: EvalCtx,
  out: Completion[],
  k: Counters,
): unknown {
  const t = ev.timestamp;
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
      if (comp.distinct === null) {
        const list = (st as (number | string)[] | undefined) ?? [];
        list.push(t, ev.n, ev.id);
        if (list.length > comp.min * 3) list.splice(0, list.length - comp.min * 3);
        if (list.length === comp.min * 3 && (list[0] as number) >= from) {
          const ids: string[] = [];
          for (let j = 2; j < list.length; j += 3) ids.push(list[j] as string);
          out.push({
            ids: lastIds(ids),
            binds: bind(null, comp.filter.alias, ev),
            last: ev,
            pageID: ev.pageID,
            cutoff: ev.n,
            reject: null,
          });
        }
        return list;
      }
      const v = comp.distinct(ev);
      const list = (st as unknown[] | undefined) ?? [];
      if (v === null) return st;
      upsertDistinct(list, v, [t, ev.n, ev.id], 4, from, k);
      if (list.length / 4 >= comp.min) {
        const ids: string[] = [];
        for (let j = 3; j < list.length; j += 4) ids.push(list[j] as string);
        const counted = ids.slice(ids.length - comp.min);
        out.push({
          ids: lastIds(counted),
          binds: bind(null, comp.filter.alias, ev),
          last: ev,
          pageID: ev.pageID,
          cutoff: ev.n,
          reject: null,
        });
      }
      return list;
    }
    case 'sequence':
      return stepSequence(comp, st as PartialMatch[] | undefined, ev, c, out, k);
    case 'all':
      return stepSet(comp, st as SetState | undefined, ev, c, out);
    default:
      return st;
  }
}

function stepSequence(
  comp: StepsComponent,
  st: PartialMatch[] | undefined,
  ev: RuleEvent,
  c: EvalCtx,
  out: Completion[],
  k: Counters,
): PartialMatch[] | undefined {
  const from = ev.timestamp - comp.withinMs;
  let pms = st;
  if (pms !== undefined) {
    let drop = 0;
    while (drop < pms.length && (pms[drop] as PartialMatch).t < from) drop++;
    if (drop > 0) pms.splice(0, drop);
    if (comp.unless !== null && comp.unless.test(ev, c)) pms.length = 0;
  }
  const steps = comp.steps;
  const advance = (pm: PartialMatch): void => {
    pm.c++;
    if (pm.i.length >= MAX_IDS) pm.i.shift();
    pm.i.push(ev.id);
    const step = steps[pm.s] as { filter: { alias: string | null }; times: number };
    if (step.filter.alias !== null) pm.b = bind(pm.b, step.filter.alias, ev);
    if (pm.c >= step.times) {
      pm.s++;
      pm.c = 0;
    }
    if (pm.s === steps.length) {
      const list = pms as PartialMatch[];
      out.push({
        ids: pm.i,
        binds: pm.b,
        last: ev,
        pageID: ev.pageID,
        cutoff: ev.n,
        reject: () => {
          const at = list.indexOf(pm);
          if (at >= 0) list.splice(at, 1);
        },
      });
    }
  };
  if (pms !== undefined) {
    for (const pm of pms) {
      if (pm.s >= steps.length) continue;
      c.binds = pm.b;
      const ok = (steps[pm.s] as { filter: { test: (e: RuleEvent, c: EvalCtx) => boolean } }).filter.test(
        ev,
        c,
      );
      c.binds = null;
      if (ok) advance(pm);
    }
  }
  if ((steps[0] as { filter: { test: (e: RuleEvent, c: EvalCtx) => boolean } }).filter.test(ev, c)) {
    pms ??= [];
    if (pms.length >= MAX_PARTIAL) {
      pms.shift();
      k.dropped++;
    }
    const pm: PartialMatch = { s: 0, c: 0, t: ev.timestamp, n: ev.n, i: [], b: null };
    pms.push(pm);
    advance(pm);
  }
  // completed matches that were not consumed (guard false) leave the list when rejected; drop finished leftovers
  return pms !== undefined && pms.length > 0 ? pms : undefined;
}

function stepSet(
  comp: StepsComponent,
  st: SetState | undefined,
  ev: RuleEvent,
  c: EvalCtx,
  out: Completion[],
): SetState | undefined {
  const from = ev.timestamp - comp.withinMs;
  const s: SetState = st ?? { m: comp.steps.map(() => []), b: null };
  for (const m of s.m) {
    let drop = 0;
    while (drop < m.length && (m[drop] as number) < from) drop += 3;
    if (drop > 0) m.splice(0, drop);
  }
  if (comp.unless !== null && comp.unless.test(ev, c)) for (const m of s.m) m.length = 0;
  c.binds = s.b;
  let target = -1;
  let firstMatch = -1;
  for (let j = 0; j < comp.steps.length; j++) {
    const step = comp.steps[j] as { filter: { test: (e: RuleEvent, c: EvalCtx) => boolean }; times: number };
    if (!step.filter.test(ev, c)) continue;
    if (firstMatch < 0) firstMatch = j;
    if ((s.m[j] as unknown[]).length / 3 < step.times) {
      target = j;
      break;
    }
  }
  c.binds = null;
  // a member that already has its k events takes the newer one in place of its oldest (the window slides)
  if (target < 0) target = firstMatch;
  if (target < 0) return st;
  const m = s.m[target] as (number | string)[];
  const step = comp.steps[target] as { filter: { alias: string | null }; times: number };
  if (m.length / 3 >= step.times) m.splice(0, 3);
  m.push(ev.timestamp, ev.n, ev.id);
  if (step.filter.alias !== null) s.b = bind(s.b, step.filter.alias, ev);
  if (comp.steps.every((x, j) => (s.m[j] as unknown[]).length / 3 >= x.times)) {
    const all: [number, string][] = [];
    for (const mm of s.m)
      for (let j = 0; j < mm.length; j += 3) all.push([mm[j + 1] as number, mm[j + 2] as string]);
    all.sort((a, b) => a[0] - b[0]);
    out.push({
      ids: lastIds(all.map((x) => x[1])),
      binds: s.b,
      last: ev,
      pageID: ev.pageID,
      cutoff: ev.n,
      reject: null,
    });
  }
  return s;
}

/** Drops everything of a branch that started at or before event position `cutoff` (§8.6). */
export function consumeBranch(comp: Component, st: unknown, cutoff: number): unknown {
  if (st === undefined && comp.kind !== 'idle' && comp.kind !== 'dwell') return undefined;
  switch (comp.kind) {
    case 'absence':
      return (st as PendingAbsence).n <= cutoff ? undefined : st;
    case 'count': {
      const list = st as unknown[];
      const stride = comp.distinct === null ? 3 : 4;
      const nAt = comp.distinct === null ? 1 : 2;
      const kept: unknown[] = [];
      for (let j = 0; j < list.length; j += stride)
        if ((list[j + nAt] as number) > cutoff) kept.push(...list.slice(j, j + stride));
      return kept.length > 0 ? kept : undefined;
    }
    case 'sequence': {
      const kept = (st as PartialMatch[]).filter((pm) => pm.n > cutoff && pm.s < comp.steps.length);
      return kept.length > 0 ? kept : undefined;
    }
    case 'all': {
      const s = st as SetState;
      for (const m of s.m) {
        const kept: (number | string)[] = [];
        for (let j = 0; j < m.length; j += 3)
          if ((m[j + 1] as number) > cutoff)
            kept.push(m[j] as number, m[j + 1] as number, m[j + 2] as string);
        m.length = 0;
        m.push(...kept);
      }
      return s.m.some((m) => m.length > 0) ? { m: s.m, b: s.b } : undefined;
    }
    case 'idle':
    case 'dwell':
      return Math.max((st as number | undefined) ?? 0, cutoff);
    default:
      return st;
  }
}

/** Deadline of a timer branch; `Infinity` when nothing is pending. */
export function branchDeadline(comp: Component, st: unknown, vs: VisitState): number {
  switch (comp.kind) {
    case 'absence':
      return st === undefined ? Infinity : (st as PendingAbsence).t + comp.forMs;
    case 'idle':
      return vs.n > ((st as number | undefined) ?? 0) && vs.open.length > 0 ? vs.lt + comp.forMs : Infinity;
    case 'dwell': {
      const pg = vs.pg;
      return pg !== null && pg.en > ((st as number | undefined) ?? 0) && vs.open.includes(pg.id)
        ? pg.at + comp.forMs
        : Infinity;
    }
    default:
      return Infinity;
  }
}
