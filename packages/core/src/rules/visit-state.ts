/**
 * The per-visit state of the rules engine (spec/rules.md §1 key, §8.10–8.12) and its compact JSON form. Everything
 * the engine keeps for a visit lives here: visit counters, the current page, facts, refraction records and the
 * state of each rule component. Refraction is a bit set and a short list indexed by rule rank, because a visit
 * that has seen many rules fire must still fit in well under 1 KB. In memory, component states are keyed by the component's slot in the active rule
 * set; serialized, by a short stable key derived from rule id and `when` fingerprint, so a snapshot restores into
 * a newer rule set and state survives hot reloads exactly when the spec says it should.
 */
import type { Scalar } from './ast.js';
import { SlotMap } from './slot-map.js';

/** The event as rules see it (§1): built once per event from a `StoredEvent`. */
export interface RuleEvent {
  id: string;
  /** Position of the event in its visit (1-based), used for consumption. */
  n: number;
  name: string;
  type: string;
  url: string;
  title: string | null;
  categories: string[];
  pageID: string;
  /** Server arrival time (`receivedAt`), clamped so time never goes backwards in a visit. */
  timestamp: number;
  data: Record<string, unknown>;
}

/** Read-only cross-visit inputs supplied by the server (§6). */
export interface VisitorFacts {
  state: 'Anonymous' | 'Recognized' | 'Authenticated';
  identityId: string | null;
  verified: boolean;
  visitCount: number;
}

/** The visit's current page (the page of the most recent `PageEntered`), as snapshots store it. */
export interface PageInfo {
  id: string;
  url: string;
  title: string | null;
  cats: string[];
  /** Time of its `PageEntered`. */
  at: number;
  /** Id and position of its `PageEntered`. */
  ei: string;
  en: number;
}

/** Shared empty list of a fresh visit (never mutated: the engine replaces a list to grow it). */
const NO_STRINGS: readonly string[] = Object.freeze([]);

/**
 * `VisitState.nx` when no timer is pending: a small integer no deadline can equal (relative deadlines are at least
 * `-2^30` ms plus a duration after the visit's time base moves; see `RuleEngine`).
 */
export const NO_DEADLINE = -(2 ** 31);

/** At most this many pages are tracked as open; beyond, the oldest is forgotten. */
const MAX_OPEN = 16;

/**
 * Engine state of one visit. Treat as opaque outside the engine; persist with {@link serializeVisitStateWith}.
 * One object with every field in place (one hidden class, no nested page object or component map, no list of
 * open pages for the usual one or two): an event touches this object and its packed state array and little else. Times are relative to
 * `t0`, the visit's first event, so they stay small integers instead of boxed doubles.
 */
export class VisitState extends SlotMap {
  /** Time of the first event (absolute ms). */
  t0 = 0;
  /** Last evaluation time, relative to `t0`. */
  t = 0;
  /** Events so far (= position of the last event). */
  n = 0;
  /** `PageEntered` events so far. */
  pc = 0;
  /** Id, page and (relative) time of the last event. */
  li = '';
  lp = '';
  lt = 0;
  /** The last event in full, kept only when an `idle` rule reads `last`. */
  lb: RuleEvent | null = null;
  cats: string[] = NO_STRINGS as string[];
  /** Open pages: the oldest in `o1`, others (rare) in `om`. */
  o1: string | null = null;
  om: string[] | null = null;
  /** Current page: id (`null` = none), url, title, categories, relative time and id/position of its `PageEntered`. */
  pgId: string | null = null;
  pgUrl = '';
  pgTitle: string | null = null;
  pgCats: string[] = NO_STRINGS as string[];
  pgAt = 0;
  pgEi = '';
  pgEn = 0;
  facts: Record<string, Scalar> | null = null;
  visitor: VisitorFacts | null = null;
  /** Refraction of `once per visit` rules: bit set by rule rank in `rs` (30 bits per word, so words stay small ints). */
  once: number[] | null = null;
  /** Refraction of `cooldown` rules: flat `[rank, time of last firing, …]`. */
  cool: number[] | null = null;
  /** Refraction by stable rule key (`0` for once-fired), after a restore and before the first evaluation. */
  keyedFired: Record<string, number> | null = null;
  /** Component states by stable key, after a restore and before the first evaluation. */
  keyed: Record<string, unknown> | null = null;
  /** The rule set `comps` refers to (opaque to this module). */
  rs: object | null = null;
  /** Cached next timer deadline relative to `t0` (negative after the base moved); `NO_DEADLINE` when none. */
  nx = NO_DEADLINE;

  constructor(
    readonly visitID: string,
    readonly globalVisitID: string,
  ) {
    super();
  }

  /**
   * Component states by slot of `rs`. The visit is its own component map (it extends `SlotMap`), so an event
   * reaches its state through one object fewer.
   */
  get comps(): SlotMap {
    return this;
  }

  get openCount(): number {
    return this.o1 === null ? 0 : this.om === null ? 1 : 1 + this.om.length;
  }

  isOpen(id: string): boolean {
    return this.o1 === id || (this.om !== null && this.om.includes(id));
  }

