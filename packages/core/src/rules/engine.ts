/**
 * The keyed rules engine (spec/rules.md §1, §8): pure, no I/O, no clock. The caller owns one `VisitState` per visit
 * and hands it in with each event (`onEvent`) or when a timer is due (`fireTimers`); time comes only from the
 * event's `receivedAt` or the `now` passed in. The engine returns the actionable events of that evaluation point
 * and exposes the visit's next timer deadline, so a host can keep one timer wheel for all visits and persist the
 * state (`serialize`/`restore`) with the deadline.
 */
import type { StoredEvent } from '@beckon/protocol';
import type { Channel, Scalar } from './ast.js';
import type { ActionableEvent } from './actionable.js';
import { actionableEventId } from './actionable.js';
import type { CompiledPackage, Component } from './compile.js';
import type { Completion, Counters } from './components.js';
import {
  bind,
  branchDeadline,
  consumeBranch,
  pruneComponent,
  shiftComponent,
  stepBranch,
} from './components.js';
import {
  feedWindowAt,
  freshAt,
  stepCountAt,
  stepSequenceAt,
  stepSetAt,
  windowCountAt,
} from './flat-matchers.js';
import type { EvalCtx } from './expr.js';
import { truthy } from './expr.js';
import type { ActiveRule, RuleIndex, TimerRef } from './rule-set.js';
import { candidatesOf, hostOf, RuleSet } from './rule-set.js';
import { sha256Hex } from './sha256.js';
import { lastFiring, moveRefraction, onceFired, recordFiring } from './refraction.js';
import type { PendingAbsence } from './components.js';
import type { RuleEvent, VisitorFacts, VisitState } from './visit-state.js';
import { NO_DEADLINE, newVisitState, restoreVisitState, serializeVisitStateWith } from './visit-state.js';
import { SlotCodec, SlotMap } from './slot-map.js';

/** An event as the engine takes it: a stored event, plus its page title when the server knows it. */
export type EngineEvent = StoredEvent & { pageTitle?: string | null };

export interface RuleEngineOptions {
  packages?: readonly CompiledPackage[];
  /** GWE `domainSeparation` (§2). Default false: only `default` applies. */
  domainSeparation?: boolean;
  /** `routing.defaultQueue.<channel>`; default `"default"`. */
  defaultQueues?: Partial<Record<Channel, string>>;
  /**
   * Lowercase hex SHA-256 of a UTF-8 string, for actionable event ids. Default: the portable implementation in
   * this package; a Node host passes `node:crypto` (about 10× faster).
   */
  sha256?: (text: string) => string;
}

/** Engine counters (§6 faults, §7 skipped facts, §8.9 drops). */
export interface RuleEngineStats {
  faults: Record<string, number>;
  droppedPartialMatches: number;
  skippedFacts: number;
}

const MAX_FACTS = 32;
/** Largest time relative to a visit's base `t0` before the base moves (see `relative`). */
const MAX_RELATIVE_MS = 2 ** 30;
const EMPTY: string[] = [];

export class RuleEngine {
  private rs: RuleSet;
  private readonly domainSeparation: boolean;
  private readonly queues: Partial<Record<Channel, string>>;
  private readonly sha256: (text: string) => string;
  private readonly counters: Counters = { dropped: 0 };
  private readonly faults = new Map<string, number>();
  private skippedFacts = 0;
  private readonly completions: Completion[] = [];
  private readonly categoryCache = new Map<string, string[]>();
  private readonly reusable: RuleEvent = {
    id: '',
    n: 0,
    name: '',
    type: '',
    url: '',
    title: null,
    categories: EMPTY,
    pageID: '',
    timestamp: 0,
    data: {},
  };
  private current: ActiveRule | null = null;
  private currentVs: VisitState | null = null;
  private readonly ctx: EvalCtx;

