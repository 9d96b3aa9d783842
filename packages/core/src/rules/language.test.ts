import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Action, Expr, Filter, Pattern, Rule, RulePackage } from './ast.js';
import { parseRuleText } from './parser.js';
import { printRules } from './printer.js';
import { compileRules } from './compile.js';
import { GWE_TEMPLATES, SHOP_EXAMPLES } from './fixtures/spec-examples.js';

const errorsOf = (text: string) => compileRules(text).errors;

describe('parser errors', () => {
  it('say where and what was expected', () => {
    expect(errorsOf('package default\nrule "x"\nwhen event A\nthen\nend')).toEqual([
      {
        line: 5,
        column: 1,
        message: "expected an action ('engage', 'set fact', 'emit') or 'end' but found 'end'",
      },
    ]);
    expect(errorsOf('package default\nrule "x" when evnt A then emit "y" end')).toEqual([
      {
        line: 2,
        column: 15,
        message:
          "expected a pattern ('event', 'count', 'sequence', 'all', 'idle', 'dwell' or '(') but found 'evnt'",
      },
    ]);
    expect(errorsOf('package default\nrule "x" when idle 30 then emit "y" end')[0]).toMatchObject({
      line: 2,
      column: 20,
      message: "expected a duration (e.g. 30s, 5m) but found '30'",
    });
    expect(errorsOf('package default\nrule "é😀" when event A with (x == "abc')[0]).toMatchObject({
      line: 2,
      column: 35,
      message: 'unterminated string',
    });
  });

  it('columns count code points', () => {
    const [e] = errorsOf(
      'package default\nrule "😀😀" when event A where visitor.vistCount > 1 then emit "y" end',
    );
    expect(e).toEqual({ line: 2, column: 30, message: "unknown fact 'visitor.vistCount'" });
  });
});

describe('compile-time checks (spec §2, §4)', () => {
  it('rejects duplicate rule names, bad durations, counts and aliases with positions', () => {
    const text = `package default
rule "a" when idle 500ms then emit "x" end
rule "a" when event A then emit "x" end
rule "b" when count(event A) within 5m >= 0 then emit "x" end
rule "c" when event A as visitor then emit "x" end
rule "d" when sequence(event A) within 25h then emit "x" end
rule "e" when event A followed by no event B as b for 1m then emit "x" end
rule "f" when event A where nope(1) then emit "x" emit "y" end
rule "g" when event A where data.x == 1 then emit "x" end
rule "h" when event A with (last.url == "x") then emit "x" end
rule "i" when event A with (url matches /(/) then emit "x" end`;
    expect(errorsOf(text)).toEqual([
      { line: 2, column: 15, message: 'duration must be between 1s and 24h' },
      { line: 3, column: 1, message: "duplicate rule name 'a'" },
      { line: 4, column: 15, message: 'count must be between 1 and 1000' },
      { line: 5, column: 15, message: "alias 'visitor' is a reserved name" },
      { line: 6, column: 15, message: 'duration must be between 1s and 24h' },
      { line: 7, column: 38, message: "'as' is not allowed on this filter" },
      { line: 8, column: 29, message: "unknown function 'nope'" },
      {
        line: 8,
        column: 1,
        message: "at most one 'engage' or 'emit' per rule (one actionable event per firing)",
      },
      { line: 9, column: 29, message: "unknown name 'data'" },
      { line: 10, column: 29, message: "'last' is not visible inside 'with'" },
      expect.objectContaining({ line: 11, column: 29, message: expect.stringMatching(/^invalid regex/) }),
    ]);
  });

  it('warns about unknown categories without rejecting', () => {
    const r = compileRules('package default\nrule "a" when event A in "Loans" | "Lonas" then emit "x" end', {
      knownCategories: new Set(['Loans']),
    });
    expect(r.ok).toBe(true);
    expect(r.warnings).toEqual([{ line: 2, column: 15, message: "unknown category 'Lonas'" }]);
  });

  it('AST errors carry a JSON Pointer path', () => {
    const ast = parseRuleText(SHOP_EXAMPLES).ast;
    const bad = structuredClone(ast) as unknown as { rules: { when: { steps: { times: number }[] } }[] };
    (bad.rules[3] as { when: { steps: { times: number }[] } }).when.steps[1] = { times: 0 } as never;
    const r = compileRules(bad);
    expect(r.ok).toBe(false);
    expect(r.errors[0]).toEqual({
      path: '/rules/3/when/steps/1/filter',
      message: 'expected a filter object',
    });
    const r2 = compileRules({ ...ast, package: 'Com.Example' });
    expect(r2.errors).toEqual([
      { path: '/package', message: expect.stringContaining('invalid package name') },
    ]);
    const r3 = compileRules({ package: 'default', rules: [{ ...ast.rules[0], then: [] }, ast.rules[0]] });
    expect(r3.errors).toEqual([
      { path: '/rules/0/then', message: "'then' needs at least one action" },
      { path: '/rules/1/name', message: "duplicate rule name 'cart-abandonment'" },
    ]);
  });
});

