/**
 * The compiler (spec/rules.md §2, §4): text or JSON in, checked and compiled package out. A package compiles once
 * per deploy into components (one per `or` branch, plus one per `count(...)` window used in an expression) whose
 * filters and expressions are closures, so the engine's hot path does no interpretation of the AST.
 */
import type { Action, Channel, Expr, Filter, Pattern, RuleDiagnostic, RulePackage } from './ast.js';
import type { CompiledFilter, Evaluator, EvalCtx, ExprEnv } from './expr.js';
import { compileEventPath, compileExpr, compileFilter } from './expr.js';
import { checkPackage } from './check.js';
import { parseRuleText } from './parser.js';
import { RuleSyntaxError } from './lexer.js';
import { sha256Hex } from './sha256.js';
import type { RuleEvent } from './visit-state.js';

export type Component =
  | { kind: 'event'; key: string; filter: CompiledFilter }
  | { kind: 'absence'; key: string; filter: CompiledFilter; absent: CompiledFilter; forMs: number }
  | {
      kind: 'count';
      key: string;
      filter: CompiledFilter;
      distinct: ((ev: RuleEvent) => unknown) | null;
      withinMs: number;
      min: number;
    }
  | {
      kind: 'sequence' | 'all';
      key: string;
      steps: { filter: CompiledFilter; times: number }[];
      withinMs: number;
      unless: CompiledFilter | null;
      /** No step binds an alias: partial matches at the same progress are interchangeable. */
      aliasFree: boolean;
    }
  | { kind: 'idle' | 'dwell'; key: string; forMs: number }
  /** A `count(...) within D` read by an expression. */
  | {
      kind: 'window';
      key: string;
      filter: CompiledFilter;
      distinct: ((ev: RuleEvent) => unknown) | null;
      withinMs: number;
    };

/** Every field of every component kind, so that all components share one hidden class (monomorphic hot path). */
interface ComponentFields {
  kind: Component['kind'];
  key: string;
  filter?: CompiledFilter;
  absent?: CompiledFilter;
  forMs?: number;
  distinct?: ((ev: RuleEvent) => unknown) | null;
  withinMs?: number;
  min?: number;
  steps?: { filter: CompiledFilter; times: number }[];
  unless?: CompiledFilter | null;
  aliasFree?: boolean;
}

/** A component with all fields present, in one order (absent ones `null`/0). */
function component<C extends Component>(c: C): C {
  const f = c as ComponentFields;
  const shaped: Required<ComponentFields> = {
    kind: f.kind,
    key: f.key,
    filter: f.filter ?? (null as unknown as CompiledFilter),
    absent: f.absent ?? (null as unknown as CompiledFilter),
    forMs: f.forMs ?? 0,
    distinct: f.distinct ?? null,
    withinMs: f.withinMs ?? 0,
    min: f.min ?? 0,
    steps: f.steps ?? [],
    unless: f.unless ?? null,
    aliasFree: f.aliasFree ?? false,
  };
  return shaped as unknown as C;
}

export type CompiledAction =
  | {
      do: 'engage';
      channel: Channel;
      name: string;
      queue: string | null;
      priority: number;
      data: [string, Evaluator][];
    }
  | { do: 'setFact'; name: string; value: Evaluator }
  | { do: 'emit'; name: string; data: [string, Evaluator][] };

export interface CompiledRule {
  id: string;
  pkg: string;
  name: string;
  /** Position in the package text. */
  position: number;
  priority: number;
  once: boolean;
  cooldownMs: number | null;
  disabled: boolean;
  /** `or` branches first, then expression windows. */
  comps: Component[];
  branchCount: number;
  where: Evaluator | null;
  actions: CompiledAction[];
  /** Every filter, for the index. */
  filters: CompiledFilter[];
  /** The rule reads `last` or an alias after a timer completion: keep the bound events. */
  keepsEvents: boolean;
  /** Largest window or timer, for state expiry. */
  maxWindowMs: number;
  hasTimer: boolean;
  /** Stable key of the rule id, for refraction records in snapshots. */
  ruleKey: string;
  readsVisitCategories: boolean;
  /** Some state of the rule may keep a reference to an event (aliases, `last` after a timer). */
  retainsEvents: boolean;
}

export interface CompiledPackage {
  name: string;
  ast: RulePackage;
  rules: CompiledRule[];
  warnings: RuleDiagnostic[];
}

export interface CompileOptions {
  /** Known category names; other names in `in "…"` give a warning. */
  knownCategories?: ReadonlySet<string>;
}

export interface CompileResult {
  ok: boolean;
  errors: RuleDiagnostic[];
  warnings: RuleDiagnostic[];
  ast: RulePackage | null;
  compiled: CompiledPackage | null;
}

/** Canonical JSON (sorted keys) for fingerprints. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** Compiles a package from its text form or its JSON form (AST). Never throws on bad input. */
export function compileRules(source: string | unknown, opts: CompileOptions = {}): CompileResult {
  let ast: unknown = source;
  let positions;
  if (typeof source === 'string') {
    try {
      ({ ast, positions } = parseRuleText(source));
    } catch (e) {
      if (!(e instanceof RuleSyntaxError)) throw e;
      return {
        ok: false,
        errors: [{ line: e.line, column: e.column, message: e.message }],
        warnings: [],
        ast: null,
        compiled: null,
      };
    }
  }
  const { errors, warnings } = checkPackage(ast, { positions, knownCategories: opts.knownCategories });
  if (errors.length > 0) return { ok: false, errors, warnings, ast: null, compiled: null };
  const pkg = ast as RulePackage;
  return { ok: true, errors, warnings, ast: pkg, compiled: buildPackage(pkg, warnings) };
}