  constructor(opts: RuleEngineOptions = {}) {
    this.domainSeparation = opts.domainSeparation ?? false;
    this.queues = opts.defaultQueues ?? {};
    this.sha256 = opts.sha256 ?? sha256Hex;
    this.rs = new RuleSet(opts.packages ?? [], this.domainSeparation);
    this.ctx = {
      ev: null,
      vs: newVisitState('', ''),
      now: 0,
      binds: null,
      last: null,
      keep: false,
      windows: (i) => {
        const ar = this.current;
        const vs = this.currentVs;
        if (ar === null || vs === null) return 0;
        const k = ar.rule.branchCount + i;
        return windowCountAt(
          ar.rule.comps[k] as Extract<Component, { kind: 'window' }>,
          vs.comps,
          ar.base + k,
          this.ctx.now - vs.t0,
        );
      },
      fault: () => {
        const id = this.current?.rule.id ?? '';
        this.faults.set(id, (this.faults.get(id) ?? 0) + 1);
      },
    };
  }

  /** Replaces the deployed packages (hot reload); each visit moves over at its next evaluation point (§8.13). */
  setPackages(packages: readonly CompiledPackage[]): void {
    this.rs = new RuleSet(packages, this.domainSeparation);
  }

  /** Whether package `name` applies to events with the engine's domainSeparation setting. */
  isPackageActive(name: string): boolean {
    return this.rs.isActive(name);
  }

  /** A fresh state for a new visit. */
  newVisit(visitID: string, globalVisitID: string): VisitState {
    const vs = newVisitState(visitID, globalVisitID);
    vs.rs = this.rs;
    return vs;
  }

  /**
   * Evaluates one event of the visit (§1). Timers due strictly before the event's time fire first, so the result
   * is the same whether the host fired them on time or not. `visitor` updates the cross-visit inputs.
   */
  onEvent(vs: VisitState, se: EngineEvent, visitor?: VisitorFacts | null): ActionableEvent[] {
    this.attach(vs);
    if (visitor) vs.visitor = visitor;
    if (vs.n === 0) vs.t0 = se.receivedAt;
    let since = se.receivedAt - vs.t0;
    if (since > MAX_RELATIVE_MS || since < -MAX_RELATIVE_MS) since = this.relative(vs, se.receivedAt);
    // an integer: relative times stay small integers in every field and state they reach (no boxed doubles)
    const rt = (since > vs.t ? since : vs.t) | 0;
    const out: ActionableEvent[] = [];
    if (vs.nx !== NO_DEADLINE && vs.nx < rt) this.runTimers(vs, rt, false, out);
    const ev = this.track(vs, se, rt);
    if ((ev.n & 15) === 0) this.sweep(vs, rt);
    const idx = this.index(ev.url);
    const cands = candidatesOf(idx, ev.name, ev.categories);
    for (let i = 0; i < cands.length; i++) this.evalRule(vs, cands[i] as ActiveRule, ev, out);
    vs.nx = this.computeNext(vs);
    return out;
  }

  /** Fires every timer of the visit due at or before `now`, in deadline order, each with `t` = its deadline. */
  fireTimers(vs: VisitState, now: number): ActionableEvent[] {
    this.attach(vs);
    const out: ActionableEvent[] = [];
    if (vs.nx !== NO_DEADLINE && vs.t0 + vs.nx <= now) this.runTimers(vs, this.relative(vs, now), true, out);
    return out;
  }

  /** The visit's next timer deadline, or `null`. */
  nextDeadline(vs: VisitState): number | null {
    this.attach(vs);
    return vs.nx === NO_DEADLINE ? null : vs.t0 + vs.nx;
  }

  /**
   * State lifetime (§8.11): drops window and partial-match state when nothing arrived for longer than the largest
   * window or timer and no timer is pending. Facts and refraction records stay. Returns true when it dropped.
   */
  expire(vs: VisitState, now: number): boolean {
    this.attach(vs);
    if (vs.nx !== NO_DEADLINE || vs.comps.size === 0) return false;
    if (now - (vs.t0 + vs.lt) <= this.index(vs.pgUrl).maxWindowMs) return false;
    vs.comps.clear();
    return true;
  }

  /** Compact JSON of the visit's state. */
  serialize(vs: VisitState): string {
    const rs = (vs.rs as RuleSet | null) ?? this.rs;
    return serializeVisitStateWith(vs, {
      slotKey: (slot) => rs.slotKeys[slot],
      ruleKey: (rank) => rs.ruleKeys[rank],
    });
  }

