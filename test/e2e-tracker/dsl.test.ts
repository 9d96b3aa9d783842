import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { WireEvent } from '@beckon/protocol';
import { build } from '../../packages/tracker/build.mjs';
import {
  dslInstalled,
  launch,
  nextHarness,
  page,
  sleep,
  until,
  watchDslInstall,
  type Harness,
} from './harness.js';

let dist = '';
let h: Harness;
let browser: Browser;
let context: BrowserContext;
let tab: Page;

beforeAll(async () => {
  dist = await mkdtemp(join(tmpdir(), 'beckon-e2e-dsl-'));
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
  await watchDslInstall(tab);
});
afterEach(() => context.close());

const business = () => h.events().filter((e) => e.eventType === 'BUSINESS');
const businessNamed = (name: string) => business().filter((e) => e.eventName === name);

const shopDsl = `<?xml version="1.0"?>
<properties>
  <events>
    <event id="AddToCartClick" name="AddToCart">
      <trigger name="AddClick" element="button.add" action="click" url="/products/">
        <val name="productName" value="$(event.target).closest('div.product').find('h3.name').text()"/>
      </trigger>
      <val name="cartSize" value="$('#cart .item').length;"/>
    </event>
    <event id="SearchEnter" name="Search">
      <trigger name="Enter" element="#q" action="enterkey">
        <val name="query" value="$('#q').val()"/>
      </trigger>
    </event>
    <event id="ThreeClicks" name="Hesitating">
      <trigger name="Clicks" element=".price" action="click" count="3"/>
    </event>
    <event id="Both" name="ComparedAndZoomed">
      <trigger name="Compare" element="#compare" action="click"/>
      <trigger name="Zoom" element="#zoom" action="mouseover"/>
    </event>
    <event id="Never" name="NeverInstalled" condition="false">
      <trigger name="Any" element="body" action="click"/>
    </event>
    <event id="Post" name="Cancelled" postcondition="window.allow === true">
      <trigger name="P" element="#post" action="click"/>
    </event>
    <event id="Broken" name="BrokenVal">
      <trigger name="B" element="#broken" action="click"><val name="x" value="undefinedThing.y"/></trigger>
    </event>
    <event id="Quick" name="Timeout-300">
      <trigger name="T" element="" action="timer:300" type="timeout"/>
    </event>
    <event id="Idle" name="Idle-1200">
      <trigger name="I" element="" action="timer:1200" type="nomove"/>
    </event>
    <event id="Bad" name="">
      <trigger name="X" element="a" action="click"/>
    </event>
  </events>
</properties>`;

const productBody = `
<div class="product"><h3 class="name">Sony JVB72</h3><div id="slot"></div></div>
<div id="cart"><span class="item"></span><span class="item"></span></div>
<input id="q" value="">
<span class="price">$1000</span>
<button id="compare">compare</button><img id="zoom" alt="zoom" width="20" height="20">
<button id="post">post</button><button id="broken">broken</button>`;

