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

/** The visit's current page (the page of the most recent `PageEntered`). */
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

/** Engine state of one visit. Treat as opaque outside the engine; persist with {@link serializeVisitState}. */
export interface VisitState {
  visitID: string;
  globalVisitID: string;
  /** Last evaluation time. */
  t: number;
  /** Time of the first event. */
  t0: number;
  /** Events so far (= position of the last event). */
  n: number;
  /** `PageEntered` events so far. */
  pc: number;
  /** Id, page and time of the last event. */
  li: string;
  lp: string;
  lt: number;
  /** The last event in full, kept only when an `idle` rule reads `last`. */
  lb: RuleEvent | null;
  cats: string[];
  open: string[];
  pg: PageInfo | null;
  facts: Record<string, Scalar> | null;
  visitor: VisitorFacts | null;
  /** Refraction of `once per visit` rules: bit set by rule rank in `rs` (30 bits per word, so words stay small ints). */
  once: number[] | null;
  /** Refraction of `cooldown` rules: flat `[rank, time of last firing, …]`. */
  cool: number[] | null;
  /** Refraction by stable rule key (`0` for once-fired), after a restore and before the first evaluation. */
  keyedFired: Record<string, number> | null;
  /** Component states by slot of `rs`. */
  comps: SlotMap;
  /** Component states by stable key, after a restore and before the first evaluation. */
  keyed: Record<string, unknown> | null;
  /** The rule set `comps` refers to (opaque to this module). */
  rs: object | null;
  /** Cached next timer deadline; `Infinity` when none. */
  next: number;
}

/** Shared empty list of a fresh visit (never mutated: the engine replaces a list to grow it). */
const NO_STRINGS: readonly string[] = Object.freeze([]);

/** A fresh state for a visit. */
export function newVisitState(visitID: string, globalVisitID: string): VisitState {
  return {
    visitID,
    globalVisitID,
    t: 0,
    t0: 0,
    n: 0,
    pc: 0,
    li: '',
    lp: '',
    lt: 0,
    lb: null,
    cats: NO_STRINGS as string[],
    open: NO_STRINGS as string[],
    pg: null,
    facts: null,
    visitor: null,
    once: null,
    cool: null,
    keyedFired: null,
    comps: new SlotMap(),
    keyed: null,
    rs: null,
    next: Infinity,
  };
}

/** Snapshot form: component states keyed by stable component keys. */
interface Snapshot extends Omit<
  VisitState,
  'comps' | 'keyed' | 'rs' | 'next' | 'once' | 'cool' | 'keyedFired'
> {
  v: 1;
  c: Record<string, unknown>;
  f: Record<string, number>;
}

/** How a rule set names its slots and rules in snapshots. */
export interface SnapshotKeys {
  slotKey: (slot: number) => string | undefined;
  ruleKey: (rank: number) => string | undefined;
}

/**
 * Compact JSON of a visit state. `keyOf` maps a slot of the state's rule set to its stable key (the engine passes
 * it; see `RuleEngine.serialize`).
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
  const { comps: _c, keyed: _k, rs: _r, next: _n, once: _o, cool: _l, keyedFired: _f, ...rest } = vs;
  const snap: Snapshot = { v: 1, ...rest, c, f };
  return JSON.stringify(snap);
}

/** Restores a state from {@link serializeVisitStateWith} output; components re-attach at the next evaluation. */
export function restoreVisitState(json: string): VisitState {
  const snap = JSON.parse(json) as Snapshot;
  if (snap.v !== 1) throw new Error(`unsupported rule state version ${String(snap.v)}`);
  const { v: _v, c, f, ...rest } = snap;
  return {
    ...rest,
    comps: new SlotMap(),
    keyed: c,
    once: null,
    cool: null,
    keyedFired: f,
    rs: null,
    next: Infinity,
  };
}
