/**
 * The notification agent in Chromium against the real push channel: a page carrying only the GWE snippet gets an
 * HTML fragment appended through the GWE notify REST API (scripts run in order), `subscribe` callbacks receive
 * their channels, a browser whose WebSocket is blocked falls back to Server-Sent Events, and no connection is
 * opened before consent or with `notifications: false`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep, until } from '../e2e-tracker/harness.js';
import { startWidgetHarness, type WidgetHarness } from './harness.js';

let h: WidgetHarness;

beforeAll(async () => {
  h = await startWidgetHarness();
});
afterAll(() => h?.close());

describe('notification agent in Chromium', () => {
  it('appends a gpe.appendContent fragment sent with the notify REST API, running its scripts in order', async () => {
    h.pages.set('/plain.html', h.snippet({ body: '<main id="main"><p>Shop</p></main>' }));
    h.pages.set(
      '/fragment.html',
      `<div id="offer">10% off <b>today</b></div>
<script>window.order = (window.order || []).concat('inline-1');</script>
<script src="/site/ext.js"></script>
<script>window.order.push('inline-2');</script>`,
    );
    h.pages.set('/ext.js', "window.order.push('external');");
    const tab = await (await h.browser.newContext()).newPage();
    const { visitID, pageID } = await h.open(tab, '/site/plain.html');
    const res = await h.t.api({
      method: 'POST',
      url: `/server/data/notification/notify/${visitID}`,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify([
        {
          page: pageID,
          channel: 'gpe.appendContent',
          data: { url: `${h.base}/site/fragment.html`, method: 'GET', container: '#main' },
        },
      ]),
    });
    expect(res.statusCode).toBe(200);
    await tab.waitForSelector('#main > #offer');
    await tab.waitForFunction(() => (window as unknown as { order?: string[] }).order?.length === 3);
    expect(await tab.evaluate(() => (window as unknown as { order: string[] }).order)).toEqual([
      'inline-1',
      'external',
      'inline-2',
    ]);
    expect(await tab.textContent('#offer')).toBe('10% off today');
    await tab.context().close();
  });

  it('delivers push messages to subscribe callbacks, with * prefix matching', async () => {
    h.pages.set(
      '/subscribe.html',
      h.snippet({
        before: `window.got = [];
_gt.push(['subscribe', 'gpe.custom.*', function (data, message) { window.got.push(['prefix', message.channel, data]); }]);
_gt.push(['subscribe', 'gpe.custom.offer', function (data) { window.got.push(['exact', data]); }]);
_gt.push(['subscribe', 'gpe.other', function () { window.got.push(['wrong']); }]);`,
      }),
    );
    const tab = await (await h.browser.newContext()).newPage();
    const { visitID } = await h.open(tab, '/site/subscribe.html');
    h.hub.push(visitID, { channel: 'gpe.custom.offer', data: { pct: 10 } });
    h.hub.push(visitID, { channel: 'gpe.custom.news', data: { n: 1 } });
    await tab.waitForFunction(() => (window as unknown as { got: unknown[] }).got.length === 3);
    expect(await tab.evaluate(() => (window as unknown as { got: unknown[] }).got)).toEqual([
      ['prefix', 'gpe.custom.offer', { pct: 10 }],
      ['exact', { pct: 10 }],
      ['prefix', 'gpe.custom.news', { n: 1 }],
    ]);
    await tab.context().close();
  });

  it('falls back to Server-Sent Events when the WebSocket is blocked, and resumes without repeats', async () => {
    h.pages.set(
      '/sse.html',
      h.snippet({
        before: `window.got = []; window.wsAttempts = 0;
window.WebSocket = function () {
  var self = this; window.wsAttempts++;
  setTimeout(function () { if (self.onclose) self.onclose({ code: 1006 }); }, 20);
  this.close = function () {};
};
_gt.push(['subscribe', 'gpe.*', function (data, m) { window.got.push(m.seq); }]);`,
      }),
    );
    const tab = await (await h.browser.newContext()).newPage();
    const { visitID } = await h.open(tab, '/site/sse.html');
    expect(await tab.evaluate(() => (window as unknown as { wsAttempts: number }).wsAttempts)).toBe(2);
    h.hub.push(visitID, { channel: 'gpe.one', data: {} });
    h.hub.push(visitID, { channel: 'gpe.two', data: {} });
    await tab.waitForFunction(() => (window as unknown as { got: number[] }).got.length === 2);
    // the server drops the stream; EventSource reconnects with Last-Event-ID and only new frames arrive
    (h.hub as unknown as { closeAll(): void }).closeAll();
    await until(() => !h.hub.isConnected(visitID), 3000, 'stream closed');
    h.hub.push(visitID, { channel: 'gpe.three', data: {} });
    await until(() => h.hub.isConnected(visitID), 10_000, 'stream resumed');
    await tab.waitForFunction(() => (window as unknown as { got: number[] }).got.length === 3);
    expect(await tab.evaluate(() => (window as unknown as { got: number[] }).got)).toEqual([1, 2, 3]);
    await tab.context().close();
  });

  it('loads a cross-origin fragment without CORS by JSONP', async () => {
    // another origin that answers JSONP like /server/api/resources/v1 and sends no CORS header
    const other: Server = createServer((req, res) => {
      const callback = new URL(req.url ?? '/', 'http://x').searchParams.get('callback');
      const html = '<p id="jsonp">from afar</p><script>window.jsonpRan = true;</script>';
      if (!callback) {
        res.writeHead(200, { 'Content-Type': 'text/html' });
        return res.end(html);
      }
      res.writeHead(200, { 'Content-Type': 'application/javascript' });
      res.end(`${callback}(${JSON.stringify(html)});`);
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const port = (other.address() as AddressInfo).port;
    h.pages.set('/jsonp.html', h.snippet({}));
    const tab = await (await h.browser.newContext()).newPage();
    const { visitID } = await h.open(tab, '/site/jsonp.html');
    h.hub.push(visitID, {
      channel: 'gpe.appendContent',
      data: { url: `http://localhost:${port}/invite.html`, method: 'GET', container: 'body' },
    });
    await tab.waitForSelector('#jsonp');
    await tab.waitForFunction(() => (window as unknown as { jsonpRan?: boolean }).jsonpRan === true);
    await tab.context().close();
    other.close();
  });

  it('opens no push connection before consent, and closes it when consent is withdrawn', async () => {
    h.pages.set(
      '/consent.html',
      h.snippet({
        config: { requireConsent: true },
        before: "_gt.push(['getIDs', function (i) { window.ids = i; }]);",
      }),
    );
    const tab = await (await h.browser.newContext()).newPage();
    // Counted by connect events, not by connectionCount: a page of an earlier test may still be disconnecting.
    const connects: string[] = [];
    const off = h.hub.onConnect((v) => connects.push(v));
    await tab.goto(`${h.base}/site/consent.html`);
    await sleep(1500);
    expect(connects).toEqual([]);
    off();
    await tab.evaluate(() =>
      (window as unknown as { _gt: { push(c: unknown): number } })._gt.push(['consent', true]),
    );
    const ids = await tab.waitForFunction(() => (window as unknown as { ids?: { visitID: string } }).ids);
    const visitID = ((await ids.jsonValue()) as { visitID: string }).visitID;
    await until(() => h.hub.isConnected(visitID), 10_000, 'connected after consent');
    await tab.evaluate(() =>
      (window as unknown as { _gt: { push(c: unknown): number } })._gt.push(['consent', false]),
    );
    await until(() => !h.hub.isConnected(visitID), 5000, 'closed after withdrawal');
    await tab.context().close();
  });

  it('opens no push connection with notifications: false', async () => {
    h.pages.set(
      '/monitoring-only.html',
      h.snippet({
        config: { notifications: false },
        before: "_gt.push(['getIDs', function (i) { window.ids = i; }]);",
      }),
    );
    const tab = await (await h.browser.newContext()).newPage();
    const requested: string[] = [];
    tab.on('request', (r) => requested.push(r.url()));
    tab.on('websocket', (ws) => requested.push(ws.url()));
    await tab.goto(`${h.base}/site/monitoring-only.html`);
    const ids = await tab.waitForFunction(() => (window as unknown as { ids?: { visitID: string } }).ids);
    const visitID = ((await ids.jsonValue()) as { visitID: string }).visitID;
    await sleep(1500);
    expect(h.hub.isConnected(visitID)).toBe(false);
    expect(requested.filter((u) => /notify|notifications/.test(u))).toEqual([]);
    await tab.context().close();
  });
});
