/**
 * Expressions and filters compiled to closures (spec/rules.md §5 filters, §6 semantics). Compiling once per
 * deploy keeps evaluation to plain function calls on the hot path. Evaluation never throws: any fault yields
 * `null` and increments the rule's fault counter.
 */
import type { Expr, Filter, Path, Scalar } from './ast.js';
import { eventFields } from './ast.js';
import type { RuleEvent, VisitState } from './visit-state.js';

/** What an expression can see while it is evaluated. */
export interface EvalCtx {
  /** The candidate event (inside `with`). */
  ev: RuleEvent | null;
  vs: VisitState;
  now: number;
  binds: Record<string, RuleEvent> | null;
  last: RuleEvent | null;
  /** Count-expression windows of the rule being evaluated, by their index in the rule. */
  windows: (index: number) => unknown;
  fault: () => void;
  /** The rule keeps bound events in its state (it reads `last` or an alias after a timer completion). */
  keep: boolean;
}

export type Evaluator = (c: EvalCtx) => unknown;

/** Compile-time environment: how `count(...) within D` in an expression reaches its window. */
export interface ExprEnv {
  count: (e: Extract<Expr, { count: Filter }>) => Evaluator;
}

/** A compiled filter. `test` assumes the caller already checked name and categories via the index or `quick`. */
export interface CompiledFilter {
  event: string;
  categories: string[] | null;
  alias: string | null;
  /** Full test: name, categories and `with`. */
  test: (ev: RuleEvent, c: EvalCtx) => boolean;
}

export const truthy = (v: unknown): boolean =>
  !(v === null || v === undefined || v === false || v === 0 || v === '' || Number.isNaN(v));

/** Number, or numeric string converted; otherwise null. */
export const toNumber = (v: unknown): number | null => {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  }
  return null;
};

const norm = (v: unknown): unknown => (v === undefined ? null : v);

export const equals = (a: unknown, b: unknown): boolean => {
  a = norm(a);
  b = norm(b);
  if (typeof a === 'number' && typeof b === 'string') return toNumber(b) === a;
  if (typeof a === 'string' && typeof b === 'number') return toNumber(a) === b;
  return a === b;
};

const order = (a: unknown, b: unknown): number | null => {
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a !== 'number' && typeof b !== 'number') return null;
  const x = toNumber(a);
  const y = toNumber(b);
  return x === null || y === null ? null : x - y;
};

const arith = (op: string, a: unknown, b: unknown): number | null => {
  const x = toNumber(a);
  const y = toNumber(b);
  if (x === null || y === null) return null;
  const r = op === '+' ? x + y : op === '-' ? x - y : op === '*' ? x * y : y === 0 ? null : x / y;
  return r !== null && Number.isFinite(r) ? r : null;
};

const get = (v: unknown, key: string): unknown => {
  if (v === null || typeof v !== 'object') return null;
  return Object.hasOwn(v, key) ? norm((v as Record<string, unknown>)[key]) : null;
};

const descend = (v: unknown, rest: readonly string[]): unknown => {
  for (const k of rest) v = get(v, k);
  return norm(v);
};

const eventField = (ev: RuleEvent | null, f: string): unknown =>
  ev === null ? null : f === 'timestamp' ? ev.timestamp : norm((ev as unknown as Record<string, unknown>)[f]);

const secs = (ms: number): number => Math.floor(ms / 1000);

function compilePath(path: Path, inWith: boolean): Evaluator {
  const [root, second, ...more] = path as [string, string | undefined, ...string[]];
  const rest = second === undefined ? [] : [second, ...more];
  if (inWith && eventFields.has(root)) {
    return (c) => descend(eventField(c.ev, root), rest);
  }
  switch (root) {
    case 'visitor':
      return (c) => {
        const v = c.vs.visitor;
        const base =
          second === 'state'
            ? (v?.state ?? 'Anonymous')
            : second === 'identityId'
              ? (v?.identityId ?? null)
              : second === 'verified'
                ? (v?.verified ?? false)
                : (v?.visitCount ?? 1);
        return descend(base, more);
      };
    case 'visit':
      return (c) => {
        const vs = c.vs;
        const base =
          second === 'pageCount'
            ? vs.pc
            : second === 'eventCount'
              ? vs.n
              : second === 'durationSec'
                ? secs(c.now - vs.t0)
                : second === 'categories'
                  ? vs.cats
                  : vs.o1 !== null;
        return descend(base, more);
      };
    case 'page':
      return (c) => {
        const vs = c.vs;
        if (vs.pgId === null) return null;
        const base =
          second === 'url'
            ? vs.pgUrl
            : second === 'title'
              ? vs.pgTitle
              : second === 'categories'
                ? vs.pgCats
                : secs(c.now - (vs.t0 + vs.pgAt));
        return descend(base, more);
      };
    case 'fact':
      return (c) => descend(c.vs.facts?.[second as string] ?? null, more);
    case 'last':
      return (c) => (second === undefined ? c.last : descend(eventField(c.last, second), more));
    default:
      return (c) => {
        const b = c.binds?.[root] ?? null;
        return second === undefined ? b : descend(eventField(b, second), more);
      };
  }
}