  /** Restores a state from {@link serialize}; it binds to the current rule set at its next use. */
  restore(json: string): VisitState {
    return restoreVisitState(json);
  }

  stats(): RuleEngineStats {
    return {
      faults: Object.fromEntries(this.faults),
      droppedPartialMatches: this.counters.dropped,
      skippedFacts: this.skippedFacts,
    };
  }

  // ---- internals ----

  /**
   * `abs` relative to the visit's time base `t0`, as an integer. Relative times stay below 2^30 ms (12.4 days), so
   * they are small integers: past that, the base moves to `abs` and every stored relative time moves with it.
   */
  private relative(vs: VisitState, abs: number): number {
    const since = abs - vs.t0;
    // an integer result (no boxed double); more than 2^30 ms before the base only happens with a skewed clock
    if (since <= MAX_RELATIVE_MS) return since < -MAX_RELATIVE_MS ? -MAX_RELATIVE_MS : since | 0;
    const rs = vs.rs as RuleSet;
    vs.t0 += since;
    vs.t -= since;
    vs.lt -= since;
    vs.pgAt -= since;
    for (const [slot, st] of [...vs.comps]) {
      const comp = rs.slotComps[slot];
      if (comp !== undefined) this.put(vs, slot, shiftComponent(comp, st, since));
    }
    vs.nx = this.computeNext(vs);
    return 0;
  }

  /** Moves a visit onto the current rule set, keeping state of unchanged components (§8.13). */
  private attach(vs: VisitState): void {
    const rs = this.rs;
    if (vs.rs === rs) return;
    const old = vs.rs as RuleSet | null;
    const moved = new SlotMap();
    if (vs.keyed !== null) {
      for (const [key, st] of Object.entries(vs.keyed)) {
        const slot = rs.slotByKey.get(key);
        if (slot !== undefined) moved.set(slot, st, rs.slotCodecs[slot] as SlotCodec);
      }
      vs.keyed = null;
    } else if (old !== null) {
      for (const [slot, st] of vs.comps) {
        const to = rs.slotByKey.get(old.slotKeys[slot] ?? '');
        if (to !== undefined) moved.set(to, st, rs.slotCodecs[to] as SlotCodec);
      }
    }
    vs.comps.replaceWith(moved);
    moveRefraction(vs, old, rs);
    vs.rs = rs;
    vs.nx = this.computeNext(vs);
  }

  /** Periodic sweep: drops window entries and partial matches that left their window (`rt` relative to `t0`). */
  private sweep(vs: VisitState, rt: number): void {
    const rs = vs.rs as RuleSet;
    const map = vs.comps;
    const a = map.raw;
    let stale: number[] | null = null;
    for (let j = 0; j < map.end; j += 1 + map.lengthAt(j)) {
      const slot = map.slotAt(j);
      const comp = rs.slotComps[slot];
      if (comp !== undefined && !freshAt(comp, a, j + 1, map.lengthAt(j), rt)) (stale ??= []).push(slot);
    }
    if (stale === null) return;
    for (const slot of stale) {
      const st = map.get(slot);
      const kept = pruneComponent(rs.slotComps[slot] as Component, st, rt);
      if (kept === undefined) map.delete(slot);
      else if (kept !== st) map.set(slot, kept, rs.slotCodecs[slot] as SlotCodec);
    }
  }

  private index(url: string): RuleIndex {
    return this.domainSeparation ? this.rs.indexForHost(hostOf(url)) : this.rs.indexForHost(null);
  }

