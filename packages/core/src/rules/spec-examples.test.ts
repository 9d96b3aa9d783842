import { describe, expect, it } from 'vitest';
import { parseRuleText } from './parser.js';
import { RuleEngine } from './engine.js';
import { GWE_TEMPLATES, SHOP_EXAMPLES } from './fixtures/spec-examples.js';
import type { EventSpec } from './fixtures/events.js';
import { mustCompile, replay, storedEvent, summary, T0 } from './fixtures/events.js';
import type { VisitorFacts } from './visit-state.js';

/** The package of spec §11 reduced to the named rules (verbatim text otherwise). */
const only = (text: string, ...names: string[]): RuleEngine => {
  const ast = parseRuleText(text).ast;
  const pkg = mustCompile({
    ...ast,
    package: 'default',
    rules: ast.rules.filter((r) => names.includes(r.name)),
  });
  return new RuleEngine({ packages: [pkg] });
};
const run = (engine: RuleEngine, specs: EventSpec[], until?: number, visitor?: VisitorFacts) =>
  replay(engine, specs.map(storedEvent), { until, visitor }).out;
const entered = (at: number, cats: string[], page = `P${at}`, url?: string): EventSpec => ({
  at,
  name: 'PageEntered',
  cats,
  page,
  url,
});

describe('GWE templates (spec §11)', () => {
  it('Singleton fires on every matching page and nothing else', () => {
    const e = only(GWE_TEMPLATES, 'singleton-solutions');
    const out = run(e, [
      entered(0, ['Home']),
      entered(10, ['Solutions']),
      entered(20, ['Solutions', 'Other']),
    ]);
    expect(summary(out)).toEqual([
      ['SolutionsChat', 10],
      ['SolutionsChat', 20],
    ]);
    expect(out[0]).toMatchObject({
      ruleId: 'default/singleton-solutions',
      rulePackage: 'default',
      engagement: { channel: 'chat', queue: 'default', priority: 50 },
      data: {},
      visitID: 'V1',
      globalVisitID: 'G1',
      pageID: 'P10',
      categories: ['Solutions'],
      identityId: null,
    });
    expect(out[0]?.id).toMatch(/^[0-9A-F]{32}$/);
  });

  it('Sequence needs Products then Pricing within 30m, in that order', () => {
    const e = only(GWE_TEMPLATES, 'sequence-products-pricing');
    expect(run(e, [entered(0, ['Pricing']), entered(60, ['Products'])])).toEqual([]);
    const specs = [entered(0, ['Products']), entered(100, ['Home']), entered(200, ['Pricing'])];
    const events = specs.map(storedEvent);
    const out = replay(e, events).out;
    expect(summary(out)).toEqual([['SalesChat', 200]]);
    expect(out[0]?.engagement).toEqual({ channel: 'chat', queue: 'sales', priority: 50 });
    expect(out[0]?.triggeringEventIDs).toEqual([events[0]?.eventID, events[2]?.eventID]);
    expect(
      run(only(GWE_TEMPLATES, 'sequence-products-pricing'), [
        entered(0, ['Products']),
        entered(1801, ['Pricing']),
      ]),
    ).toEqual([]);
  });

  it('Set needs all three plans in any order within 1h', () => {
    const e = only(GWE_TEMPLATES, 'set-all-plans');
    const specs = [
      entered(0, ['PlanPro']),
      entered(10, ['PlanEnterprise']),
      entered(20, ['PlanPro']),
      entered(30, ['PlanBasic']),
    ];
    const events = specs.map(storedEvent);
    const out = replay(e, events).out;
    expect(summary(out)).toEqual([['PlanComparison', 30]]);
    expect(out[0]?.engagement?.channel).toBe('offer');
    // the second PlanPro slid the member's window forward: matched events in arrival order
    expect(out[0]?.triggeringEventIDs).toEqual([events[1]?.eventID, events[2]?.eventID, events[3]?.eventID]);
    const late = only(GWE_TEMPLATES, 'set-all-plans');
    expect(
      run(late, [entered(0, ['PlanPro']), entered(10, ['PlanBasic']), entered(3601, ['PlanEnterprise'])]),
    ).toEqual([]);
  });
});

