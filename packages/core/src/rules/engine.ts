/**
 * The keyed rules engine (spec/rules.md §1, §8): pure, no I/O, no clock. The caller owns one `VisitState` per visit
 * and hands it in with each event (`onEvent`) or when a timer is due (`fireTimers`); time comes only from the
 * event's `receivedAt` or the `now` passed in. The engine returns the actionable events of that evaluation point
 * and exposes the visit's next timer deadline, so a host can keep one timer wheel for all visits and persist the
 * state (`serialize`/`restore`) with the deadline.
 */
import type { Channel } from './ast.js';
import type { ActionableEvent } from './actionable.js';
import type { ActionContext } from './actions.js';
import { runActions } from './actions.js';
import type { CompiledPackage, Component } from './compile.js';
import type { Completion, Counters } from './components.js';
import { bind, consumeBranch, stepBranch } from './components.js';
import { consumeCountAt, feedWindowAt, stepCountAt, windowCountAt } from './flat-matchers.js';
import { stepSequenceAt, stepSetAt } from './step-matchers.js';
import type { EvalCtx } from './expr.js';
import { truthy } from './expr.js';
import type { ActiveRule, RuleIndex } from './rule-set.js';
import { candidatesOf, hostOf, RuleSet } from './rule-set.js';
import { sha256Hex } from './sha256.js';
import { lastFiring, onceFired, recordFiring } from './refraction.js';
import type { RuleEvent, VisitorFacts, VisitState } from './visit-state.js';
import { earliestDeadline, timerCompletion, timerDeadline } from './timers.js';
import { EventTracker } from './tracking.js';
import type { EngineEvent } from './tracking.js';
import { NO_DEADLINE, newVisitState, restoreVisitState, serializeVisitStateWith } from './visit-state.js';
import { moveTimeBase, moveToRuleSet, putState, sweepVisit } from './visit-upkeep.js';

export type { EngineEvent } from './tracking.js';

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

/** Largest time relative to a visit's base `t0` before the base moves (see `relative`). */
const MAX_RELATIVE_MS = 2 ** 30;

export class RuleEngine {
  private rs: RuleSet;
  private readonly domainSeparation: boolean;
  private readonly actions: ActionContext;
  private readonly counters: Counters = { dropped: 0 };
  private readonly faults = new Map<string, number>();
  private readonly completions: Completion[] = [];
  private readonly tracker = new EventTracker();
  private current: ActiveRule | null = null;
  private currentVs: VisitState | null = null;
  private readonly ctx: EvalCtx;

  constructor(opts: RuleEngineOptions = {}) {
    this.domainSeparation = opts.domainSeparation ?? false;
    this.actions = { sha256: opts.sha256 ?? sha256Hex, queues: opts.defaultQueues ?? {}, skippedFacts: 0 };
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
    const ev = this.tracker.track(vs, se, rt, this.rs);
    if ((ev.n & 15) === 0) sweepVisit(vs, rt);
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
      skippedFacts: this.actions.skippedFacts,
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
    moveTimeBase(vs, since);
    vs.nx = this.computeNext(vs);
    return 0;
  }

  /** Moves a visit onto the current rule set (§8.13), between two evaluation points. */
  private attach(vs: VisitState): void {
    if (vs.rs === this.rs) return;
    moveToRuleSet(vs, this.rs);
    vs.nx = this.computeNext(vs);
  }

  private index(url: string): RuleIndex {
    return this.domainSeparation ? this.rs.indexForHost(hostOf(url)) : this.rs.indexForHost(null);
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
      else if (kind === 'event') stepBranch(comp, undefined, ev, rt, c, done);
      else {
        // absence: its state is boxed, so no walk over the packed segments when nothing is pending
        const before = vs.comps.getBox(slot);
        const after = stepBranch(comp, before, ev, rt, c, done);
        if (after !== before) putState(vs, slot, after);
      }
    }
    if (done.length > 0) {
      this.settle(vs, ar, done, ev.timestamp, out);
      done.length = 0;
    }
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
        const ae = runActions(vs, ar.rule, comp, c, t, this.actions);
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
      const comp = ar.rule.comps[k] as Component;
      if (comp.kind === 'count') consumeCountAt(comp, vs.comps, slot, cutoff);
      else putState(vs, slot, consumeBranch(comp, vs.comps.get(slot), cutoff));
    }
  }

  /** Fires due timers: deadline < limit (or ≤ when `inclusive`), earliest first; times relative to `t0`. */
  private runTimers(vs: VisitState, limit: number, inclusive: boolean, out: ActionableEvent[]): void {
    for (let guard = 0; guard < 10_000; guard++) {
      const idx = this.index(vs.pgUrl);
      let best = Infinity;
      for (const tr of idx.timers) {
        const d = timerDeadline(vs, tr);
        if (d < best) best = d;
      }
      if (!(inclusive ? best <= limit : best < limit)) break;
      const rt = best > vs.t ? best : vs.t;
      vs.t = rt;
      for (const tr of idx.timers) {
        if (timerDeadline(vs, tr) !== best) continue;
        this.fireTimer(vs, tr.ar, tr.comp, tr.k, vs.t0 + rt, out);
      }
    }
    vs.nx = this.computeNext(vs);
  }

  private fireTimer(
    vs: VisitState,
    ar: ActiveRule,
    comp: Component,
    k: number,
    t: number,
    out: ActionableEvent[],
  ): void {
    this.settle(vs, ar, [timerCompletion(vs, comp, ar.base + k)], t, out);
  }

  /** The earliest timer deadline relative to `t0`, or `NO_DEADLINE`. */
  private computeNext(vs: VisitState): number {
    return earliestDeadline(vs, this.index(vs.pgUrl));
  }
}
