/**
 * The expression part of the rule-text parser (spec/rules.md §4): the `where`, `with ( … )` and action-value
 * expressions, by precedence `or` < `and` < `not` < comparisons (`==` … `>=`, `contains`, `matches`, `in`) < `+ -`
 * < `* /` < unary `-` < primaries (literals, lists, calls, paths, `count(…)`). `and`/`or` chains are flattened.
 */
import type { Expr, Path } from './ast.js';
import { reservedWords } from './ast.js';
import type { Token } from './lexer.js';
import type { Cursor } from './parser-cursor.js';

/**
 * The expression parser over cursor `c`. `parseCountOf` reads a `count(…) within D` (its filter is the rule
 * parser's), which is also a primary expression.
 */
export function createExprParser(c: Cursor, parseCountOf: () => Expr) {
  const { peek, next, fail, isKw, isPunct, punct, at, str } = c;

  const flat = (op: 'and' | 'or', parts: Expr[], t: Token): Expr => {
    if (parts.length === 1) return parts[0] as Expr;
    const args = parts.flatMap((e) => ('op' in e && e.op === op ? e.args : [e]));
    return at({ op, args }, t);
  };
  const parseExpr = (): Expr => {
    const t = peek();
    const parts = [parseAnd()];
    while (isKw('or')) {
      next();
      parts.push(parseAnd());
    }
    return flat('or', parts, t);
  };
  const parseAnd = (): Expr => {
    const t = peek();
    const parts = [parseNot()];
    while (isKw('and')) {
      next();
      parts.push(parseNot());
    }
    return flat('and', parts, t);
  };
  const parseNot = (): Expr => {
    const t = peek();
    if (isKw('not')) return (next(), at({ op: 'not', args: [parseNot()] }, t));
    return parseCmp();
  };
  const parseCmp = (): Expr => {
    const t = peek();
    const left = parseAdd();
    const o = peek();
    if (o.kind === 'punct' && ['==', '!=', '<', '<=', '>', '>='].includes(o.value)) {
      next();
      return at({ op: o.value as '==', args: [left, parseAdd()] }, t);
    }
    if (isKw('contains')) return (next(), at({ op: 'contains', args: [left, parseAdd()] }, t));
    if (isKw('matches')) {
      next();
      const r = peek();
      if (r.kind !== 'regex') fail('a regex literal /…/');
      next();
      return at({ op: 'matches', args: [left], regex: r.value, flags: r.flags }, t);
    }
    if (isKw('in')) {
      next();
      if (!isPunct('[')) fail("a list '[…]'");
      return at({ op: 'in', args: [left, parsePrimary()] }, t);
    }
    return left;
  };
  const parseAdd = (): Expr => {
    let left = parseMul();
    for (;;) {
      const t = peek();
      if (!isPunct('+') && !isPunct('-')) return left;
      next();
      left = at({ op: t.value as '+', args: [left, parseMul()] }, t);
    }
  };
  const parseMul = (): Expr => {
    let left = parseUnary();
    for (;;) {
      const t = peek();
      if (!isPunct('*') && !isPunct('/')) return left;
      next();
      left = at({ op: t.value as '*', args: [left, parseUnary()] }, t);
    }
  };
  const parseUnary = (): Expr => {
    const t = peek();
    if (isPunct('-')) return (next(), at({ op: 'neg', args: [parsePrimary()] }, t));
    return parsePrimary();
  };
  const parsePrimary = (): Expr => {
    const t = peek();
    if (t.kind === 'string' || t.kind === 'number')
      return (next(), at({ lit: t.kind === 'number' ? t.num : t.value }, t));
    if (isKw('true') || isKw('false') || isKw('null')) {
      next();
      return at({ lit: t.value === 'null' ? null : t.value === 'true' }, t);
    }
    if (isPunct('[')) {
      next();
      const list: Expr[] = [];
      if (!isPunct(']')) {
        list.push(parseExpr());
        while (isPunct(',')) {
          next();
          list.push(parseExpr());
        }
      }
      punct(']');
      return at({ list }, t);
    }
    if (isPunct('(')) {
      next();
      const e = parseExpr();
      punct(')');
      return e;
    }
    if (isKw('count') && isPunct('(', 1)) return parseCountOf();
    if (t.kind === 'ident' && !reservedWords.has(t.value)) {
      next();
      if (isPunct('(')) {
        next();
        const args: Expr[] = [];
        if (!isPunct(')')) {
          args.push(parseExpr());
          while (isPunct(',')) {
            next();
            args.push(parseExpr());
          }
        }
        punct(')');
        return at({ call: t.value, args }, t);
      }
      return at({ path: parsePath(t.value) }, t);
    }
    return fail('an expression');
  };
  const parsePath = (root: string): Path => {
    const path = [root];
    for (;;) {
      if (isPunct('.')) {
        next();
        const s = peek();
        if (s.kind !== 'ident') fail('a path segment');
        path.push(next().value);
      } else if (isPunct('[')) {
        next();
        path.push(str('a string key'));
        punct(']');
      } else return path;
    }
  };

  return { parseExpr, parsePath };
}
