/**
 * The JSON form (AST) of the rule language (spec/rules.md §10). It is one-to-one with the text form:
 * `parseRules(printRules(ast))` deep-equals `ast` for every valid AST. These types are the contract the REST API,
 * the console and the compiler share; nothing here has behaviour.
 */

/** A literal value in an expression. Numbers are finite and non-negative (a `-` is the `neg` operator). */
export type Scalar = string | number | boolean | null;

/** A path such as `visitor.state` or `data["my key"]`, as its list of segments. */
export type Path = string[];

/** `event N in "C" | "D" with (expr) as x`. */
export interface Filter {
  event: string;
  categories: string[];
  with: Expr | null;
  as: string | null;
}

/** One step of a `sequence(...)` or member of an `all(...)`. */
export interface Step {
  filter: Filter;
  times: number;
}

export type Pattern =
  | { op: 'event'; filter: Filter }
  | { op: 'absence'; filter: Filter; absent: Filter; forMs: number }
  | { op: 'count'; filter: Filter; distinct: Path | null; withinMs: number; min: number }
  | { op: 'sequence' | 'all'; steps: Step[]; withinMs: number; unless: Filter | null }
  | { op: 'idle' | 'dwell'; forMs: number }
  | { op: 'or'; args: Pattern[] };

export const binaryOps = ['==', '!=', '<', '<=', '>', '>=', 'contains', '+', '-', '*', '/'] as const;
export type BinaryOp = (typeof binaryOps)[number];

export type Expr =
  | { lit: Scalar }
  | { path: Path }
  | { op: BinaryOp | 'in' | 'and' | 'or' | 'not' | 'neg'; args: Expr[] }
  | { op: 'matches'; args: Expr[]; regex: string; flags: string }
  | { call: string; args: Expr[] }
  | { list: Expr[] }
  | { count: Filter; distinct: Path | null; withinMs: number };

export const channels = ['chat', 'callback', 'offer'] as const;
export type Channel = (typeof channels)[number];

export type Action =
  | {
      do: 'engage';
      channel: Channel;
      name: string;
      queue: string | null;
      priority: number | null;
      data: Record<string, Expr>;
    }
  | { do: 'setFact'; name: string; value: Expr }
  | { do: 'emit'; name: string; data: Record<string, Expr> };

export interface Rule {
  name: string;
  description: string | null;
  priority: number;
  oncePerVisit: boolean;
  cooldownMs: number | null;
  disabled: boolean;
  when: Pattern;
  where: Expr | null;
  then: Action[];
}

export interface RulePackage {
  package: string;
  rules: Rule[];
}

/** A compile error or warning. Text input gives `line`/`column` (1-based, code points); AST input gives `path`. */
export interface RuleDiagnostic {
  message: string;
  line?: number;
  column?: number;
  /** JSON Pointer into the AST, e.g. `/rules/0/when/steps/1`. */
  path?: string;
}

/** Reserved words of §3: never identifiers. */
export const reservedWords: ReadonlySet<string> = new Set(
  (
    'package rule when where then end event in with as within sequence all unless times followed by no for idle ' +
    'dwell and or not matches contains engage set emit true false null'
  ).split(' '),
);

/** Fields of an event visible bare inside `with ( … )` and on aliases. */
export const eventFields: ReadonlySet<string> = new Set([
  'name',
  'type',
  'url',
  'title',
  'categories',
  'pageID',
  'timestamp',
  'data',
]);

/** Roots of expressions (§6). */
export const exprRoots: ReadonlySet<string> = new Set(['visitor', 'visit', 'page', 'fact', 'last']);

/** Built-in functions and their arity (`-1` = one or more). */
export const functionArity: Readonly<Record<string, number>> = {
  lower: 1,
  upper: 1,
  len: 1,
  number: 1,
  string: 1,
  coalesce: -1,
};

export const IDENT_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const PACKAGE_NAME_RE = /^[a-z0-9-]+(\.[a-z0-9-]+)*$/;