  openPage(id: string): void {
    if (this.o1 === null) {
      this.o1 = id;
      return;
    }
    if (this.isOpen(id)) return;
    const om = this.om;
    if (om === null) this.om = [id];
    else if (om.length + 1 >= MAX_OPEN) {
      this.o1 = om[0] as string;
      for (let j = 1; j < om.length; j++) om[j - 1] = om[j] as string;
      om[om.length - 1] = id;
    } else this.om = om.concat([id]);
  }

  closePage(id: string): void {
    const om = this.om;
    if (this.o1 === id) {
      if (om === null) this.o1 = null;
      else {
        this.o1 = om[0] as string;
        this.om = om.length > 1 ? om.slice(1) : null;
      }
      return;
    }
    if (om === null) return;
    const at = om.indexOf(id);
    if (at < 0) return;
    this.om = om.length > 1 ? om.filter((_, j) => j !== at) : null;
  }

  /** Open pages, oldest first. */
  openPages(): string[] {
    return this.o1 === null ? [] : this.om === null ? [this.o1] : [this.o1, ...this.om];
  }

  /** The current page in snapshot form (absolute time), or `null`. */
  page(): PageInfo | null {
    if (this.pgId === null) return null;
    return {
      id: this.pgId,
      url: this.pgUrl,
      title: this.pgTitle,
      cats: this.pgCats,
      at: this.t0 + this.pgAt,
      ei: this.pgEi,
      en: this.pgEn,
    };
  }
}

/** A fresh state for a visit. */
export function newVisitState(visitID: string, globalVisitID: string): VisitState {
  return new VisitState(visitID, globalVisitID);
}

/** Snapshot form (version 1): absolute times, the current page as an object, component states by stable key. */
interface Snapshot {
  v: 1;
  visitID: string;
  globalVisitID: string;
  t: number;
  t0: number;
  n: number;
  pc: number;
  li: string;
  lp: string;
  lt: number;
  lb: RuleEvent | null;
  cats: string[];
  open: string[];
  pg: PageInfo | null;
  facts: Record<string, Scalar> | null;
  visitor: VisitorFacts | null;
  c: Record<string, unknown>;
  f: Record<string, number>;
}

/** How a rule set names its slots and rules in snapshots. */
export interface SnapshotKeys {
  slotKey: (slot: number) => string | undefined;
  ruleKey: (rank: number) => string | undefined;
}

/**
 * Compact JSON of a visit state. `keys` maps slots and rule ranks of the state's rule set to stable keys (the
 * engine passes them; see `RuleEngine.serialize`).
 */
export function serializeVisitStateWith(vs: VisitState, keys: SnapshotKeys): string {
  const c: Record<string, unknown> = { ...vs.keyed };
  for (const [slot, st] of vs.comps) {
    const key = keys.slotKey(slot);
    if (key !== undefined && st !== undefined) c[key] = st;
  }
  const f: Record<string, number> = { ...vs.keyedFired };
  if (vs.once) {
    vs.once.forEach((word, w) => {
      for (let b = 0; b < 30; b++) {
        const key = word & (1 << b) ? keys.ruleKey(w * 30 + b) : undefined;
        if (key !== undefined) f[key] = 0;
      }
    });
  }
  if (vs.cool) {
    for (let j = 0; j < vs.cool.length; j += 2) {
      const key = keys.ruleKey(vs.cool[j] as number);
      if (key !== undefined) f[key] = vs.cool[j + 1] as number;
    }
  }
  const snap: Snapshot = {
    v: 1,
    visitID: vs.visitID,
    globalVisitID: vs.globalVisitID,
    t: vs.n === 0 ? 0 : vs.t0 + vs.t,
    t0: vs.t0,
    n: vs.n,
    pc: vs.pc,
    li: vs.li,
    lp: vs.lp,
    lt: vs.n === 0 ? 0 : vs.t0 + vs.lt,
    lb: vs.lb,
    cats: vs.cats,
    open: vs.openPages(),
    pg: vs.page(),
    facts: vs.facts,
    visitor: vs.visitor,
    c,
    f,
  };
  return JSON.stringify(snap);
}

/** Restores a state from {@link serializeVisitStateWith} output; components re-attach at the next evaluation. */
export function restoreVisitState(json: string): VisitState {
  const snap = JSON.parse(json) as Snapshot;
  if (snap.v !== 1) throw new Error(`unsupported rule state version ${String(snap.v)}`);
  const vs = new VisitState(snap.visitID, snap.globalVisitID);
  vs.t0 = snap.t0;
  vs.t = snap.n === 0 ? 0 : snap.t - snap.t0;
  vs.n = snap.n;
  vs.pc = snap.pc;
  vs.li = snap.li;
  vs.lp = snap.lp;
  vs.lt = snap.n === 0 ? 0 : snap.lt - snap.t0;
  vs.lb = snap.lb;
  vs.cats = snap.cats;
  for (const id of snap.open) vs.openPage(id);
  const pg = snap.pg;
  if (pg !== null) {
    vs.pgId = pg.id;
    vs.pgUrl = pg.url;
    vs.pgTitle = pg.title;
    vs.pgCats = pg.cats;
    vs.pgAt = pg.at - snap.t0;
    vs.pgEi = pg.ei;
    vs.pgEn = pg.en;
  }
  vs.facts = snap.facts;
  vs.visitor = snap.visitor;
  vs.keyed = snap.c;
  vs.keyedFired = snap.f;
  return vs;
}
