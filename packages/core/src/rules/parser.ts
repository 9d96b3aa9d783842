/**
 * Recursive-descent parser of the rule text (spec/rules.md §4) into the JSON form (§10): packages, rule headers,
 * `when` patterns and `then` actions; expressions are in `parser-expr.ts`, the token cursor in `parser-cursor.ts`.
 * Syntax errors say where (1-based line:column) and what was expected. Source positions of AST nodes are returned
 * beside the AST (never inside it, so the AST stays one-to-one with the text) for the compiler's own error messages.
 */
import type { Action, Channel, Expr, Filter, Path, Pattern, Rule, RulePackage, Step } from './ast.js';
import { channels } from './ast.js';
import { RuleSyntaxError, tokenize } from './lexer.js';
import { createCursor } from './parser-cursor.js';
import type { SourcePos } from './parser-cursor.js';
import { createExprParser } from './parser-expr.js';

export type { SourcePos } from './parser-cursor.js';

export interface ParseResult {
  ast: RulePackage;
  /** Start position of every object node of `ast`. */
  positions: WeakMap<object, SourcePos>;
}

/** Parses one package. Throws {@link RuleSyntaxError} with position and expectation. */
export function parseRuleText(source: string): ParseResult {
  const tokens = tokenize(source);
  const positions = new WeakMap<object, SourcePos>();
  const c = createCursor(tokens, positions);
  const { peek, next, fail, isKw, isPunct, kw, punct, at, identifier, str, duration, int } = c;
  const { parseExpr, parsePath } = createExprParser(c, () => parseCountOf());

  const parsePackage = (): RulePackage => {
    const start = kw('package');
    const name = qname();
    const rules: Rule[] = [];
    while (isKw('rule')) rules.push(parseRule());
    if (peek().kind !== 'eof') fail("'rule' or end of input");
    return at({ package: name, rules }, start);
  };

  // Package names are joined from adjacent tokens so that `com.example-shop` and `com.3com` read as one name.
  const qname = (): string => {
    const first = peek();
    if (!['ident', 'word', 'number', 'duration'].includes(first.kind)) fail('a package name');
    let name = next().value;
    let end = first.end;
    while (peek().start === end && ['ident', 'word', 'number', 'duration', 'punct'].includes(peek().kind)) {
      const t = peek();
      if (t.kind === 'punct' && t.value !== '.' && t.value !== '-') break;
      name += t.value;
      end = t.end;
      next();
    }
    return name;
  };

  const parseRule = (): Rule => {
    const start = kw('rule');
    const rule: Rule = {
      name: str('a rule name string'),
      description: null,
      priority: 0,
      oncePerVisit: false,
      cooldownMs: null,
      disabled: false,
      when: { op: 'idle', forMs: 0 },
      where: null,
      then: [],
    };
    const seen = new Set<string>();
    while (!isKw('when')) {
      const t = peek();
      if (
        t.kind !== 'ident' ||
        !['description', 'priority', 'once', 'cooldown', 'disabled'].includes(t.value)
      ) {
        fail("a header (description, priority, once per visit, cooldown, disabled) or 'when'");
      }
      if (seen.has(t.value)) throw new RuleSyntaxError(`duplicate header '${t.value}'`, t.line, t.column);
      seen.add(t.value);
      next();
      if (t.value === 'description') rule.description = str();
      else if (t.value === 'priority') rule.priority = int(true);
      else if (t.value === 'once') {
        kw('per');
        kw('visit');
        rule.oncePerVisit = true;
      } else if (t.value === 'cooldown') rule.cooldownMs = duration();
      else rule.disabled = true;
    }
    next();
    rule.when = parsePattern();
    if (isKw('where')) {
      next();
      rule.where = parseExpr();
    }
    kw('then');
    do rule.then.push(parseAction());
    while (!isKw('end'));
    next();
    return at(rule, start);
  };

  const parsePattern = (): Pattern => {
    const start = peek();
    const args: Pattern[] = [];
    const add = (pt: Pattern): void => void (pt.op === 'or' ? args.push(...pt.args) : args.push(pt));
    add(parsePterm());
    while (isKw('or')) {
      next();
      add(parsePterm());
    }
    return args.length === 1 ? (args[0] as Pattern) : at({ op: 'or', args }, start);
  };

  const parsePterm = (): Pattern => {
    const t = peek();
    if (isPunct('(')) {
      next();
      const inner = parsePattern();
      punct(')');
      return inner;
    }
    if (isKw('event')) {
      const filter = parseFilter();
      if (!isKw('followed')) return at({ op: 'event', filter }, t);
      next();
      kw('by');
      kw('no');
      const absent = parseFilter();
      kw('for');
      return at({ op: 'absence', filter, absent, forMs: duration() }, t);
    }
    if (isKw('count') && isPunct('(', 1)) {
      const c = parseCountOf();
      punct('>=');
      return at({ op: 'count', filter: c.count, distinct: c.distinct, withinMs: c.withinMs, min: int() }, t);
    }
    if (isKw('sequence') || isKw('all')) {
      const op = next().value as 'sequence' | 'all';
      punct('(');
      const steps: Step[] = [parseStep()];
      while (isPunct(',')) {
        next();
        steps.push(parseStep());
      }
      punct(')');
      kw('within');
      const withinMs = duration();
      const unless = isKw('unless') ? (next(), parseFilter()) : null;
      return at({ op, steps, withinMs, unless }, t);
    }
    if (isKw('idle') || isKw('dwell')) {
      const op = next().value as 'idle' | 'dwell';
      return at({ op, forMs: duration() }, t);
    }
    return fail("a pattern ('event', 'count', 'sequence', 'all', 'idle', 'dwell' or '(')");
  };

  const parseStep = (): Step => {
    const t = peek();
    const filter = parseFilter();
    const times = isKw('times') ? (next(), int()) : 1;
    return at({ filter, times }, t);
  };

  const parseFilter = (): Filter => {
    const start = kw('event');
    const t = peek();
    let event: string;
    if (t.kind === 'string') event = next().value;
    else if (isPunct('*')) event = (next(), '*');
    else event = identifier("an event name, a string or '*'");
    const filter: Filter = { event, categories: [], with: null, as: null };
    if (isKw('in')) {
      next();
      filter.categories.push(str('a category string'));
      while (isPunct('|')) {
        next();
        filter.categories.push(str('a category string'));
      }
    }
    if (isKw('with')) {
      next();
      punct('(');
      filter.with = parseExpr();
      punct(')');
    }
    if (isKw('as')) {
      next();
      filter.as = identifier('an alias name');
    }
    return at(filter, start);
  };

  const parseCountOf = (): { count: Filter; distinct: Path | null; withinMs: number } => {
    const t = next();
    punct('(');
    const count = parseFilter();
    const distinct = isKw('distinct') ? (next(), parsePath(identifier('a path'))) : null;
    punct(')');
    kw('within');
    return at({ count, distinct, withinMs: duration() }, t);
  };

  const parseAction = (): Action => {
    const t = peek();
    if (isKw('engage')) {
      next();
      const ch = peek();
      if (ch.kind !== 'ident' || !(channels as readonly string[]).includes(ch.value))
        fail("'chat', 'callback' or 'offer'");
      next();
      const action: Action = {
        do: 'engage',
        channel: ch.value as Channel,
        name: str('an engagement name string'),
        queue: null,
        priority: null,
        data: {},
      };
      const seen = new Set<string>();
      while (isKw('queue') || isKw('priority') || isKw('data')) {
        const o = next();
        if (seen.has(o.value)) throw new RuleSyntaxError(`duplicate '${o.value}'`, o.line, o.column);
        seen.add(o.value);
        if (o.value === 'queue') action.queue = str('a queue name string');
        else if (o.value === 'priority') action.priority = int();
        else action.data = parseObject();
      }
      return at(action, t);
    }
    if (isKw('set')) {
      next();
      kw('fact');
      const name = identifier('a fact name');
      punct('=');
      return at({ do: 'setFact', name, value: parseExpr() }, t);
    }
    if (isKw('emit')) {
      next();
      const name = str('an event name string');
      const data = isKw('data') ? (next(), parseObject()) : {};
      return at({ do: 'emit', name, data }, t);
    }
    return fail("an action ('engage', 'set fact', 'emit') or 'end'");
  };

  const parseObject = (): Record<string, Expr> => {
    punct('{');
    const out: Record<string, Expr> = {};
    if (!isPunct('}')) {
      do {
        const t = peek();
        const key = identifier('a key');
        if (Object.hasOwn(out, key)) throw new RuleSyntaxError(`duplicate key '${key}'`, t.line, t.column);
        punct(':');
        out[key] = parseExpr();
      } while (isPunct(',') && next());
    }
    punct('}');
    return out;
  };

  return { ast: parsePackage(), positions };
}
