import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GENERATED_ID_PATTERN, type WireEvent } from '@beckon/protocol';
import { build } from '../../packages/tracker/build.mjs';
import { launch, nextHarness, page, sleep, until, type Harness } from './harness.js';

let dist = '';
let h: Harness;
let browser: Browser;
let context: BrowserContext;
let tab: Page;

beforeAll(async () => {
  dist = await mkdtemp(join(tmpdir(), 'beckon-e2e-'));
  await build({ outDir: dist, quiet: true });
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
  await rm(dist, { recursive: true, force: true });
});
beforeEach(async () => {
  h = await nextHarness(h, dist); // undefined before the first test
  context = await browser.newContext();
  tab = await context.newPage();
});
afterEach(() => context.close());

const names = (events: WireEvent[]) => events.map((e) => e.eventName);
const named = (name: string) => () => h.events().find((e) => e.eventName === name);

describe('monitoring agent', () => {
  it('runs the queue before and after load, with 8.5 and 8.1 command forms', async () => {
    h.pages.set(
      '/shop',
      page(h.base, {
        title: 'Shop',
        before: `_gt.push(['event', 'Early', {data: {a: 1, f: function () {}}}]);
_gt.push(['getIDs', function (ids) { window.ids = ids; }]);`,
      }),
    );
    await tab.goto(`${h.base}/shop?x=1`);
    await until(named('Early'), 5000, 'Early');
    const pushed = await tab.evaluate(() => {
      const gt = (window as unknown as { _gt: { push(...c: unknown[]): number } })._gt;
      return gt.push(
        ['event', { eventName: 'Legacy', sku: 'X1' }],
        ['sendSignIn', { userId: 'jane@example.com', firstName: 'Jane' }],
        ['event', 'SignOut', { data: { userId: 'jane@example.com' } }],
        ['event', 'PageEntered', {}],
        ['noSuchCommand'],
      );
    });
    expect(pushed).toBe(3);
    await until(named('SignOut'), 5000, 'SignOut');
    const events = h.events();
    expect(names(events)).toEqual(['VisitStarted', 'PageEntered', 'Early', 'Legacy', 'SignIn', 'SignOut']);
    const [visit, entered, early, legacy, signIn] = events as [
      WireEvent,
      WireEvent,
      WireEvent,
      WireEvent,
      WireEvent,
    ];
    for (const e of events) {
      expect(e.eventID).toMatch(GENERATED_ID_PATTERN);
      expect(e.visitID).toBe(visit.visitID);
      expect(e.globalVisitID).toMatch(GENERATED_ID_PATTERN);
      expect(e.pageID).toBe(visit.pageID);
      expect(e.url).toBe(`${h.base}/shop?x=1`);
      expect(typeof e.timestamp).toBe('number');
    }
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(visit.eventType).toBe('SYSTEM');
    expect(Object.keys(visit.data ?? {}).sort()).toEqual([
      'language',
      'referrer',
      'screen',
      'timezoneOffset',
      'userAgent',
    ]);
    expect(entered.data).toEqual({ title: 'Shop', referrer: '' });
    expect(early).toMatchObject({ eventType: 'BUSINESS', data: { a: 1 } });
    expect(legacy).toMatchObject({ eventType: 'BUSINESS', data: { sku: 'X1' } });
    expect(signIn).toMatchObject({
      eventType: 'SYSTEM',
      data: { userId: 'jane@example.com', firstName: 'Jane' },
    });
    expect(events[5]).toMatchObject({ eventType: 'SYSTEM', data: { userId: 'jane@example.com' } });
    const ids = await tab.evaluate(() => (window as unknown as { ids: unknown }).ids);
    expect(ids).toEqual({ visitID: visit.visitID, pageID: visit.pageID, globalVisitID: visit.globalVisitID });
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === '_gt_vid')?.value).toBe(visit.visitID);
    expect(cookies.find((c) => c.name === '_gt_gvid')?.value).toBe(visit.globalVisitID);
  });

  it('keeps the visit across pages and sends PageExited by beacon on pagehide', async () => {
    h.pages.set('/a', page(h.base, { title: 'A', body: '<a id="go" href="/b">next</a>' }));
    h.pages.set('/b', page(h.base, { title: 'B' }));
    await tab.goto(`${h.base}/a`);
    await until(named('PageEntered'));
    await tab.click('#go');
    await until(() => h.events().filter((e) => e.eventName === 'PageEntered').length === 2);
    await until(named('PageExited'));
    const exited = h.posts.find((p) => p.events.some((e) => e.eventName === 'PageExited'));
    expect(exited?.contentType).toMatch(/^text\/plain/);
    const events = h.events();
    expect(names(events.slice(0, 2))).toEqual(['VisitStarted', 'PageEntered']);
    // A's beacon and B's first batch are separate requests, so their arrival order is the browser's; the tracker
    // orders events within a page view by `seq` (docs/tracker.md), which is what is asserted.
    expect(names(events.slice(2)).sort()).toEqual(['PageEntered', 'PageExited']);
    const a = events[1]!;
    const exit = events.find((e) => e.eventName === 'PageExited')!;
    const b = events.slice(2).find((e) => e.eventName === 'PageEntered')!;
    expect(exit.pageID).toBe(a.pageID);
    expect(exit.seq).toBe(a.seq! + 1);
    expect(exit.visitID).toBe(a.visitID);
    expect(exit.data!.durationMs).toBeGreaterThanOrEqual(0);
    expect(b.pageID).not.toBe(a.pageID);
    expect(b.seq).toBe(1);
    expect(b.visitID).toBe(a.visitID);
    expect(b.data).toEqual({ title: 'B', referrer: `${h.base}/a` });
  });

  it('sends nothing and stores nothing before consent, then the held events', async () => {
    h.pages.set(
      '/c',
      page(h.base, {
        config: { requireConsent: true },
        before: `_gt.push(['event', 'Held', {data: {n: 1}}]);`,
      }),
    );
    await tab.goto(`${h.base}/c`);
    await tab.waitForFunction(() => !Array.isArray((window as unknown as { _gt: unknown })._gt));
    await sleep(600);
    expect(h.posts).toHaveLength(0);
    expect(await context.cookies()).toEqual([]);
    expect(await tab.evaluate(() => sessionStorage.length)).toBe(0);
    await tab.evaluate(() =>
      (window as unknown as { _gt: { push(c: unknown): number } })._gt.push(['consent', true]),
    );
    await until(named('Held'));
    expect(names(h.events())).toEqual(['VisitStarted', 'PageEntered', 'Held']);
    expect((await context.cookies()).map((c) => c.name).sort()).toEqual(['_gt_gvid', '_gt_vid']);
    await tab.evaluate(() =>
      (window as unknown as { _gt: { push(c: unknown): number } })._gt.push(['consent', false]),
    );
    expect(await context.cookies()).toEqual([]);
    await tab.evaluate(() =>
      (window as unknown as { _gt: { push(c: unknown): number } })._gt.push(['event', 'After']),
    );
    await sleep(500);
    expect(names(h.events())).not.toContain('After');
  });

  it('tracks SPA navigation but not fragment changes', async () => {
    h.pages.set('/app', page(h.base, { title: 'App' }));
    await tab.goto(`${h.base}/app`);
    await until(named('PageEntered'));
    await tab.evaluate(() => {
      location.hash = '#top';
      history.pushState({}, '', '/app#section');
      history.pushState({}, '', '/app/cart');
    });
    await until(() => h.events().filter((e) => e.eventName === 'PageEntered').length === 2);
    await tab.evaluate(() => history.back());
    await until(() => h.events().filter((e) => e.eventName === 'PageEntered').length === 3);
    const events = h.events();
    expect(names(events)).toEqual([
      'VisitStarted',
      'PageEntered',
      'PageExited',
      'PageEntered',
      'PageExited',
      'PageEntered',
    ]);
    const [, first, exit1, second, exit2, third] = events as WireEvent[];
    expect(exit1!.pageID).toBe(first!.pageID);
    expect(second!.pageID).not.toBe(first!.pageID);
    expect(second!.url).toBe(`${h.base}/app/cart`);
    expect(second!.data!.referrer).toBe(`${h.base}/app`);
    expect(exit2!.pageID).toBe(second!.pageID);
    expect(third!.url).toBe(`${h.base}/app#section`);
  });

  it('retries after a 503 with Retry-After and delivers each event once', async () => {
    let failures = 1;
    h.respond.fn = () => (failures-- > 0 ? { status: 503, headers: { 'Retry-After': '1' } } : undefined);
    h.pages.set('/r', page(h.base, { before: `_gt.push(['event', 'Retried']);` }));
    const started = Date.now();
    await tab.goto(`${h.base}/r`);
    await until(named('Retried'), 5000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(names(h.events())).toEqual(['VisitStarted', 'PageEntered', 'Retried']);
  });

  it('keeps unacknowledged events in sessionStorage and resends them on the next page', async () => {
    h.respond.fn = () => ({ status: 503, headers: { 'Retry-After': '30' } });
    h.pages.set('/down', page(h.base, { before: `_gt.push(['event', 'WhileDown']);` }));
    h.pages.set('/up', page(h.base, {}));
    await tab.goto(`${h.base}/down`);
    await tab.waitForFunction(() => (sessionStorage.getItem('_gt_q') || '').includes('WhileDown'));
    await tab.evaluate(() => {
      // a beacon would deliver them at pagehide; simulate a browser that refuses it
      navigator.sendBeacon = () => false;
      window.fetch = () => Promise.reject(new Error('offline'));
    });
    h.respond.fn = undefined;
    await tab.goto(`${h.base}/up`);
    await until(named('WhileDown'), 5000);
    await until(() => h.events().filter((e) => e.eventName === 'PageEntered').length === 2);
    const events = h.events();
    const ids = events.map((e) => e.eventID);
    expect(new Set(ids).size).toBe(ids.length);
    expect(names(events).filter((n) => n === 'WhileDown')).toHaveLength(1);
  });

  it('starts a new visit after a visitExpired rejection and resends under it', async () => {
    let rejectOnce = true;
    h.respond.fn = (events) => {
      if (!rejectOnce) return undefined;
      rejectOnce = false;
      return {
        status: 202,
        body: {
          accepted: 0,
          duplicates: 0,
          rejected: events.map((_, index) => ({ index, code: 'visitExpired', message: 'expired' })),
        },
      };
    };
    await context.addCookies([{ name: '_gt_vid', value: 'OLDVISIT0000', url: h.base }]);
    h.pages.set('/x', page(h.base, {}));
    await tab.goto(`${h.base}/x`);
    await until(named('VisitStarted'), 5000);
    await until(() => h.events().filter((e) => e.eventName === 'PageEntered').length === 2);
    const [old, visit, entered] = h.events() as WireEvent[];
    expect(old!.visitID).toBe('OLDVISIT0000');
    expect(visit!.visitID).not.toBe('OLDVISIT0000');
    expect(entered!.visitID).toBe(visit!.visitID);
    expect(entered!.pageID).toBe(visit!.pageID);
    expect(entered!.pageID).not.toBe(old!.pageID);
    expect(entered!.eventID).toBe(old!.eventID);
  });

  it('ignores a second tracker copy and never throws into the page', async () => {
    h.pages.set(
      '/twice',
      page(h.base, {
        before: `_gt.push(['getIDs', function () { throw new Error('page bug'); }]); window.errors = [];
window.addEventListener('error', function (e) { window.errors.push(String(e.message)); });`,
        body: `<script src="${h.base}/server/resources/js/build/GPE.min.js"></script>`,
      }),
    );
    await tab.goto(`${h.base}/twice`);
    await until(named('PageEntered'));
    await sleep(400);
    expect(names(h.events())).toEqual(['VisitStarted', 'PageEntered']);
    expect(await tab.evaluate(() => (window as unknown as { errors: string[] }).errors)).toEqual([]);
  });
});
