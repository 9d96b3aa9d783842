/**
 * Prints the JSON form (AST) as canonical rule text (spec/rules.md §10): lowercase keywords, two-space indent,
 * headers in the order description, priority, once, cooldown, disabled, durations in the largest exact unit,
 * `with` always parenthesised and only the parentheses the grammar needs. `parseRuleText(printRules(ast)).ast`
 * deep-equals every valid AST.
 */
import type { Action, Expr, Filter, Path, Pattern, Rule, RulePackage, Scalar } from './ast.js';
import { IDENT_RE, reservedWords } from './ast.js';

const UNITS: [string, number][] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
];

/** `90000` → `90s`, `600000` → `10m`. */
export function printDuration(ms: number): string {
  for (const [u, f] of UNITS) if (ms % f === 0 && ms >= f) return `${ms / f}${u}`;
  return `${ms}ms`;
}

/** A JSON-compatible string literal with only the escapes of §3. */
export function printString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f || (ch.length === 1 && c >= 0xd800 && c <= 0xdfff)) {
      out += `\\u${c.toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return out + '"';
}

const isIdent = (s: string): boolean => IDENT_RE.test(s) && !reservedWords.has(s);

const printLit = (v: Scalar): string => (typeof v === 'string' ? printString(v) : String(v));

export const printPath = (path: Path): string =>
  path.map((seg, i) => (i === 0 ? seg : IDENT_RE.test(seg) ? `.${seg}` : `[${printString(seg)}]`)).join('');

// Precedence levels of the grammar: or 1, and 2, not 3, comparison 4, additive 5, multiplicative 6, unary 7, primary 8.
const level = (e: Expr): number => {
  if (!('op' in e)) return 8;
  switch (e.op) {
    case 'or':
      return 1;
    case 'and':
      return 2;
    case 'not':
      return 3;
    case '+':
    case '-':
      return 5;
    case '*':
    case '/':
      return 6;
    case 'neg':
      return 7;
    default:
      return 4;
  }
};

/** Prints an expression; `min` is the lowest precedence level allowed without parentheses. */
export function printExpr(e: Expr, min = 1): string {
  const s = printBare(e);
  return level(e) < min ? `(${s})` : s;
}

function printBare(e: Expr): string {
  if ('lit' in e) return printLit(e.lit);
  if ('path' in e) return printPath(e.path);
  if ('call' in e) return `${e.call}(${e.args.map((a) => printExpr(a)).join(', ')})`;
  if ('list' in e) return `[${e.list.map((a) => printExpr(a)).join(', ')}]`;
  if ('count' in e) return printCountOf(e.count, e.distinct, e.withinMs);
  const [a, b] = e.args as [Expr, Expr];
  switch (e.op) {
    case 'or':
      return e.args.map((x) => printExpr(x, 2)).join(' or ');
    case 'and':
      return e.args.map((x) => printExpr(x, 3)).join(' and ');
    case 'not':
      return `not ${printExpr(a, 3)}`;
    case 'neg':
      return `-${printExpr(a, 8)}`;
    case 'matches':
      return `${printExpr(a, 5)} matches /${e.regex}/${e.flags}`;
    case 'in':
      return `${printExpr(a, 5)} in ${printExpr(b, 8)}`;
    case '+':
    case '-':
      return `${printExpr(a, 5)} ${e.op} ${printExpr(b, 6)}`;
    case '*':
    case '/':
      return `${printExpr(a, 6)} ${e.op} ${printExpr(b, 7)}`;
    default:
      return `${printExpr(a, 5)} ${e.op} ${printExpr(b, 5)}`;
  }
}

function printCountOf(f: Filter, distinct: Path | null, withinMs: number): string {
  const d = distinct ? ` distinct ${printPath(distinct)}` : '';
  return `count(${printFilter(f)}${d}) within ${printDuration(withinMs)}`;
}

/** `event Name in "A" | "B" with (…) as x`. */
export function printFilter(f: Filter): string {
  let s = `event ${f.event === '*' ? '*' : isIdent(f.event) ? f.event : printString(f.event)}`;
  if (f.categories.length > 0) s += ` in ${f.categories.map(printString).join(' | ')}`;
  if (f.with) s += ` with (${printExpr(f.with)})`;
  if (f.as) s += ` as ${f.as}`;
  return s;
}

/** Prints a pattern on one line. */
export function printPattern(p: Pattern, nested = false): string {
  switch (p.op) {
    case 'event':
      return printFilter(p.filter);
    case 'absence':
      return `${printFilter(p.filter)} followed by no ${printFilter(p.absent)} for ${printDuration(p.forMs)}`;
    case 'count':
      return `${printCountOf(p.filter, p.distinct, p.withinMs)} >= ${p.min}`;
    case 'sequence':
    case 'all': {
      const steps = p.steps
        .map((s) => printFilter(s.filter) + (s.times !== 1 ? ` times ${s.times}` : ''))
        .join(', ');
      const unless = p.unless ? ` unless ${printFilter(p.unless)}` : '';
      return `${p.op}(${steps}) within ${printDuration(p.withinMs)}${unless}`;
    }
    case 'idle':
    case 'dwell':
      return `${p.op} ${printDuration(p.forMs)}`;
    case 'or': {
      const s = p.args.map((a) => printPattern(a, true)).join(' or ');
      return nested ? `(${s})` : s;
    }
  }
}

const printObject = (o: Record<string, Expr>): string => {
  const keys = Object.keys(o);
  return keys.length === 0 ? '{}' : `{ ${keys.map((k) => `${k}: ${printExpr(o[k] as Expr)}`).join(', ')} }`;
};

/** Prints one action on one line. */
export function printAction(a: Action): string {
  switch (a.do) {
    case 'engage': {
      let s = `engage ${a.channel} ${printString(a.name)}`;
      if (a.queue !== null) s += ` queue ${printString(a.queue)}`;
      if (a.priority !== null) s += ` priority ${a.priority}`;
      if (Object.keys(a.data).length > 0) s += ` data ${printObject(a.data)}`;
      return s;
    }
    case 'setFact':
      return `set fact ${a.name} = ${printExpr(a.value)}`;
    case 'emit':
      return (
        `emit ${printString(a.name)}` + (Object.keys(a.data).length > 0 ? ` data ${printObject(a.data)}` : '')
      );
  }
}

/** Prints one rule, ending with `end`. */
export function printRule(r: Rule): string {
  const lines = [`rule ${printString(r.name)}`];
  if (r.description !== null) lines.push(`  description ${printString(r.description)}`);
  if (r.priority !== 0) lines.push(`  priority ${r.priority}`);
  if (r.oncePerVisit) lines.push('  once per visit');
  if (r.cooldownMs !== null) lines.push(`  cooldown ${printDuration(r.cooldownMs)}`);
  if (r.disabled) lines.push('  disabled');
  lines.push(`when ${printPattern(r.when)}`);
  if (r.where) lines.push(`where ${printExpr(r.where)}`);
  lines.push('then', ...r.then.map((a) => `  ${printAction(a)}`), 'end');
  return lines.join('\n');
}

/** Prints a package as canonical text. */
export function printRules(pkg: RulePackage): string {
  return [`package ${pkg.package}`, ...pkg.rules.map(printRule)].join('\n\n') + '\n';
}
