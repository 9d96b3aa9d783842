/**
 * The demo application's rules (examples/demo-site/app/rules/shop.rules), deployed as `npm start` deploys them,
 * against the real server: the demo's own categories, ingest, the rules engine and the History API. Each moment the
 * demo promises fires with the visitor's events, and only then.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectFiles } from '../../packages/cli/src/commands/app.js';
import { createTestApp, newId, testVisit } from '../../packages/server/src/testing/test-app.js';
import type { TestApp, TestVisit } from '../../packages/server/src/testing/test-app.js';

const app = join(import.meta.dirname, '../../examples/demo-site/app');
const SITE = 'http://127.0.0.1:9081/demo';

interface Hit {
  ruleId: string;
  name: string;
  pageID: string | null;
  engagement: { channel: string; queue: string; priority: number } | null;
  data: Record<string, unknown>;
  triggeringEventIDs: string[];
}

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  const deployed = await t.api({
    method: 'PUT',
    url: '/server/data/applications/demo',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ files: await collectFiles(app) }),
  });
  if (deployed.statusCode !== 200) throw new Error(`deploy: ${deployed.statusCode} ${deployed.body}`);
});
afterAll(async () => {
  await t?.close();
});

/** Sends one event of `v` (a new page for `PageEntered`) and returns its id. */
async function send(v: TestVisit, eventName: string, page: string, data: Record<string, unknown> = {}) {
  if (eventName === 'PageEntered') v.newPage();
  const eventID = newId();
  const res = await t.send([
    v.event({
      eventID,
      eventType: eventName.startsWith('Page') ? 'SYSTEM' : 'BUSINESS',
      eventName,
      url: `${SITE}/${page}`,
      timestamp: t.clock.now(),
      data,
    }),
  ]);
  expect(res.statusCode).toBe(202);
  return eventID;
}

/** The visit's actionable events once `count` of them are stored (the writer thread commits them). */
async function hits(v: TestVisit, count: number): Promise<Hit[]> {
  const read = async () => (await t.get(`/visits/${v.visitID}/actionable`)).json() as Hit[];
  for (let i = 0; i < 500; i++) {
    const list = await read();
    if (list.length >= count) return list;
    await new Promise((r) => setTimeout(r, 20));
  }
  return read();
}

/** Lets a visit's last evaluation settle, so an absence of hits is not an evaluation still in flight. */
async function settled(v: TestVisit): Promise<Hit[]> {
  const marker = await send(v, 'Search', 'search.html', { query: 'settle' });
  for (let i = 0; i < 500; i++) {
    const events = (await t.get(`/visits/${v.visitID}/events`)).json() as { eventID: string }[];
    if (events.some((e) => e.eventID === marker)) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  // the rules run after the commit that made the event readable: give that evaluation its turn
  await new Promise((r) => setTimeout(r, 200));
  return hits(v, 0);
}

describe('the demo application deploys its rules', () => {
  it('lists the package with its five rules', async () => {
    const packages = (await t.get('/rules/packages')).json() as { name: string; ruleCount: number }[];
    expect(packages).toMatchObject([{ name: 'default', ruleCount: 5 }]);
  });

  it('three different loan pages → LoanAdvice chat on the last one', async () => {
    const v = testVisit();
    await send(v, 'PageEntered', 'loans/index.html');
    await send(v, 'PageEntered', 'loans/calculator.html');
    const last = await send(v, 'PageEntered', 'loans/mortgage.html');
    const [hit, more] = await hits(v, 1);
    expect(more).toBeUndefined();
    expect(hit).toMatchObject({
      ruleId: 'default/loan-shopper',
      name: 'LoanAdvice',
      engagement: { channel: 'chat', queue: 'default' },
      data: { lastPage: `${SITE}/loans/mortgage.html` },
    });
    expect(hit?.triggeringEventIDs).toHaveLength(3);
    expect(hit?.triggeringEventIDs.at(-1)).toBe(last);
  });

  it('the same loan page three times is not three loan pages', async () => {
    const v = testVisit();
    for (let i = 0; i < 3; i++) await send(v, 'PageEntered', 'loans/index.html');
    expect(await settled(v)).toEqual([]);
  });

  it('a cart left for ten minutes → CartHelp with the product; a checkout in between → nothing', async () => {
    const left = testVisit();
    await send(left, 'PageEntered', 'products/tv.html');
    const added = await send(left, 'AddToCart', 'products/tv.html', {
      productName: 'Sony JVB72',
      productPrice: '1000',
    });
    const kept = testVisit();
    await send(kept, 'PageEntered', 'products/tv.html');
    await send(kept, 'AddToCart', 'products/tv.html', { productName: 'Sony JVB72', productPrice: '1000' });
    await send(kept, 'PageEntered', 'cart.html');
    await send(kept, 'CheckoutStarted', 'cart.html');
    await t.clock.advance(10 * 60_000 + 1_000);
    // the next event of each visit finds the absence due and fires it first
    await send(left, 'PageEntered', 'products/laptop.html');
    const [hit] = await hits(left, 1);
    expect(hit).toMatchObject({
      ruleId: 'default/cart-abandonment',
      name: 'CartHelp',
      engagement: { channel: 'chat', priority: 70 },
      data: { product: 'Sony JVB72', price: 1000 },
      triggeringEventIDs: [added],
    });
    await send(kept, 'PageEntered', 'index.html');
    expect((await settled(kept)).map((h) => h.ruleId)).not.toContain('default/cart-abandonment');
  });

  it('a minute idle on the cart page → CheckoutHelp; idle on a product page → nothing', async () => {
    const cart = testVisit();
    await send(cart, 'PageEntered', 'cart.html');
    const cartPage = cart.pageID;
    const browsing = testVisit();
    await send(browsing, 'PageEntered', 'products/tv.html');
    await t.clock.advance(61_000);
    await send(cart, 'PageExited', 'cart.html');
    const [hit] = await hits(cart, 1);
    expect(hit).toMatchObject({
      ruleId: 'default/stuck-on-checkout',
      name: 'CheckoutHelp',
      pageID: cartPage,
    });
    await send(browsing, 'PageExited', 'products/tv.html');
    expect((await settled(browsing)).map((h) => h.ruleId)).not.toContain('default/stuck-on-checkout');
  });

  it('a large loan calculated, then an application → the fact gates LoanApplicationHelp', async () => {
    const small = testVisit();
    await send(small, 'PageEntered', 'loans/calculator.html');
    await send(small, 'LoanCalculated', 'loans/calculator.html', { amount: 20_000, years: 5 });
    await send(small, 'LoanApplication', 'loans/calculator.html', { amount: 20_000 });
    expect(await settled(small)).toEqual([]);

    const big = testVisit();
    await send(big, 'PageEntered', 'loans/calculator.html');
    await send(big, 'LoanCalculated', 'loans/calculator.html', { amount: 250_000, years: 20 });
    await send(big, 'LoanApplication', 'loans/calculator.html', { amount: 250_000 });
    // both at the same time (the test clock stands still): the History API orders them by id, so sort by rule
    const list = (await hits(big, 2)).sort((a, b) => a.ruleId.localeCompare(b.ruleId));
    expect(list.map((h) => [h.ruleId, h.name])).toEqual([
      ['default/big-loan', 'BigLoanCalculated'],
      ['default/big-loan-application', 'LoanApplicationHelp'],
    ]);
    expect(list[0]?.engagement).toBeNull();
    expect(list[1]?.data).toEqual({ amount: 250_000 });
  });
});