  /** Visit bookkeeping (§6 roots) and the event as rules see it; `rt` is the event's time relative to `t0`. */
  private track(vs: VisitState, se: EngineEvent, rt: number): RuleEvent {
    const n = ++vs.n;
    vs.t = rt;
    const categories = this.categoriesOf(se.category);
    const data = se.data ?? {};
    const samePage = vs.pgId === se.pageID;
    const dt = data.title;
    const title = typeof dt === 'string' ? dt : (se.pageTitle ?? (samePage ? vs.pgTitle : null));
    // one reused object when no rule keeps events in visit state: one allocation less per event
    const ev: RuleEvent = this.rs.retainsEvents ? { ...this.reusable } : this.reusable;
    ev.id = se.eventID;
    ev.n = n;
    ev.name = se.eventName;
    ev.type = se.eventType;
    ev.url = se.url;
    ev.title = title;
    ev.categories = categories;
    ev.pageID = se.pageID;
    ev.timestamp = vs.t0 + rt;
    ev.data = data;
    vs.li = ev.id;
    vs.lp = ev.pageID;
    vs.lt = rt;
    vs.lb = this.rs.keepsLastEvent ? ev : null;
    if (this.rs.tracksVisitCategories) {
      for (const c of categories)
        if (!vs.cats.includes(c) && vs.cats.length < 64) vs.cats = vs.cats.concat([c]);
    }
    const name = ev.name;
    if (name === 'PageEntered') {
      vs.pc++;
      vs.pgId = ev.pageID;
      vs.pgUrl = ev.url;
      vs.pgTitle = title;
      vs.pgCats = categories;
      vs.pgAt = rt;
      vs.pgEi = ev.id;
      vs.pgEn = n;
      vs.openPage(ev.pageID);
    } else if (name === 'PageExited') {
      vs.closePage(ev.pageID);
    } else if (samePage) {
      for (const c of categories)
        if (!vs.pgCats.includes(c) && vs.pgCats.length < 32) vs.pgCats = vs.pgCats.concat([c]);
      if (vs.pgTitle === null && title !== null) vs.pgTitle = title;
    }
    return ev;
  }

  /** The category list of a `;`-joined category string, shared between events (never mutated). */
  private categoriesOf(category: string): string[] {
    if (!category) return EMPTY;
    let list = this.categoryCache.get(category);
    if (list === undefined) {
      list = category.split(';').filter((c) => c !== '');
      Object.freeze(list);
      if (this.categoryCache.size >= 16_384) this.categoryCache.clear();
      this.categoryCache.set(category, list);
    }
    return list;
  }

  private setup(vs: VisitState, ar: ActiveRule, now: number): EvalCtx {
    const c = this.ctx;
    this.current = ar;
    this.currentVs = vs;
    c.vs = vs;
    c.now = now;
    c.binds = null;
    c.last = null;
    c.ev = null;
    c.keep = ar.rule.keepsEvents;
    return c;
  }

  private evalRule(vs: VisitState, ar: ActiveRule, ev: RuleEvent, out: ActionableEvent[]): void {
    const r = ar.rule;
    if (r.once && onceFired(vs, ar.rank)) return;
    const c = this.setup(vs, ar, ev.timestamp);
    const comps = r.comps;
    const rt = vs.t;
    for (let k = r.branchCount; k < comps.length; k++) {
      const comp = comps[k] as Extract<Component, { kind: 'window' }>;
      if (comp.filter.test(ev, c)) feedWindowAt(comp, vs.comps, ar.base + k, ev, rt, this.counters);
    }
    const done = this.completions;
    if (done.length !== 0) done.length = 0;
    for (let k = 0; k < r.branchCount; k++) {
      const comp = comps[k] as Component;
      const kind = comp.kind;
      if (kind === 'idle' || kind === 'dwell') continue;
      const slot = ar.base + k;
      if (kind === 'count') {
        if (!comp.filter.test(ev, c)) continue;
        const ids = stepCountAt(comp, vs.comps, slot, ev, rt, this.counters);
        if (ids !== null)
          done.push({
            ids,
            binds: bind(null, comp.filter.alias, ev),
            last: ev,
            pageID: ev.pageID,
            cutoff: ev.n,
            reject: null,
          });
      } else if (kind === 'all') stepSetAt(comp, vs.comps, slot, ev, rt, c, done);
      else if (kind === 'sequence') stepSequenceAt(comp, vs.comps, slot, ev, rt, c, done, this.counters);
      else {
        const before = vs.comps.get(slot);
        const after = stepBranch(comp, before, ev, rt, c, done);
        if (after !== before) this.put(vs, slot, after);
      }
    }
    if (done.length > 0) {
      this.settle(vs, ar, done, ev.timestamp, out);
      done.length = 0;
    }
  }

