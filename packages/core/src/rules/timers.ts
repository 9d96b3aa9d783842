/**
 * Timer rules (spec/rules.md §5 absence, idle, dwell; §8.10): when each is due for a visit, the completion it
 * produces when it fires, and the visit's earliest deadline, which the host keeps in its timer wheel. Deadlines are
 * relative to the visit's `t0`; `Infinity` means nothing is pending.
 */
import type { Component } from './compile.js';
import type { Completion, PendingAbsence } from './components.js';
import { branchDeadline } from './components.js';
import { onceFired } from './refraction.js';
import type { RuleIndex, TimerRef } from './rule-set.js';
import { SlotCodec } from './slot-map.js';
import type { RuleEvent, VisitState } from './visit-state.js';
import { NO_DEADLINE } from './visit-state.js';

/** Deadline of one timer of the visit; `Infinity` once its `once per visit` rule has fired. */
export function timerDeadline(vs: VisitState, tr: TimerRef): number {
  if (tr.ar.rule.once && onceFired(vs, tr.ar.rank)) return Infinity;
  // timer states are boxed: no walk over the packed segments
  return branchDeadline(tr.comp, vs.comps.getBox(tr.ar.base + tr.k), vs);
}

/** A stand-in for an event the visit no longer keeps in full, for `last` and bindings. */
const stub = (id: string, n: number, pageID: string, t: number, name: string): RuleEvent => ({
  id,
  n,
  name,
  type: '',
  url: '',
  title: null,
  categories: [],
  pageID,
  timestamp: t,
  data: {},
});

/**
 * The completion of the timer component `comp` (in `slot`) that is due now. A false guard rejects it: the absence
 * is dropped, an idle or dwell timer is marked done for the event that started it.
 */
export function timerCompletion(vs: VisitState, comp: Component, slot: number): Completion {
  const pageID = vs.pgId;
  if (comp.kind === 'absence') {
    const p = vs.comps.get(slot) as PendingAbsence;
    const last = p.b ?? stub(p.i, p.n, p.p, vs.t0 + p.t, comp.filter.event);
    const alias = comp.filter.alias;
    return {
      ids: [p.i],
      binds: alias !== null ? { [alias]: last } : null,
      last,
      pageID,
      cutoff: p.n,
      reject: () => vs.comps.delete(slot),
    };
  }
  if (comp.kind === 'idle') {
    const n = vs.n;
    return {
      ids: [vs.li],
      binds: null,
      last: vs.lb ?? stub(vs.li, n, vs.lp, vs.t0 + vs.lt, ''),
      pageID,
      cutoff: n,
      reject: () => vs.comps.set(slot, n, SlotCodec.BOX),
    };
  }
  // dwell: the page's PageEntered
  const en = vs.pgEn;
  const last: RuleEvent = {
    id: vs.pgEi,
    n: en,
    name: 'PageEntered',
    type: 'SYSTEM',
    url: vs.pgUrl,
    title: vs.pgTitle,
    categories: vs.pgCats,
    pageID: vs.pgId as string,
    timestamp: vs.t0 + vs.pgAt,
    data: {},
  };
  return {
    ids: [vs.pgEi],
    binds: null,
    last,
    pageID,
    cutoff: en,
    reject: () => vs.comps.set(slot, en, SlotCodec.BOX),
  };
}

/**
 * The earliest timer deadline of the visit (`NO_DEADLINE`: none), without a lookup per timer: idle and dwell timers
 * are sorted by duration, so the first live one is the earliest of its kind; pending absences are found by one walk
 * over the visit's boxed states.
 */
export function earliestDeadline(vs: VisitState, idx: RuleIndex): number {
  if (idx.timers.length === 0) return NO_DEADLINE;
  let best = Infinity;
  if (vs.o1 !== null) best = firstLive(vs, idx.idles, vs.n, vs.lt);
  const page = vs.pgId;
  if (page !== null && vs.pgAt < best && vs.isOpen(page)) {
    const d = firstLive(vs, idx.dwells, vs.pgEn, vs.pgAt);
    if (d < best) best = d;
  }
  const boxes = vs.comps.boxes;
  const at = idx.absenceAt;
  for (let j = 0; j < boxes.length; j += 2) {
    const st = boxes[j + 1] as PendingAbsence | undefined;
    const tr = at[boxes[j] as number];
    if (st === undefined || tr === undefined || tr === null) continue;
    const d = st.t + (tr.comp as Extract<Component, { kind: 'absence' }>).forMs;
    if (d < best && !(tr.ar.rule.once && onceFired(vs, tr.ar.rank))) best = d;
  }
  return best === Infinity ? NO_DEADLINE : best;
}

/**
 * Deadline of the first timer of `list` (idle or dwell, by ascending duration) that can still fire: its rule has
 * not fired once, and it has not fired or been rejected for event `n` (its boxed state). `from` is the start.
 */
function firstLive(vs: VisitState, list: readonly TimerRef[], n: number, from: number): number {
  for (let i = 0; i < list.length; i++) {
    const tr = list[i] as TimerRef;
    if (tr.ar.rule.once && onceFired(vs, tr.ar.rank)) continue;
    const st =
      vs.comps.boxes.length === 0 ? undefined : (vs.comps.getBox(tr.ar.base + tr.k) as number | undefined);
    if (n > (st ?? 0)) return from + (tr.comp as Extract<Component, { forMs: number }>).forMs;
  }
  return Infinity;
}