describe('print / parse round trip (spec §10)', () => {
  it('prints the worked examples canonically and reads them back identically', () => {
    for (const text of [GWE_TEMPLATES, SHOP_EXAMPLES]) {
      const { ast } = parseRuleText(text);
      const printed = printRules(ast);
      expect(parseRuleText(printed).ast).toEqual(ast);
      expect(printRules(parseRuleText(printed).ast)).toBe(printed);
    }
    expect(printRules(parseRuleText(SHOP_EXAMPLES).ast)).toContain('when idle 1m\n');
  });

  it('matches the AST of cart-abandonment given in the spec', () => {
    expect(parseRuleText(SHOP_EXAMPLES).ast.rules[0]).toEqual({
      name: 'cart-abandonment',
      description: null,
      priority: 20,
      oncePerVisit: true,
      cooldownMs: null,
      disabled: false,
      when: {
        op: 'absence',
        forMs: 600000,
        filter: { event: 'AddToCart', categories: [], with: null, as: 'cart' },
        absent: { event: 'Checkout', categories: [], with: null, as: null },
      },
      where: { path: ['visit', 'open'] },
      then: [
        {
          do: 'engage',
          channel: 'chat',
          name: 'CartHelp',
          queue: 'sales',
          priority: 70,
          data: {
            product: { path: ['cart', 'data', 'productName'] },
            price: { call: 'number', args: [{ path: ['cart', 'data', 'productPrice'] }] },
          },
        },
      ],
    });
  });

  it('flattens nested and/or and drops grouping parentheses', () => {
    const { ast } = parseRuleText(
      'package default rule "a" when (event A or (event B)) or event C where (a1 and b1) and c1 then emit "x" end'
        .replace('a1', 'fact.a')
        .replace('b1', 'fact.b')
        .replace('c1', 'fact.c'),
    );
    expect(ast.rules[0]?.when).toMatchObject({
      op: 'or',
      args: [{ op: 'event' }, { op: 'event' }, { op: 'event' }],
    });
    expect(ast.rules[0]?.where).toMatchObject({
      op: 'and',
      args: [{ path: ['fact', 'a'] }, { path: ['fact', 'b'] }, { path: ['fact', 'c'] }],
    });
  });

  // ---- property: parse(print(ast)) deep-equals ast for generated valid ASTs ----
  const reserved = new Set(
    'package rule when where then end event in with as within sequence all unless times followed by no for idle dwell and or not matches contains engage set emit true false null'.split(
      ' ',
    ),
  );
  const ident = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/).filter((s) => !reserved.has(s));
  const alias = ident.filter(
    (s) =>
      ![
        'name',
        'type',
        'url',
        'title',
        'categories',
        'pageID',
        'timestamp',
        'data',
        'visitor',
        'visit',
        'page',
        'fact',
        'last',
      ].includes(s),
  );
  const text = fc.string({ unit: 'binary', maxLength: 12 });
  const duration = fc.oneof(
    fc.integer({ min: 1, max: 86400 }).map((s) => s * 1000),
    fc.integer({ min: 1000, max: 86_400_000 }),
  );
  const num = fc.oneof(
    fc.nat(),
    fc.double({ min: 0, max: 1e6, noNaN: true }).filter((d) => /^[0-9]+(\.[0-9]+)?$/.test(String(d))),
  );
  const path = fc
    .tuple(
      fc.constantFrom('visitor', 'visit', 'page', 'fact', 'data', 'url', 'count', 'x'),
      fc.array(fc.oneof(ident, text), { maxLength: 3 }),
    )
    .map(([r, rest]) => [r, ...rest]);
  const filterNoAlias = (e: fc.Arbitrary<Expr>): fc.Arbitrary<Filter> =>
    fc.record({
      event: fc.oneof(
        ident,
        text.filter((s) => s !== ''),
        fc.constant('*'),
      ),
      categories: fc.array(text, { maxLength: 2 }),
      with: fc.option(e, { nil: null }),
      as: fc.constant(null),
    });
  const { expr } = fc.letrec<{ expr: Expr }>((tie) => {
    const e = tie('expr') as fc.Arbitrary<Expr>;
    const notOp = (op: string) => e.filter((x) => !('op' in x && x.op === op));
    return {
      expr: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.oneof(text, num, fc.boolean(), fc.constant(null)).map((lit) => ({ lit }) as Expr),
        path.map((p) => ({ path: p }) as Expr),
        fc
          .tuple(fc.constantFrom('==', '!=', '<', '<=', '>', '>=', 'contains', '+', '-', '*', '/'), e, e)
          .map(([op, a, b]) => ({ op, args: [a, b] }) as Expr),
        fc
          .constantFrom('and', 'or')
          .chain((op) =>
            fc.array(notOp(op), { minLength: 2, maxLength: 3 }).map((args) => ({ op, args }) as Expr),
          ),
        fc.tuple(fc.constantFrom('not', 'neg'), e).map(([op, a]) => ({ op, args: [a] }) as Expr),
        fc
          .tuple(e, fc.constantFrom('a+b', '\\/loans\\/', '[/]x', '^x$'), fc.constantFrom('', 'i', 'mi'))
          .map(([a, regex, flags]) => ({ op: 'matches', args: [a], regex, flags }) as Expr),
        fc
          .tuple(e, fc.array(e, { maxLength: 3 }))
          .map(([a, list]) => ({ op: 'in', args: [a, { list }] }) as Expr),
        fc
          .tuple(fc.constantFrom('lower', 'upper', 'len', 'number', 'string'), e)
          .map(([call, a]) => ({ call, args: [a] }) as Expr),
        fc.array(e, { minLength: 1, maxLength: 3 }).map((args) => ({ call: 'coalesce', args }) as Expr),
        fc.array(e, { maxLength: 3 }).map((list) => ({ list }) as Expr),
        fc
          .tuple(filterNoAlias(e), fc.option(path, { nil: null }), duration)
          .map(([count, distinct, withinMs]) => ({ count, distinct, withinMs }) as Expr),
      ),
    };
  });
  const filter = fc.record({
    event: fc.oneof(
      ident,
      text.filter((s) => s !== ''),
      fc.constant('*'),
    ),
    categories: fc.array(text, { maxLength: 2 }),
    with: fc.option(expr, { nil: null, freq: 3 }),
    as: fc.option(alias, { nil: null }),
  });
  const plain = filter.map((f) => ({ ...f, as: null }));
  const step = fc.record({ filter, times: fc.integer({ min: 1, max: 64 }) });
  const leaf: fc.Arbitrary<Pattern> = fc.oneof(
    filter.map((f) => ({ op: 'event', filter: f }) as Pattern),
    fc
      .tuple(filter, plain, duration)
      .map(([f, absent, forMs]) => ({ op: 'absence', filter: f, absent, forMs }) as Pattern),
    fc
      .tuple(filter, fc.option(path, { nil: null }), duration, fc.integer({ min: 1, max: 1000 }))
      .map(
        ([f, distinct, withinMs, min]) => ({ op: 'count', filter: f, distinct, withinMs, min }) as Pattern,
      ),
    fc
      .tuple(
        fc.constantFrom('sequence', 'all'),
        fc.array(step, { minLength: 1, maxLength: 4 }),
        duration,
        fc.option(plain, { nil: null }),
      )
      .map(([op, steps, withinMs, unless]) => ({ op, steps, withinMs, unless }) as Pattern),
    fc.tuple(fc.constantFrom('idle', 'dwell'), duration).map(([op, forMs]) => ({ op, forMs }) as Pattern),
  );
  const pattern = fc.oneof(
    leaf,
    fc.array(leaf, { minLength: 2, maxLength: 3 }).map((args) => ({ op: 'or', args }) as Pattern),
  );
  const data = fc.dictionary(ident, expr, { maxKeys: 2 });
  const action: fc.Arbitrary<Action> = fc.oneof(
    fc.record({
      do: fc.constant('engage' as const),
      channel: fc.constantFrom('chat' as const, 'callback' as const, 'offer' as const),
      name: text,
      queue: fc.option(text, { nil: null }),
      priority: fc.option(fc.integer({ min: 0, max: 100 }), { nil: null }),
      data,
    }),
    fc.record({ do: fc.constant('setFact' as const), name: ident, value: expr }),
    fc.record({ do: fc.constant('emit' as const), name: text, data }),
  );
  const rule: fc.Arbitrary<Rule> = fc.record({
    name: text,
    description: fc.option(text, { nil: null }),
    priority: fc.integer({ min: -1000, max: 1000 }),
    oncePerVisit: fc.boolean(),
    cooldownMs: fc.option(duration, { nil: null }),
    disabled: fc.boolean(),
    when: pattern,
    where: fc.option(expr, { nil: null }),
    then: fc.array(action, { minLength: 1, maxLength: 3 }),
  });
  const pkg: fc.Arbitrary<RulePackage> = fc.record({
    package: fc.constantFrom('default', 'com.example', 'com.example-shop.x1', '3com.net'),
    rules: fc.array(rule, { maxLength: 3 }),
  });

  it('parse(print(ast)) deep-equals ast (property)', () => {
    fc.assert(
      fc.property(pkg, (ast) => {
        expect(parseRuleText(printRules(ast)).ast).toEqual(ast);
      }),
      { numRuns: 300 },
    );
  });

  it('print(parse(text)) is a fixed point (property)', () => {
    fc.assert(
      fc.property(pkg, (ast) => {
        const once = printRules(ast);
        expect(printRules(parseRuleText(once).ast)).toBe(once);
      }),
      { numRuns: 100 },
    );
  });
});