  private put(vs: VisitState, slot: number, st: unknown): void {
    if (st === undefined) vs.comps.delete(slot);
    else vs.comps.set(slot, st, (vs.rs as RuleSet).slotCodecs[slot] as SlotCodec);
  }

  /** Guard, refraction, actions and consumption for the completions of one rule at one evaluation point (§8.6–8). */
  private settle(
    vs: VisitState,
    ar: ActiveRule,
    done: Completion[],
    t: number,
    out: ActionableEvent[],
  ): void {
    const r = ar.rule;
    const c = this.setup(vs, ar, t);
    for (const comp of done) {
      c.binds = comp.binds;
      c.last = comp.last;
      let pass = true;
      if (r.where !== null) {
        try {
          pass = truthy(r.where(c));
        } catch {
          c.fault();
          pass = false;
        }
      }
      if (!pass) {
        comp.reject?.();
        continue;
      }
      const prev = r.once || r.cooldownMs !== null ? lastFiring(vs, ar) : undefined;
      const blocked = prev !== undefined && (r.once || (r.cooldownMs !== null && t - prev < r.cooldownMs));
      if (!blocked) {
        const ae = this.act(vs, ar, comp, c, t);
        if (ae) out.push(ae);
        recordFiring(vs, ar, t);
      }
      this.consume(vs, ar, comp.cutoff);
      return;
    }
  }

  private consume(vs: VisitState, ar: ActiveRule, cutoff: number): void {
    for (let k = 0; k < ar.rule.branchCount; k++) {
      const slot = ar.base + k;
      this.put(vs, slot, consumeBranch(ar.rule.comps[k] as Component, vs.comps.get(slot), cutoff));
    }
  }

  private act(
    vs: VisitState,
    ar: ActiveRule,
    comp: Completion,
    c: EvalCtx,
    t: number,
  ): ActionableEvent | null {
    let result: ActionableEvent | null = null;
    const r = ar.rule;
    const evalData = (data: [string, (c: EvalCtx) => unknown][]): Record<string, unknown> => {
      const o: Record<string, unknown> = {};
      for (const [k, f] of data) o[k] = this.safe(f, c);
      return o;
    };
    for (const a of r.actions) {
      if (a.do === 'setFact') {
        let v = this.safe(a.value, c);
        if (v !== null && typeof v !== 'boolean' && typeof v !== 'number' && typeof v !== 'string') {
          c.fault();
          continue;
        }
        if (typeof v === 'string' && v.length > 256) v = v.slice(0, 256);
        const facts = (vs.facts ??= {});
        if (v === null) delete facts[a.name];
        else if (a.name in facts || Object.keys(facts).length < MAX_FACTS) facts[a.name] = v as Scalar;
        else this.skippedFacts++;
        continue;
      }
      const ids = comp.ids;
      result = {
        id: actionableEventId(r.id, vs.visitID, t, ids, this.sha256),
        name: a.name,
        ruleId: r.id,
        rulePackage: r.pkg,
        visitID: vs.visitID,
        globalVisitID: vs.globalVisitID,
        pageID: comp.pageID,
        timestamp: t,
        engagement:
          a.do === 'engage'
            ? {
                channel: a.channel,
                queue: a.queue ?? this.queues[a.channel] ?? 'default',
                priority: a.priority,
              }
            : null,
        data: evalData(a.data),
        triggeringEventIDs: ids.slice(),
        identityId: vs.visitor?.identityId ?? null,
        categories: vs.pgId === null ? [] : vs.pgCats.slice(),
      };
    }
    return result;
  }

  private safe(f: (c: EvalCtx) => unknown, c: EvalCtx): unknown {
    try {
      const v = f(c);
      return v === undefined ? null : v;
    } catch {
      c.fault();
      return null;
    }
  }

