/**
 * A deployed set of compiled packages, arranged for evaluation (spec/rules.md §1, §2, §12): rules in evaluation
 * order, a global slot per rule component (the key of per-visit state), and per combination of applicable
 * packages an index from event name / category to the rules whose filters can match, so an event never touches a
 * rule that cannot match it. Immutable: a reload builds a new one and visits move over between evaluation points.
 */
import type { CompiledPackage, CompiledRule, Component } from './compile.js';
import { SlotCodec } from './slot-map.js';

/** A rule placed in a rule set. */
export interface ActiveRule {
  rule: CompiledRule;
  /** Scratch mark used while collecting the candidates of one event. */
  mark: number;
  /** Evaluation order (0 first). */
  rank: number;
  /** Slot of component 0; component k lives at `base + k`. */
  base: number;
}

export interface TimerRef {
  ar: ActiveRule;
  comp: Component;
  k: number;
}

/** Candidate rules per event name and category, in rank order. */
export interface RuleIndex {
  /** Filters with a name and no category. */
  byName: Map<string, ActiveRule[]>;
  /** Filters with a name and categories: name → category → rules. */
  byNameCategory: Map<string, Map<string, ActiveRule[]>>;
  /** Filters on any event (`*`) with categories. */
  byCategory: Map<string, ActiveRule[]>;
  wildcard: ActiveRule[];
  timers: TimerRef[];
  /** The `idle` and the `dwell` timers, each by ascending duration (the first live one is the earliest). */
  idles: TimerRef[];
  dwells: TimerRef[];
  /** The `absence` timer of each slot (indexed by slot), for a walk over a visit's boxed states. */
  absenceAt: (TimerRef | null)[];
  maxWindowMs: number;
  /** Merged candidate lists by event name, then by the engine's shared category list (bounded cache). */
  merged: Map<string, Map<readonly string[], readonly ActiveRule[]>>;
  mergedSize: number;
}

const NO_RULES: readonly ActiveRule[] = Object.freeze([]);
const byRank = (a: ActiveRule, b: ActiveRule): number => a.rank - b.rank;
const MAX_MERGED = 65536;

/**
 * Rules whose filters can match an event of `name` with categories `cats`, in evaluation order, deduplicated.
 * `cats` is the engine's shared list for the event's category string (one object per distinct string), so the
 * merged list is cached on the index by name and by that object's identity: after warm-up an event costs two map
 * lookups, neither of which hashes or compares the category string, and no allocation.
 */
export function candidatesOf(idx: RuleIndex, name: string, cats: readonly string[]): readonly ActiveRule[] {
  let inner = idx.merged.get(name);
  const hit = inner?.get(cats);
  if (hit !== undefined) return hit;
  const seen = new Set<ActiveRule>();
  const add = (l: readonly ActiveRule[] | undefined): void => {
    if (l) for (const ar of l) seen.add(ar);
  };
  add(idx.byName.get(name));
  const byCat = idx.byNameCategory.get(name);
  for (const c of cats) {
    add(byCat?.get(c));
    add(idx.byCategory.get(c));
  }
  add(idx.wildcard);
  const list = seen.size === 0 ? NO_RULES : Object.freeze([...seen].sort(byRank));
  if (idx.mergedSize >= MAX_MERGED) {
    idx.merged.clear();
    idx.mergedSize = 0;
    inner = undefined;
  }
  if (inner === undefined) idx.merged.set(name, (inner = new Map()));
  inner.set(cats, list);
  idx.mergedSize++;
  return list;
}

/**
 * Sequences hold arrays of partial matches; counts, windows and sets flat lists; the others one value. Sequences
 * and sets without aliases leave their (always `null`) bindings out of the packed form.
 */
const codecOf = (c: Component): SlotCodec =>
  c.kind === 'sequence'
    ? c.aliasFree
      ? SlotCodec.SEQ_NB
      : SlotCodec.SEQ
    : c.kind === 'all'
      ? c.aliasFree
        ? SlotCodec.FLAT_NB
        : SlotCodec.FLAT
      : c.kind === 'count' || c.kind === 'window'
        ? SlotCodec.FLAT
        : SlotCodec.BOX;

const depth = (pkg: string): number => (pkg === 'default' ? 0 : pkg.split('.').length);

export class RuleSet {
  readonly rules: ActiveRule[];
  /** Stable key of each slot. */
  readonly slotKeys: string[] = [];
  readonly slotByKey = new Map<string, number>();
  /** Component of each slot. */
  readonly slotComps: Component[] = [];
  /** How each slot's state is packed in a visit (see `SlotMap`). */
  readonly slotCodecs: SlotCodec[] = [];
  /** Stable key of each rule (by rank) for refraction records, and back. */
  readonly ruleKeys: string[] = [];
  readonly rankByRuleKey = new Map<string, number>();
  /** Some rule reads `visit.categories` (otherwise they are not tracked). */
  readonly tracksVisitCategories: boolean;
  /** Ids of every deployed rule, disabled ones included (refraction records survive while the id exists). */
  readonly ruleIds = new Set<string>();
  readonly packageNames: Set<string>;
  readonly keepsLastEvent: boolean;
  /** Some rule may keep a reference to an event in visit state; otherwise the engine reuses one event object. */
  readonly retainsEvents: boolean;
  readonly domainSeparation: boolean;
  private readonly indexes = new Map<string, RuleIndex>();
  private readonly hostIndexes = new Map<string, RuleIndex>();
  private defaultIndex: RuleIndex | null = null;

