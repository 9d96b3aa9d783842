/**
 * The notification agent in Chromium against the real push channel: a page carrying only the GWE snippet gets an
 * HTML fragment appended through the GWE notify REST API (scripts run in order), `subscribe` callbacks receive
 * their channels, and a browser whose WebSocket is blocked falls back to Server-Sent Events.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../e2e-tracker/harness.js';
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
});
