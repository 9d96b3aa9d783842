/**
 * The tracker and the demo site against a real Beckon app (SQLite store, ingest, History API) with the resource
 * plugin as the app registers it: the demo application is deployed through the admin endpoint,
 * a visitor journey runs in Chromium, and the History API must show the exact events, categories and identity.
 */
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IdentityResource, PageResource, StoredEvent } from '@beckon/protocol';
import { build } from '../../packages/tracker/build.mjs';
import { createTestApp, type TestApp } from '../../packages/server/src/testing/test-app.js';
import { collectFiles } from '../../packages/cli/src/commands/app.js';
import { contentTypeOf } from '../../packages/server/src/resources/send-resource.js';
import { dslInstalled, launch, watchDslInstall } from './harness.js';

const demo = join(import.meta.dirname, '../../examples/demo-site');
let dist = '';
let t: TestApp;
let base = '';
let browser: Browser;
let tab: Page;

beforeAll(async () => {
  dist = await mkdtemp(join(tmpdir(), 'beckon-e2e-real-'));
  await build({ outDir: dist, quiet: true });
  // The app registers the resource plugin itself, with the SQL application store and the categories hook.
  t = await createTestApp({ start: Date.now(), trackerDir: dist });
  t.app.get('/demo/*', async (request, reply) => {
    const path = (request.params as { '*': string })['*'] || 'index.html';
    if (path.includes('..')) return reply.code(404).send();
    const body = await readFile(join(demo, path)).catch(() => undefined);
    return body ? reply.type(contentTypeOf(path)).send(body) : reply.code(404).send();
  });
  base = await t.app.listen({ host: '127.0.0.1', port: 0 });
  browser = await launch();
  tab = await (await browser.newContext()).newPage();
  await watchDslInstall(tab);
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
  await rm(dist, { recursive: true, force: true });
});

const ready = () => tab.waitForFunction(() => !Array.isArray((window as unknown as { _gt: unknown })._gt));

describe('tracker against a real Beckon server', () => {
  it('deploys the demo application and serves the tracker, DSL and resources', async () => {
    const files = await collectFiles(join(demo, 'app'));
    const deployed = await t.api({
      method: 'PUT',
      url: '/server/data/applications/demo',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ files }),
    });
    expect(deployed.statusCode).toBe(200);
    const forbidden = await t.app.inject({
      method: 'PUT',
      url: '/server/data/applications/demo',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.readKey}` },
      payload: JSON.stringify({ files }),
    });
    expect(forbidden.statusCode).toBe(403);
    const dsl = await t.app.inject({ url: '/server/resources/dsl/domain-model.xml' });
    expect(dsl.body).toContain('AddToCart');
    expect((await t.app.inject({ url: '/server/resources/js/build/beckon.min.js' })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/server/api/resources/v1/invite.html' })).body).toContain(
      'beckon-invite',
    );
  });

  it('records a visitor journey that the History API returns with categories and identity', async () => {
    await tab.goto(`${base}/demo/products/tv.html`);
    await dslInstalled(tab);
    await tab.click('button.add-to-cart');
    await tab.click('#cart-link');
    await tab.waitForURL(/cart\.html/);
    await ready();
    await tab.click('#signin-link');
    await tab.waitForURL(/signin\.html/);
    await ready();
    await tab.click('#signin-button');
    await tab.waitForURL(/index\.html/);
    await ready();
    const visitID = await tab.evaluate(
      () =>
        new Promise<string>((resolve) =>
          (window as unknown as { _gt: { push(c: unknown): number } })._gt.push([
            'getIDs',
            (ids: { visitID: string }) => resolve(ids.visitID),
          ]),
        ),
    );
    await tab.goto(`${base}/demo/loans/mortgage.html`);
    await ready();
    let events: StoredEvent[] = [];
    const deadline = Date.now() + 8000;
    while (!events.some((e) => e.eventName === 'PageEntered' && e.url.includes('mortgage'))) {
      if (Date.now() > deadline) throw new Error('mortgage page not in history');
      await new Promise((r) => setTimeout(r, 100));
      events = (await t.get(`/visits/${visitID}/events?limit=1000`)).json<StoredEvent[]>();
    }
    const names = events.map((e) => e.eventName);
    expect(names.filter((n) => n === 'VisitStarted')).toHaveLength(1);
    expect(names).toContain('AddToCart');
    expect(names).toContain('SignIn');
    const add = events.find((e) => e.eventName === 'AddToCart')!;
    expect(add).toMatchObject({
      eventType: 'BUSINESS',
      data: { productName: 'Sony Bravia JVB72', productPrice: '1000' },
    });
    expect(add.category.split(';')).toContain('Products');
    const ids = events.map((e) => e.eventID);
    expect(new Set(ids).size).toBe(ids.length);

    const pages = (await t.get(`/visits/${visitID}/pages`)).json<PageResource[]>();
    // the test app's clock stands still, so compare without order
    expect(pages.map((p) => p.title).sort()).toEqual(
      [
        'Sony Bravia JVB72 — Products',
        'Your cart — Checkout',
        'Sign in',
        'Beckon Shop — Catalog',
        'Mortgage — Loans',
      ].sort(),
    );
    const byTitle = (title: string) => pages.find((p) => p.title.startsWith(title))!;
    expect(byTitle('Sony').category).toContain('Products');
    expect(byTitle('Mortgage').category).toContain('Loans');
    expect(byTitle('Your cart').category).toContain('Checkout');
    expect(byTitle('Sony').durationMs).toBeGreaterThanOrEqual(0);

    const identities = (await t.get(`/visits/${visitID}/identities`)).json<IdentityResource[]>();
    expect(identities).toHaveLength(1);
    expect(identities[0]).toMatchObject({
      identityId: 'jane@example.com',
      visitScope: 'Authenticated',
      firstName: 'Jane',
      lastName: 'Doe',
    });
  });
});