  /** Fires due timers: deadline < limit (or ≤ when `inclusive`), earliest first; times relative to `t0`. */
  private runTimers(vs: VisitState, limit: number, inclusive: boolean, out: ActionableEvent[]): void {
    for (let guard = 0; guard < 10_000; guard++) {
      const idx = this.index(vs.pgUrl);
      let best = Infinity;
      for (const tr of idx.timers) {
        const d = this.timerDeadline(vs, tr.ar, tr.comp, tr.k);
        if (d < best) best = d;
      }
      if (!(inclusive ? best <= limit : best < limit)) break;
      const rt = best > vs.t ? best : vs.t;
      vs.t = rt;
      for (const tr of idx.timers) {
        if (this.timerDeadline(vs, tr.ar, tr.comp, tr.k) !== best) continue;
        this.fireTimer(vs, tr.ar, tr.comp, tr.k, vs.t0 + rt, out);
      }
    }
    vs.nx = this.computeNext(vs);
  }

  private timerDeadline(vs: VisitState, ar: ActiveRule, comp: Component, k: number): number {
    if (ar.rule.once && onceFired(vs, ar.rank)) return Infinity;
    return branchDeadline(comp, vs.comps.get(ar.base + k), vs);
  }

  private fireTimer(
    vs: VisitState,
    ar: ActiveRule,
    comp: Component,
    k: number,
    t: number,
    out: ActionableEvent[],
  ): void {
    const slot = ar.base + k;
    const st = vs.comps.get(slot);
    const pageID = vs.pgId;
    let completion: Completion;
    if (comp.kind === 'absence') {
      const p = st as PendingAbsence;
      const last = p.b ?? this.stub(p.i, p.n, p.p, vs.t0 + p.t, comp.filter.event);
      const alias = comp.filter.alias;
      completion = {
        ids: [p.i],
        binds: alias !== null ? { [alias]: last } : null,
        last,
        pageID,
        cutoff: p.n,
        reject: () => vs.comps.delete(slot),
      };
    } else if (comp.kind === 'idle') {
      const n = vs.n;
      completion = {
        ids: [vs.li],
        binds: null,
        last: vs.lb ?? this.stub(vs.li, n, vs.lp, vs.t0 + vs.lt, ''),
        pageID,
        cutoff: n,
        reject: () => vs.comps.set(slot, n, SlotCodec.BOX),
      };
    } else {
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
      completion = {
        ids: [vs.pgEi],
        binds: null,
        last,
        pageID,
        cutoff: en,
        reject: () => vs.comps.set(slot, en, SlotCodec.BOX),
      };
    }
    this.settle(vs, ar, [completion], t, out);
  }

  private stub(id: string, n: number, pageID: string, t: number, name: string): RuleEvent {
    return { id, n, name, type: '', url: '', title: null, categories: [], pageID, timestamp: t, data: {} };
  }

  /**
   * The earliest timer deadline relative to `t0` (`NO_DEADLINE`: none), without a lookup per timer: idle and dwell timers
   * are sorted by duration, so the first live one is the earliest of its kind; pending absences are found by one
   * walk over the visit's boxed states.
   */
  private computeNext(vs: VisitState): number {
    const idx = this.index(vs.pgUrl);
    if (idx.timers.length === 0) return NO_DEADLINE;
    let best = Infinity;
    if (vs.o1 !== null) best = this.firstLive(vs, idx.idles, vs.n, vs.lt);
    const page = vs.pgId;
    if (page !== null && vs.pgAt < best && vs.isOpen(page)) {
      const d = this.firstLive(vs, idx.dwells, vs.pgEn, vs.pgAt);
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
  private firstLive(vs: VisitState, list: readonly TimerRef[], n: number, from: number): number {
    for (let i = 0; i < list.length; i++) {
      const tr = list[i] as TimerRef;
      if (tr.ar.rule.once && onceFired(vs, tr.ar.rank)) continue;
      const st =
        vs.comps.boxes.length === 0 ? undefined : (vs.comps.getBox(tr.ar.base + tr.k) as number | undefined);
      if (n > (st ?? 0)) return from + (tr.comp as Extract<Component, { forMs: number }>).forMs;
    }
    return Infinity;
  }
}