describe('worked examples (spec §11)', () => {
  const cart = (at: number, price = '1000'): EventSpec => ({
    at,
    name: 'AddToCart',
    data: { productName: 'Sony JVB72', productPrice: price },
  });

  it('cart-abandonment fires 10 minutes after the latest AddToCart, once per visit', () => {
    const e = only(SHOP_EXAMPLES, 'cart-abandonment');
    const specs = [
      entered(0, ['Products'], 'P1'),
      cart(10),
      cart(300),
      { at: 400, name: 'Scroll', page: 'P1' },
    ];
    const events = specs.map(storedEvent);
    const { out, state } = replay(e, events, { until: 3600 });
    expect(summary(out)).toEqual([['CartHelp', 900]]);
    expect(out[0]).toMatchObject({
      engagement: { channel: 'chat', queue: 'sales', priority: 70 },
      data: { product: 'Sony JVB72', price: 1000 },
      triggeringEventIDs: [events[2]?.eventID],
      pageID: 'P1',
    });
    // once per visit: a new AddToCart never fires again
    expect(replay(e, [storedEvent(cart(4000))], { state, until: 9000 }).out).toEqual([]);
  });

  it('cart-abandonment: a Checkout cancels, a closed visit fails the guard', () => {
    const e = only(SHOP_EXAMPLES, 'cart-abandonment');
    expect(run(e, [entered(0, [], 'P1'), cart(10), { at: 500, name: 'Checkout', page: 'P1' }], 3600)).toEqual(
      [],
    );
    const e2 = only(SHOP_EXAMPLES, 'cart-abandonment');
    expect(
      run(e2, [entered(0, [], 'P1'), cart(10), { at: 20, name: 'PageExited', page: 'P1' }], 3600),
    ).toEqual([]);
  });

  it('loan-shopper: 3 distinct loan pages within 5m, then a 30m cooldown', () => {
    const e = only(SHOP_EXAMPLES, 'loan-shopper');
    const loan = (at: number, path: string): EventSpec =>
      entered(at, ['Loans'], `P${at}`, `https://bank.example.com/loans/${path}`);
    const out = run(e, [
      loan(0, 'a'),
      loan(10, 'a'),
      loan(20, 'b'),
      loan(30, 'c'), // fires: a, b, c
      loan(40, 'd'),
      loan(50, 'e'),
      loan(60, 'f'), // within cooldown: consumed without firing
      loan(2000, 'g'),
      loan(2010, 'h'),
      loan(2020, 'i'), // after the cooldown: fires
      loan(2400, 'j'),
      loan(2800, 'k'),
      loan(3200, 'l'), // spread over more than 5m: no
    ]);
    expect(summary(out)).toEqual([
      ['LoanAdvice', 30],
      ['LoanAdvice', 2020],
    ]);
    expect(out[0]).toMatchObject({
      engagement: { channel: 'callback', queue: 'loans', priority: 50 },
      data: { lastPage: 'https://bank.example.com/loans/c' },
    });
    expect(out[0]?.triggeringEventIDs).toHaveLength(3);
  });

  it('stuck-on-checkout: idle 60s on a checkout page, once', () => {
    const e = only(SHOP_EXAMPLES, 'stuck-on-checkout');
    const specs = [entered(0, ['Checkout'], 'P1'), { at: 30, name: 'Scroll', page: 'P1' }];
    const events = specs.map(storedEvent);
    const { out, state } = replay(e, events, { until: 600 });
    expect(summary(out)).toEqual([['CheckoutHelp', 90]]);
    expect(out[0]).toMatchObject({
      engagement: { channel: 'chat', queue: 'support', priority: 80 },
      triggeringEventIDs: [events[1]?.eventID],
    });
    expect(
      replay(e, [storedEvent({ at: 700, name: 'Scroll', page: 'P1' })], { state, until: 2000 }).out,
    ).toEqual([]);
    const other = only(SHOP_EXAMPLES, 'stuck-on-checkout');
    expect(run(other, [entered(0, ['Home'], 'P1')], 600)).toEqual([]);
  });

  it('search-struggle: two searches within 5m with no result click between', () => {
    const e = only(SHOP_EXAMPLES, 'search-struggle');
    const search = (at: number, q: string): EventSpec => ({ at, name: 'Search', data: { searchString: q } });
    const out = run(e, [
      search(0, 'tv'),
      { at: 10, name: 'ResultClick' },
      search(20, 'tv 4k'),
      search(40, 'oled'), // fires (20, 40)
      search(60, 'qled'),
      search(70, 'lcd'), // cooldown 15m: consumed
      search(1000, 'a'),
      search(1400, 'b'), // more than 5m apart
      search(1500, 'c'), // fires (1400, 1500)
    ]);
    expect(summary(out)).toEqual([
      ['SearchHelp', 40],
      ['SearchHelp', 1500],
    ]);
    expect(out.map((a) => a.data)).toEqual([{ query: 'oled' }, { query: 'c' }]);
  });

  it('returning-customer-pricing: authenticated, verified, returning', () => {
    const vip: VisitorFacts = { state: 'Authenticated', identityId: 'ID42', verified: true, visitCount: 3 };
    const e = only(SHOP_EXAMPLES, 'returning-customer-pricing');
    const out = run(e, [entered(0, ['Pricing']), entered(10, ['Pricing'])], undefined, vip);
    expect(summary(out)).toEqual([['AccountManager', 0]]);
    expect(out[0]).toMatchObject({
      engagement: { channel: 'chat', queue: 'vip', priority: 90 },
      data: { customer: 'ID42' },
      identityId: 'ID42',
    });
    const anon = only(SHOP_EXAMPLES, 'returning-customer-pricing');
    expect(run(anon, [entered(0, ['Pricing'])])).toEqual([]);
    const unverified = only(SHOP_EXAMPLES, 'returning-customer-pricing');
    expect(run(unverified, [entered(0, ['Pricing'])], undefined, { ...vip, verified: false })).toEqual([]);
  });

  it('high-value-item emits a custom actionable event and sets a fact', () => {
    const e = only(SHOP_EXAMPLES, 'high-value-item');
    const { out, state } = replay(e, [cart(0, '500'), cart(10, '1500')].map(storedEvent));
    expect(summary(out)).toEqual([['HighValueCart', 10]]);
    expect(out[0]).toMatchObject({ engagement: null, data: { price: 1500 } });
    expect(state.facts).toEqual({ highValue: true });
  });

  it('premium-checkout-dwell: 2 minutes on checkout, gated by the fact', () => {
    const e = only(SHOP_EXAMPLES, 'high-value-item', 'premium-checkout-dwell');
    const specs = [entered(0, ['Products'], 'P1'), cart(10, '2000'), entered(20, ['Checkout'], 'P2')];
    const events = specs.map(storedEvent);
    const out = replay(e, events, { until: 1000 }).out;
    expect(summary(out)).toEqual([
      ['HighValueCart', 10],
      ['PremiumCheckout', 140],
    ]);
    expect(out[1]).toMatchObject({
      pageID: 'P2',
      triggeringEventIDs: [events[2]?.eventID],
      engagement: { queue: 'vip', priority: 85 },
    });
    const noFact = only(SHOP_EXAMPLES, 'high-value-item', 'premium-checkout-dwell');
    expect(run(noFact, [cart(0, '10'), entered(20, ['Checkout'], 'P2')], 1000)).toEqual([]);
    const left = only(SHOP_EXAMPLES, 'high-value-item', 'premium-checkout-dwell');
    const leftOut = run(
      left,
      [cart(0, '2000'), entered(20, ['Checkout'], 'P2'), entered(60, ['Home'], 'P3')],
      1000,
    );
    expect(summary(leftOut)).toEqual([['HighValueCart', 0]]);
  });

  it('browser-timeout: Timeout-30 in Products or Offers after 2 page views in 10m', () => {
    const e = only(SHOP_EXAMPLES, 'browser-timeout');
    const timeout = (at: number, cats: string[]): EventSpec => ({ at, name: 'Timeout-30', cats });
    const out = run(e, [
      entered(0, ['Home']),
      timeout(30, ['Products']),
      entered(40, ['Offers']),
      timeout(70, ['Offers']),
      timeout(80, ['Other']),
    ]);
    expect(summary(out)).toEqual([['Brochure', 70]]);
    expect(out[0]?.engagement).toEqual({ channel: 'offer', queue: 'default', priority: 50 });
  });

  it('the whole package: each rule fires exactly where expected and nothing else', () => {
    const e = new RuleEngine({
      packages: [mustCompile(GWE_TEMPLATES), { ...mustCompile(SHOP_EXAMPLES) }],
      domainSeparation: true,
    });
    const specs: EventSpec[] = [
      entered(0, ['Products'], 'P1'),
      cart(10, '1200'), // HighValueCart
      entered(20, ['Pricing'], 'P2'), // SalesChat (default package)
      entered(30, ['Checkout'], 'P3'),
    ];
    const out = replay(e, specs.map(storedEvent), { until: 2000 }).out;
    expect(summary(out)).toEqual([
      ['HighValueCart', 10],
      ['SalesChat', 20],
      ['CheckoutHelp', 90], // idle 60s
      ['PremiumCheckout', 150], // dwell 2m
      ['CartHelp', 610], // 10m after AddToCart
    ]);
  });
});