const FUNCTIONS: Record<string, (args: unknown[]) => unknown> = {
  lower: ([a]) => (typeof a === 'string' ? a.toLowerCase() : null),
  upper: ([a]) => (typeof a === 'string' ? a.toUpperCase() : null),
  len: ([a]) => (typeof a === 'string' || Array.isArray(a) ? a.length : null),
  number: ([a]) => toNumber(a),
  string: ([a]) => (a === null || a === undefined ? null : typeof a === 'object' ? null : String(a)),
  coalesce: (args) => args.find((a) => a !== null && a !== undefined) ?? null,
};

/** Compiles a checked expression. `inWith`: bare event fields refer to the candidate event. */
export function compileExpr(e: Expr, env: ExprEnv, inWith = false): Evaluator {
  if ('lit' in e) {
    const v: Scalar = e.lit;
    return () => v;
  }
  if ('path' in e) return compilePath(e.path, inWith);
  if ('list' in e) {
    const items = e.list.map((x) => compileExpr(x, env, inWith));
    return (c) => items.map((f) => f(c));
  }
  if ('count' in e) return env.count(e);
  const args = e.args.map((x) => compileExpr(x, env, inWith));
  const [a, b] = args as [Evaluator, Evaluator];
  if ('call' in e) {
    const fn = FUNCTIONS[e.call] as (args: unknown[]) => unknown;
    return (c) => fn(args.map((f) => f(c)));
  }
  switch (e.op) {
    case 'and':
      return (c) => args.every((f) => truthy(f(c)));
    case 'or':
      return (c) => args.some((f) => truthy(f(c)));
    case 'not':
      return (c) => !truthy(a(c));
    case 'neg':
      return (c) => {
        const x = toNumber(a(c));
        return x === null ? null : -x;
      };
    case '==':
      return (c) => equals(a(c), b(c));
    case '!=':
      return (c) => !equals(a(c), b(c));
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const op = e.op;
      return (c) => {
        const d = order(a(c), b(c));
        if (d === null) return false;
        return op === '<' ? d < 0 : op === '<=' ? d <= 0 : op === '>' ? d > 0 : d >= 0;
      };
    }
    case 'contains':
      return (c) => {
        const hay = a(c);
        const needle = b(c);
        if (typeof hay === 'string') return typeof needle === 'string' && hay.includes(needle);
        return Array.isArray(hay) && hay.some((x) => equals(x, needle));
      };
    case 'in':
      return (c) => {
        const v = a(c);
        const list = b(c);
        return Array.isArray(list) && list.some((x) => equals(v, x));
      };
    case 'matches': {
      const m = e as Extract<Expr, { op: 'matches' }>;
      const re = new RegExp(m.regex, m.flags);
      return (c) => {
        const v = a(c);
        return typeof v === 'string' && re.test(v);
      };
    }
    default: {
      const op = e.op;
      return (c) => arith(op, a(c), b(c));
    }
  }
}

/** Compiles a checked filter. */
export function compileFilter(f: Filter, env: ExprEnv): CompiledFilter {
  const name = f.event;
  const cats = f.categories.length > 0 ? f.categories : null;
  const w = f.with ? compileExpr(f.with, env, true) : null;
  const test = (ev: RuleEvent, c: EvalCtx): boolean => {
    if (name !== '*' && ev.name !== name) return false;
    if (cats !== null) {
      let hit = false;
      for (const k of cats) if (ev.categories.includes(k)) hit = true;
      if (!hit) return false;
    }
    if (w === null) return true;
    const saved = c.ev;
    c.ev = ev;
    try {
      return truthy(w(c));
    } catch {
      c.fault();
      return false;
    } finally {
      c.ev = saved;
    }
  };
  return { event: name, categories: cats, alias: f.as, test };
}

/** Evaluates a path like `url` or `data.productId` on an event, for `distinct`. */
export function compileEventPath(path: Path): (ev: RuleEvent) => unknown {
  const [root, ...rest] = path as [string, ...string[]];
  return (ev) => descend(eventField(ev, root), rest);
}
