import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../../packages/tracker/build.mjs';
import { validateDsl } from '../../packages/core/src/dsl/validate-dsl.js';
import { dslInstalled, launch, startHarness, until, watchDslInstall, type Harness } from './harness.js';

const demo = join(import.meta.dirname, '../../examples/demo-site');
let dist = '';
let h: Harness;
let browser: Browser;
let context: BrowserContext;
let tab: Page;

beforeAll(async () => {
  dist = await mkdtemp(join(tmpdir(), 'beckon-e2e-demo-'));
  await build({ outDir: dist, quiet: true });
  h = await startHarness(dist, demo);
  h.dsl.body = await readFile(join(demo, 'app/dsl/domain-model.xml'), 'utf8');
  browser = await launch();
  context = await browser.newContext();
  tab = await context.newPage();
  await watchDslInstall(tab);
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
  await rm(dist, { recursive: true, force: true });
});

const named = (name: string) => h.events().filter((e) => e.eventName === name);

describe('demo site', () => {
  it('ships a DSL that validates', () => {
    expect(validateDsl(h.dsl.body)).toEqual([]);
  });

  it('produces the shop and loans events a visitor journey should', async () => {
    await tab.goto(`${h.base}/demo/index.html`);
    await until(() => named('PageEntered').length === 1);
    await tab.click('a[href="products/tv.html"]');
    await tab.waitForURL(/products\/tv/);
    await dslInstalled(tab);
    await tab.click('.product-image');
    await tab.click('.product-image');
    await tab.click('.product-image');
    await tab.click('button.add-to-cart');
    await until(() => named('AddToCart').length === 1, 5000, 'AddToCart');
    await until(() => named('ProductInterest').length === 1, 5000, 'ProductInterest');
    expect(named('AddToCart')[0]!.data).toEqual({
      productName: 'Sony Bravia JVB72',
      productPrice: '1000',
      productCurrency: 'USD',
      itemsBefore: 0,
    });

    await tab.click('#cart-link');
    await tab.waitForURL(/cart\.html/);
    await dslInstalled(tab);
    await tab.click('#checkout-button');
    await tab.waitForURL(/checkout\.html/);
    await until(() => named('CheckoutStarted').length === 1, 5000, 'CheckoutStarted');
    expect(named('CheckoutStarted')[0]!.data).toEqual({ cartSize: 1 });

    await tab.goto(`${h.base}/demo/search.html`);
    await tab.waitForFunction(() => !Array.isArray((window as unknown as { _gt: unknown })._gt));
    await until(() => h.events().some((e) => e.eventName === 'PageEntered' && e.url.endsWith('search.html')));
    await dslInstalled(tab);
    await tab.fill('#search-input', 'sony');
    await tab.press('#search-input', 'Enter');
    await until(() => named('Search').length === 1, 5000, 'Search');
    expect(named('Search')[0]!.data).toEqual({ query: 'sony' });
    await until(() => h.events().some((e) => e.eventName === 'PageEntered' && e.url.endsWith('?q=sony')));

    await tab.click('#signin-link');
    await tab.waitForURL(/signin\.html/);
    await tab.waitForFunction(() => !Array.isArray((window as unknown as { _gt: unknown })._gt));
    await tab.click('#signin-button');
    await tab.waitForURL(/index\.html/);
    await tab.waitForFunction(() => !Array.isArray((window as unknown as { _gt: unknown })._gt));
    await until(() => named('SignIn').length === 1, 5000, 'SignIn');
    expect(named('SignIn')[0]).toMatchObject({
      eventType: 'SYSTEM',
      data: {
        userId: 'jane@example.com',
        firstName: 'Jane',
        lastName: 'Doe',
        emailAddress: 'jane@example.com',
      },
    });
    await tab.click('#signout-button');
    await until(() => named('SignOut').length === 1, 5000, 'SignOut');

    await tab.goto(`${h.base}/demo/loans/calculator.html`);
    await dslInstalled(tab);
    await tab.fill('#loan-amount', '50000');
    await tab.press('#loan-amount', 'Tab');
    await tab.click('#apply-button');
    await until(() => named('LoanApplication').length === 1, 5000, 'LoanApplication');
    expect(named('LoanCalculated')[0]!.data).toEqual({ amount: 50000, years: 10 });
    expect(named('LoanApplication')[0]!.data).toEqual({ amount: 50000 });

    const visits = new Set(h.events().map((e) => e.visitID));
    expect(visits.size).toBe(1);
    const ids = h.events().map((e) => e.eventID);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