describe('domain separation (spec §2, §11)', () => {
  const pkg = (name: string) =>
    mustCompile(`package ${name}\nrule "r" when event PageEntered then emit "${name}" end`);
  const engine = (sep: boolean) =>
    new RuleEngine({
      packages: [pkg('default'), pkg('com'), pkg('com.example'), pkg('com.example.shop'), pkg('org.other')],
      domainSeparation: sep,
    });
  const names = (e: RuleEngine, url: string) =>
    run(e, [{ at: 0, name: 'PageEntered', url }]).map((a) => a.name);

  it('applies default plus every package on the reversed host', () => {
    expect(names(engine(true), 'https://shop.example.com:8443/x')).toEqual([
      'default',
      'com',
      'com.example',
      'com.example.shop',
    ]);
    expect(names(engine(true), 'https://deep.shop.example.com/')).toEqual([
      'default',
      'com',
      'com.example',
      'com.example.shop',
    ]);
    expect(names(engine(true), 'https://example.com/')).toEqual(['default', 'com', 'com.example']);
    expect(names(engine(true), 'https://EXAMPLE.org/')).toEqual(['default']);
    expect(names(engine(true), 'not a url')).toEqual(['default']);
  });

  it('without domain separation only default applies', () => {
    expect(names(engine(false), 'https://shop.example.com/')).toEqual(['default']);
  });
});

describe('ordering and facts (spec §1)', () => {
  it('runs rules by priority; a fact set earlier is visible to later rules of the same evaluation point', () => {
    const e = new RuleEngine({
      packages: [
        mustCompile(`package default
rule "reader" when event X where fact.seen == true then emit "read" end
rule "writer" priority 5 when event X then set fact seen = true emit "wrote" end`),
      ],
    });
    expect(summary(run(e, [{ at: 0, name: 'X' }]))).toEqual([
      ['wrote', 0],
      ['read', 0],
    ]);
  });

  it('ids are deterministic', () => {
    const text = `package default\nrule "r" when event X then emit "x" end`;
    const a = run(new RuleEngine({ packages: [mustCompile(text)] }), [{ at: 0, name: 'X', id: 'EVT00001' }]);
    const b = run(new RuleEngine({ packages: [mustCompile(text)] }), [{ at: 0, name: 'X', id: 'EVT00001' }]);
    expect(a[0]?.id).toBe(b[0]?.id);
    expect(a[0]?.timestamp).toBe(T0);
  });
});