describe('Business Events DSL', () => {
  it('fires click (delegated to late elements), enterkey, count, multi-trigger, conditions and vals', async () => {
    h.dsl.body = shopDsl;
    h.pages.set('/products/tv', page(h.base, { body: productBody, config: { debug: true } }));
    await tab.goto(`${h.base}/products/tv`);
    await until(() => businessNamed('Timeout-300').length === 1, 5000, 'timer');
    // an element added after the DSL was installed still matches (delegation)
    await tab.evaluate(() => {
      document.getElementById('slot')!.innerHTML = '<button class="add"><b>Add</b></button>';
    });
    await tab.click('button.add b');
    await tab.fill('#q', 'oled tv');
    await tab.press('#q', 'a');
    await tab.press('#q', 'Enter');
    await tab.click('.price');
    await tab.click('.price');
    await tab.click('#compare');
    await tab.click('#post');
    await tab.click('#broken');
    await tab.click('.price');
    await tab.hover('#zoom');
    await until(() => businessNamed('ComparedAndZoomed').length === 1, 5000, 'multi-trigger');
    await until(() => businessNamed('BrokenVal').length === 1, 5000, 'BrokenVal');
    const add = businessNamed('AddToCart');
    expect(add).toHaveLength(1);
    expect(add[0]!.data).toEqual({ productName: 'Sony JVB72', cartSize: 2 });
    expect(businessNamed('Search').map((e) => e.data)).toEqual([{ query: 'oled tva' }]);
    expect(businessNamed('Hesitating')).toHaveLength(1);
    expect(businessNamed('BrokenVal')[0]!.data).toEqual({ x: null });
    expect(businessNamed('NeverInstalled')).toHaveLength(0);
    expect(businessNamed('Cancelled')).toHaveLength(0);
    await tab.evaluate(() => ((window as unknown as { allow: boolean }).allow = true));
    await tab.click('#post');
    await until(() => businessNamed('Cancelled').length === 1, 5000, 'postcondition true');
    expect(businessNamed('Timeout-300')).toHaveLength(1);
    expect(business().every((e) => e.pageID === h.events()[0]!.pageID)).toBe(true);
  });

  it('restarts nomove timers on activity, and tests url filters', async () => {
    h.dsl.body = shopDsl;
    h.pages.set(
      '/cart',
      page(h.base, { body: productBody.replace('id="slot">', 'id="slot"><button class="add">x</button>') }),
    );
    await tab.goto(`${h.base}/cart`);
    await until(() => businessNamed('Timeout-300').length === 1, 5000, 'timer');
    const moving = Date.now();
    for (let i = 0; i < 16; i++) {
      await tab.mouse.move(10 + i * 5, 10);
      await sleep(100);
    }
    await sleep(300); // a batch in flight would arrive within the 250 ms flush delay
    expect(businessNamed('Idle-1200')).toHaveLength(0);
    await until(() => businessNamed('Idle-1200').length === 1, 5000, 'nomove');
    expect(Date.now() - moving).toBeGreaterThanOrEqual(1600 + 1200 - 300);
    await tab.click('button.add');
    await sleep(400);
    expect(businessNamed('AddToCart')).toHaveLength(0); // url="/products/" does not match /cart
  });

  it('restarts timers and counters on SPA navigation', async () => {
    h.dsl.body = shopDsl;
    h.pages.set('/products/a', page(h.base, { body: productBody }));
    await tab.goto(`${h.base}/products/a`);
    await until(() => businessNamed('Timeout-300').length === 1, 5000, 'timer');
    await tab.click('.price');
    await tab.click('.price');
    await tab.evaluate(() => history.pushState({}, '', '/products/b'));
    await until(() => businessNamed('Timeout-300').length === 2, 5000, 'timer after navigation');
    await tab.click('.price');
    await sleep(300);
    expect(businessNamed('Hesitating')).toHaveLength(0);
    const timers = businessNamed('Timeout-300');
    expect(timers[1]!.pageID).not.toBe(timers[0]!.pageID);
    expect(timers[1]!.url).toBe(`${h.base}/products/b`);
  });

  it('keeps sending system and page events when the DSL is malformed, with one debug error', async () => {
    h.dsl.body = '<properties><events><event id="a" name="A"></properties>';
    const logs: string[] = [];
    tab.on('console', (m) => logs.push(m.text()));
    h.pages.set('/m', page(h.base, { config: { debug: true }, before: `_gt.push(['event', 'Manual']);` }));
    await tab.goto(`${h.base}/m`);
    await until(() => logs.some((l) => l.includes('DSL is malformed')), 5000, 'debug log');
    await until(() => h.events().some((e: WireEvent) => e.eventName === 'Manual'));
    expect(h.events().map((e) => e.eventName)).toEqual(['VisitStarted', 'PageEntered', 'Manual']);
    expect(logs.filter((l) => l.startsWith('[beckon] DSL is malformed'))).toHaveLength(1);
  });

  it('yields null expressions under a CSP without unsafe-eval, so conditional events never fire', async () => {
    h.dsl.body = `<properties><events>
<event id="a" name="Plain"><trigger name="t" element="#b" action="click"><val name="v" value="1 + 1"/></trigger></event>
<event id="c" name="Conditional" condition="true"><trigger name="t" element="#b" action="click"/></event>
</events></properties>`;
    const csp = `<meta http-equiv="Content-Security-Policy" content="script-src 'unsafe-inline' ${h.base}">`;
    h.pages.set(
      '/csp',
      page(h.base, { body: '<button id="b">b</button>' }).replace('<head>', '<head>' + csp),
    );
    await tab.goto(`${h.base}/csp`);
    await dslInstalled(tab);
    await tab.click('#b');
    await until(() => businessNamed('Plain').length === 1, 5000, 'Plain');
    expect(businessNamed('Plain')[0]!.data).toEqual({ v: null });
    expect(businessNamed('Conditional')).toHaveLength(0);
  });

  it('matches selectors and evaluates $ with window.jQuery when the page has it', async () => {
    h.dsl.body = `<properties><events>
<event id="j" name="JQ"><trigger name="t" element="button:jq-only" action="click"><val name="v" value="$.marker"/></trigger></event>
</events></properties>`;
    const fakeJQuery = `<script>
window.jQuery = function (el) {
  return { closest: function (sel) { return { length: sel === 'button:jq-only' && el.id === 'j' ? 1 : 0 }; } };
};
window.jQuery.marker = 'from jQuery';
</script>`;
    h.pages.set(
      '/jq',
      page(h.base, { body: '<button id="j">j</button><button id="k">k</button>' + fakeJQuery }),
    );
    await tab.goto(`${h.base}/jq`);
    await dslInstalled(tab);
    await tab.click('#k');
    await tab.click('#j');
    await until(() => businessNamed('JQ').length === 1, 5000, 'JQ');
    await sleep(300);
    expect(businessNamed('JQ').map((e) => e.data)).toEqual([{ v: 'from jQuery' }]);
  });

  it('does not load the DSL when dslResource is empty', async () => {
    h.dsl.body = shopDsl;
    const requested: string[] = [];
    tab.on('request', (r) => requested.push(r.url()));
    h.pages.set('/n', page(h.base, { config: { dslResource: '' } }));
    await tab.goto(`${h.base}/n`);
    await sleep(600);
    expect(requested.some((u) => u.includes('domain-model.xml') || u.includes('GPE.dsl'))).toBe(false);
    expect(business()).toHaveLength(0);
  });
});
