/**
 * The token cursor under the rule-text parser (spec/rules.md §3–4): look-ahead, keyword and punctuation tests, the
 * "expected … but found …" syntax errors, the small literal readers (names, strings, durations, integers) and the
 * side table of AST node positions. `parser.ts` and `parser-expr.ts` share one cursor per parse.
 */
import { reservedWords } from './ast.js';
import { RuleSyntaxError } from './lexer.js';
import type { Token } from './lexer.js';

/** Where an AST node starts in the text. */
export interface SourcePos {
  line: number;
  column: number;
}

/** The cursor of one parse; see {@link createCursor}. */
export type Cursor = ReturnType<typeof createCursor>;

const describe = (t: Token): string =>
  t.kind === 'eof'
    ? 'end of input'
    : t.kind === 'string'
      ? `string ${JSON.stringify(t.value)}`
      : t.kind === 'regex'
        ? 'regex'
        : `'${t.kind === 'duration' || t.kind === 'number' ? t.value : t.value}'`;

/** A cursor over `tokens` (ending in `eof`) that records node start positions in `positions`. */
export function createCursor(tokens: Token[], positions: WeakMap<object, SourcePos>) {
  let p = 0;

  const peek = (k = 0): Token => tokens[Math.min(p + k, tokens.length - 1)] as Token;
  const next = (): Token => tokens[Math.min(p++, tokens.length - 1)] as Token;
  const fail = (expected: string, t: Token = peek()): never => {
    throw new RuleSyntaxError(`expected ${expected} but found ${describe(t)}`, t.line, t.column);
  };
  const isKw = (w: string, k = 0): boolean => peek(k).kind === 'ident' && peek(k).value === w;
  const isPunct = (v: string, k = 0): boolean => peek(k).kind === 'punct' && peek(k).value === v;
  const kw = (w: string): Token => (isKw(w) ? next() : fail(`'${w}'`));
  const punct = (v: string): Token => (isPunct(v) ? next() : fail(`'${v}'`));
  const at = <T extends object>(node: T, t: Token): T => {
    positions.set(node, { line: t.line, column: t.column });
    return node;
  };
  const identifier = (what: string): string => {
    const t = peek();
    if (t.kind !== 'ident' || reservedWords.has(t.value)) fail(what);
    return next().value;
  };
  const str = (what = 'a string'): string => (peek().kind === 'string' ? next().value : fail(what));
  const duration = (): number =>
    peek().kind === 'duration' ? next().num : fail('a duration (e.g. 30s, 5m)');
  const int = (signed = false): number => {
    const neg = signed && isPunct('-') ? (next(), true) : false;
    const t = peek();
    if (t.kind !== 'number' || t.value.includes('.')) fail('an integer');
    next();
    return neg ? -t.num : t.num;
  };

  return { peek, next, fail, isKw, isPunct, kw, punct, at, identifier, str, duration, int };
}