  constructor(packages: readonly CompiledPackage[], domainSeparation: boolean) {
    this.domainSeparation = domainSeparation;
    this.packageNames = new Set(packages.map((p) => p.name));
    const all = packages.flatMap((p) => p.rules);
    for (const r of all) this.ruleIds.add(r.id);
    const enabled = all
      .filter((r) => !r.disabled)
      .sort(
        (a, b) =>
          b.priority - a.priority ||
          depth(a.pkg) - depth(b.pkg) ||
          (a.pkg < b.pkg ? -1 : a.pkg > b.pkg ? 1 : 0) ||
          a.position - b.position,
      );
    let slot = 0;
    this.rules = enabled.map((rule, rank) => {
      const ar = { rule, rank, base: slot, mark: 0 };
      for (const c of rule.comps) {
        this.slotKeys.push(c.key);
        this.slotComps.push(c);
        this.slotCodecs.push(codecOf(c));
        this.slotByKey.set(c.key, slot++);
      }
      this.ruleKeys.push(rule.ruleKey);
      this.rankByRuleKey.set(rule.ruleKey, rank);
      return ar;
    });
    this.tracksVisitCategories = enabled.some((r) => r.readsVisitCategories);
    this.retainsEvents = enabled.some((r) => r.retainsEvents);
    this.keepsLastEvent = enabled.some((r) => r.keepsEvents && r.comps.some((c) => c.kind === 'idle'));
  }

  /** The index for events of URL host `host` (ignored without domain separation). */
  indexForHost(host: string | null): RuleIndex {
    if (!this.domainSeparation) return (this.defaultIndex ??= this.indexFor(['default']));
    const cached = this.hostIndexes.get(host ?? '');
    if (cached) return cached;
    const names = ['default'];
    if (host) {
      const labels = host.split('.').reverse();
      for (let i = 1; i <= labels.length; i++) names.push(labels.slice(0, i).join('.'));
    }
    const idx = this.indexFor(names.filter((n, i) => i === 0 || this.packageNames.has(n)));
    if (this.hostIndexes.size > 10_000) this.hostIndexes.clear();
    this.hostIndexes.set(host ?? '', idx);
    return idx;
  }

  /** Whether package `name` is applied to anything (inactive packages are deployed but never applied). */
  isActive(name: string): boolean {
    return name === 'default' || this.domainSeparation;
  }

  private indexFor(pkgs: string[]): RuleIndex {
    const key = pkgs.join(' ');
    const cached = this.indexes.get(key);
    if (cached) return cached;
    const wanted = new Set(pkgs);
    const idx: RuleIndex = {
      byName: new Map(),
      byNameCategory: new Map(),
      byCategory: new Map(),
      wildcard: [],
      timers: [],
      idles: [],
      dwells: [],
      absenceAt: [],
      maxWindowMs: 0,
      merged: new Map(),
      mergedSize: 0,
    };
    const add = (map: Map<string, ActiveRule[]>, k: string, ar: ActiveRule): void => {
      const list = map.get(k) ?? [];
      if (list.at(-1) !== ar) list.push(ar);
      map.set(k, list);
    };
    for (const ar of this.rules) {
      if (!wanted.has(ar.rule.pkg)) continue;
      idx.maxWindowMs = Math.max(idx.maxWindowMs, ar.rule.maxWindowMs);
      for (const f of ar.rule.filters) {
        if (f.categories !== null && f.event !== '*') {
          let inner = idx.byNameCategory.get(f.event);
          if (!inner) idx.byNameCategory.set(f.event, (inner = new Map()));
          for (const c of f.categories) add(inner, c, ar);
        } else if (f.categories !== null) for (const c of f.categories) add(idx.byCategory, c, ar);
        else if (f.event !== '*') add(idx.byName, f.event, ar);
        else if (idx.wildcard.at(-1) !== ar) idx.wildcard.push(ar);
      }
      ar.rule.comps.forEach((comp, k) => {
        if (comp.kind !== 'absence' && comp.kind !== 'idle' && comp.kind !== 'dwell') return;
        const tr = { ar, comp, k };
        idx.timers.push(tr);
        if (comp.kind === 'idle') idx.idles.push(tr);
        else if (comp.kind === 'dwell') idx.dwells.push(tr);
        else idx.absenceAt[ar.base + k] = tr;
      });
    }
    const forMs = (tr: TimerRef): number => (tr.comp as Extract<Component, { forMs: number }>).forMs;
    idx.idles.sort((a, b) => forMs(a) - forMs(b));
    idx.dwells.sort((a, b) => forMs(a) - forMs(b));
    for (let s = 0; s < idx.absenceAt.length; s++) idx.absenceAt[s] ??= null;
    this.indexes.set(key, idx);
    return idx;
  }
}

/** Lowercase host of a URL without port or user info; `null` when unparsable. */
export function hostOf(url: string): string | null {
  const s = url.indexOf('://');
  if (s < 0) return null;
  let start = s + 3;
  let end = url.length;
  for (let i = start; i < url.length; i++) {
    const c = url.charCodeAt(i);
    if (c === 47 || c === 63 || c === 35) {
      end = i;
      break;
    }
  }
  const at = url.lastIndexOf('@', end);
  if (at >= start) start = at + 1;
  let host = url.slice(start, end);
  const colon = host.lastIndexOf(':');
  if (colon >= 0 && !host.endsWith(']')) host = host.slice(0, colon);
  host = host.toLowerCase();
  return /^[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(host) ? host : null;
}