const usesLast = (v: unknown): boolean => canonicalJson(v).includes('"path":["last"');

function buildPackage(pkg: RulePackage, warnings: RuleDiagnostic[]): CompiledPackage {
  const rules = pkg.rules.map((r, position): CompiledRule => {
    const id = `${pkg.package}/${r.name}`;
    const fp = sha256Hex(canonicalJson(r.when)).slice(0, 16);
    const comps: Component[] = [];
    const filters: CompiledFilter[] = [];
    const windows: Component[] = [];
    const key = (k: number, extra = ''): string => sha256Hex(`${id}\n${fp}\n${k}\n${extra}`).slice(0, 10);
    const env: ExprEnv = {
      count: (e) => {
        const index = windows.length;
        const filter = filt(e.count);
        windows.push(
          component({
            kind: 'window',
            key: key(1000 + index, canonicalJson(e)),
            filter,
            distinct: e.distinct ? compileEventPath(e.distinct) : null,
            withinMs: e.withinMs,
          }),
        );
        // the component index is known once the branches are counted; resolved lazily
        return (c: EvalCtx) => c.windows(index);
      },
    };
    const filt = (f: Filter): CompiledFilter => {
      const cf = compileFilter(f, env);
      filters.push(cf);
      return cf;
    };
    const branches = r.when.op === 'or' ? r.when.args : [r.when];
    let maxWindowMs = 0;
    let hasTimer = false;
    const push = (c: Component): void => void comps.push(component(c));
    branches.forEach((p: Pattern, k) => {
      const ck = key(k);
      switch (p.op) {
        case 'event':
          push({ kind: 'event', key: ck, filter: filt(p.filter) });
          break;
        case 'absence':
          hasTimer = true;
          maxWindowMs = Math.max(maxWindowMs, p.forMs);
          push({
            kind: 'absence',
            key: ck,
            filter: filt(p.filter),
            absent: filt(p.absent),
            forMs: p.forMs,
          });
          break;
        case 'count':
          maxWindowMs = Math.max(maxWindowMs, p.withinMs);
          push({
            kind: 'count',
            key: ck,
            filter: filt(p.filter),
            distinct: p.distinct ? compileEventPath(p.distinct) : null,
            withinMs: p.withinMs,
            min: p.min,
          });
          break;
        case 'sequence':
        case 'all':
          maxWindowMs = Math.max(maxWindowMs, p.withinMs);
          push({
            kind: p.op,
            key: ck,
            steps: p.steps.map((s) => ({ filter: filt(s.filter), times: s.times })),
            withinMs: p.withinMs,
            unless: p.unless ? filt(p.unless) : null,
            aliasFree: p.steps.every((s) => s.filter.as === null),
          });
          break;
        case 'idle':
        case 'dwell':
          hasTimer = true;
          maxWindowMs = Math.max(maxWindowMs, p.forMs);
          push({ kind: p.op, key: ck, forMs: p.forMs });
          break;
        case 'or':
          break;
      }
    });
    const where = r.where ? compileExpr(r.where, env) : null;
    const actions = r.then.map((a) => compileAction(a, env));
    for (const w of windows) maxWindowMs = Math.max(maxWindowMs, (w as { withinMs: number }).withinMs);
    const branchCount = comps.length;
    comps.push(...windows);
    const aliased = branches.some((b) => b.op === 'absence' && b.filter.as !== null);
    return {
      id,
      pkg: pkg.package,
      name: r.name,
      position,
      priority: r.priority,
      once: r.oncePerVisit,
      cooldownMs: r.cooldownMs,
      disabled: r.disabled,
      comps,
      branchCount,
      where,
      actions,
      filters,
      keepsEvents: aliased || usesLast([r.where, r.then]),
      maxWindowMs,
      hasTimer,
      ruleKey: sha256Hex(id).slice(0, 10),
      readsVisitCategories: canonicalJson(r).includes('"path":["visit","categories"'),
      retainsEvents: aliased || usesLast([r.where, r.then]) || filters.some((f) => f.alias !== null),
    };
  });
  return { name: pkg.package, ast: pkg, rules, warnings };
}

function compileAction(a: Action, env: ExprEnv): CompiledAction {
  const data = (d: Record<string, Expr>): [string, Evaluator][] =>
    Object.entries(d).map(([k, e]) => [k, compileExpr(e, env)]);
  switch (a.do) {
    case 'engage':
      return {
        do: 'engage',
        channel: a.channel,
        name: a.name,
        queue: a.queue,
        priority: a.priority ?? 50,
        data: data(a.data),
      };
    case 'setFact':
      return { do: 'setFact', name: a.name, value: compileExpr(a.value, env) };
    case 'emit':
      return { do: 'emit', name: a.name, data: data(a.data) };
  }
}
