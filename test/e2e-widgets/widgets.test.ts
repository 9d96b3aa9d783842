/**
 * The lazily loaded widgets in Chromium, driven by real push frames, with the chat server's endpoints faked by
 * the harness: hostile chat text stays text, the site's CSS cannot reach the widget, the chat restores after a
 * page change and catches up with `afterSeq` after a reconnection, the callback form validates and posts, and
 * the invitation reports its disposition (accept opens the chat; Escape closes; a timeout times out).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { until } from '../e2e-tracker/harness.js';
import { startWidgetHarness, type WidgetHarness } from './harness.js';

let h: WidgetHarness;
const HOSTILE = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>&amp;';
const TOKEN = 'chat-token-123';
const IID = 'I'.repeat(32);

beforeAll(async () => {
  h = await startWidgetHarness();
  h.pages.set(
    '/shop.html',
    h.snippet({
      head: `<style>* { color: rgb(255, 0, 0) !important; font-size: 40px !important; }
div, section, button { display: none !important; } .panel { border: 9px solid red !important; }</style>`,
      body: `<button id="chat-now" onclick="_gt.push(['engage', {channel: 'chat', queue: 'sales'}])">Chat</button>`,
    }),
  );
  h.pages.set('/other.html', h.snippet({ body: '<p>Other page</p>' }));
});
afterAll(() => h?.close());
beforeEach(() => {
  h.received.length = 0;
  h.fake.engageStatus = 201;
  h.fake.after = [];
});

const shadow = (tab: Page, name: string, selector: string) =>
  tab.locator(`[data-beckon-widget="${name}"]`).locator(selector);

const message = (seq: number, text: string, from: 'agent' | 'visitor' = 'agent') => ({
  id: 'S' + seq,
  seq,
  interactionId: IID,
  from: { type: from, id: null, name: from === 'agent' ? 'Ann' : null },
  text,
  timestamp: Date.now(),
});

async function startChat(tab: Page) {
  const ids = await h.open(tab, '/site/shop.html');
  await tab.evaluate(() =>
    (window as unknown as { _gt: { push(c: unknown): number } })._gt.push([
      'engage',
      { channel: 'chat', queue: 'sales' },
    ]),
  );
  await until(() => h.received.find((r) => r.url === '/server/engagements'), 5000, 'engage POST');
  h.hub.push(ids.visitID, {
    channel: 'gpe.chat',
    data: { type: 'started', interactionId: IID, token: TOKEN, queue: 'sales' },
  });
  return ids;
}

describe('chat widget', () => {
  it('engages, shows the queue, renders hostile text as text, sends with the chat token and shows typing', async () => {
    const tab = await (await h.browser.newContext()).newPage();
    const { visitID, pageID } = await startChat(tab);
    const engage = h.received.find((r) => r.url === '/server/engagements')!;
    expect(engage.body).toEqual({ visitID, pageID, channel: 'chat', queue: 'sales' });
    h.hub.push(visitID, { channel: 'gpe.chat', data: { type: 'queue', position: 2, ewtSec: 150 } });
    await expect
      .poll(() => shadow(tab, 'chat', '.status').textContent())
      .toBe('You are number 2 in the queue. Estimated wait: 3 min.');
    h.hub.push(visitID, { channel: 'gpe.chat', data: { type: 'agentJoined', name: HOSTILE } });
    h.hub.push(visitID, { channel: 'gpe.chat', data: { type: 'message', message: message(1, HOSTILE) } });
    h.hub.push(visitID, { channel: 'gpe.chat', data: { type: 'message', message: message(1, HOSTILE) } });
    await expect.poll(() => shadow(tab, 'chat', '.msg.agent .text').count()).toBe(1);
    expect(await shadow(tab, 'chat', '.msg.agent .text').textContent()).toBe(HOSTILE);
    expect(await shadow(tab, 'chat', '.msg.system').first().textContent()).toBe(`${HOSTILE} joined the chat`);
    expect(await shadow(tab, 'chat', 'img, script').count()).toBe(0);
    await tab.waitForTimeout(200);
    expect(await tab.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();

    h.hub.push(visitID, {
      channel: 'gpe.chat',
      data: { type: 'typing', from: { type: 'agent', name: 'Ann' }, typing: true },
    });
    await expect.poll(() => shadow(tab, 'chat', '.typing').textContent()).toBe('Ann is typing…');

    const input = shadow(tab, 'chat', 'textarea');
    await input.fill('<b>hi</b> there');
    await input.press('Enter');
    await expect.poll(() => shadow(tab, 'chat', '.msg.visitor .text').textContent()).toBe('<b>hi</b> there');
    const sent = h.received.find((r) => r.method === 'POST' && r.url === `/server/chat/${IID}/messages`)!;
    expect(sent.authorization).toBe(`Bearer ${TOKEN}`);
    expect(sent.body).toMatchObject({ text: '<b>hi</b> there' });
    expect(h.received.some((r) => r.url === `/server/chat/${IID}/typing`)).toBe(true);
    await tab.context().close();
  });

  it('is isolated from the site CSS in a shadow root and keyboard-operable', async () => {
    const tab = await (await h.browser.newContext()).newPage();
    await startChat(tab);
    const panel = shadow(tab, 'chat', '.panel');
    await panel.waitFor();
    const style = await panel.evaluate((e) => {
      const s = getComputedStyle(e);
      return { display: s.display, color: s.color, border: s.borderTopWidth, fontSize: s.fontSize };
    });
    expect(style.display).toBe('flex');
    expect(style.color).not.toBe('rgb(255, 0, 0)');
    expect(style.border).toBe('1px');
    expect(style.fontSize).toBe('14px');
    expect(await tab.evaluate(() => document.querySelectorAll('.panel, textarea').length)).toBe(0);
    await shadow(tab, 'chat', 'textarea').focus();
    await tab.keyboard.press('Escape');
    await expect.poll(() => tab.locator('[data-beckon-widget="chat"]').count()).toBe(0);
    expect(h.received.some((r) => r.url === `/server/chat/${IID}/close`)).toBe(true);
    await tab.context().close();
  });

  it('restores after a page change and catches up with afterSeq after a reconnection', async () => {
    const context = await h.browser.newContext();
    const tab = await context.newPage();
    const { visitID } = await startChat(tab);
    const off = h.hub.onConnect((v) => {
      if (v !== visitID) return;
      h.hub.push(v, {
        channel: 'gpe.chat',
        data: {
          type: 'restore',
          interactionId: IID,
          token: TOKEN,
          state: 'connected',
          messages: [message(1, 'first'), message(2, 'second', 'visitor')],
        },
      });
    });
    await h.open(tab, '/site/other.html');
    await expect.poll(() => shadow(tab, 'chat', '.msg .text').allTextContents()).toEqual(['first', 'second']);
    expect(await shadow(tab, 'chat', '.status').textContent()).toBe('Connected');
    off();

    h.fake.after = [message(2, 'second', 'visitor'), message(3, 'missed while away')];
    (h.hub as unknown as { closeAll(): void }).closeAll();
    await until(() => h.received.some((r) => r.url.includes('afterSeq=2')), 10_000, 'afterSeq query');
    await expect
      .poll(() => shadow(tab, 'chat', '.msg .text').allTextContents())
      .toEqual(['first', 'second', 'missed while away']);
    await context.close();
  });

  it('shows the offline message when no agent is available', async () => {
    h.fake.engageStatus = 503;
    const tab = await (await h.browser.newContext()).newPage();
    await h.open(tab, '/site/shop.html');
    await tab.evaluate(() =>
      (window as unknown as { _gt: { push(c: unknown): number } })._gt.push(['engage', { channel: 'chat' }]),
    );
    await expect.poll(() => shadow(tab, 'chat', '.status').textContent()).toMatch(/no agent is available/);
    expect(await shadow(tab, 'chat', 'textarea').isDisabled()).toBe(true);
    await tab.context().close();
  });
});

describe('callback form', () => {
  it('validates E.164 and posts the phone number and preferred time with the token', async () => {
    const tab = await (await h.browser.newContext()).newPage();
    const { visitID } = await h.open(tab, '/site/shop.html');
    await tab.evaluate(() =>
      (window as unknown as { _gt: { push(c: unknown): number } })._gt.push([
        'engage',
        { channel: 'callback' },
      ]),
    );
    h.hub.push(visitID, {
      channel: 'gpe.chat',
      data: { type: 'started', channel: 'callback', interactionId: IID, token: TOKEN, queue: 'sales' },
    });
    const phone = shadow(tab, 'chat', 'input[name="phoneNumber"]');
    await phone.fill('0415 555');
    await shadow(tab, 'chat', 'form.callback button[type="submit"]').click();
    await expect.poll(() => shadow(tab, 'chat', '.error').textContent()).toMatch(/international/);
    await phone.fill('+14155550123');
    const when = new Date(Date.now() + 86_400_000);
    const local = new Date(when.getTime() - when.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await shadow(tab, 'chat', 'input[name="preferredTime"]').fill(local);
    await shadow(tab, 'chat', 'form.callback button[type="submit"]').click();
    await until(() => h.received.find((r) => r.url === `/server/callback/${IID}`), 5000, 'callback POST');
    const post = h.received.find((r) => r.url === `/server/callback/${IID}`)!;
    expect(post.authorization).toBe(`Bearer ${TOKEN}`);
    const body = post.body as { phoneNumber: string; preferredTime: string };
    expect(body.phoneNumber).toBe('+14155550123');
    expect(body.preferredTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:00[+-]\d\d:\d\d$/);
    h.hub.push(visitID, {
      channel: 'gpe.chat',
      data: { type: 'callback', state: 'scheduled', at: when.getTime() },
    });
    await expect.poll(() => shadow(tab, 'chat', '.status').textContent()).toMatch(/^Callback scheduled for /);
    await tab.context().close();
  });
});

describe('invitation widget', () => {
  const dispositions = () =>
    h.received
      .filter((r) => r.url.startsWith('/server/data/notification/disposition/'))
      .map((r) => new URL(r.url, 'http://x').searchParams.get('code'));

  it('accept reports the disposition and opens the chat; hostile message text stays text', async () => {
    const tab = await (await h.browser.newContext()).newPage();
    const { visitID } = await h.open(tab, '/site/shop.html');
    h.hub.push(visitID, {
      channel: 'gpe.invite',
      data: { engagementId: 'A'.repeat(32), channel: 'chat', message: HOSTILE, timeoutSec: 30 },
    });
    await shadow(tab, 'invite', '.body').waitFor();
    expect(await shadow(tab, 'invite', '.body').textContent()).toBe(HOSTILE);
    expect(await shadow(tab, 'invite', 'img').count()).toBe(0);
    // focus is on Accept: the keyboard alone accepts
    await tab.keyboard.press('Enter');
    await until(() => dispositions().length === 1, 5000, 'disposition');
    expect(dispositions()).toEqual(['accepted']);
    expect(h.received[0]!.url).toContain(`/disposition/${visitID}?engagementId=${'A'.repeat(32)}`);
    await expect.poll(() => shadow(tab, 'chat', '.status').textContent()).toBe('Connecting you to an agent…');
    expect(await tab.locator('[data-beckon-widget="invite"]').count()).toBe(0);
    await tab.context().close();
  });

  it('reports closed on Escape, timeout after timeoutSec, and nothing when cancelled', async () => {
    const tab = await (await h.browser.newContext()).newPage();
    const { visitID } = await h.open(tab, '/site/shop.html');
    const invite = (id: string, timeoutSec = 30) =>
      h.hub.push(visitID, {
        channel: 'gpe.invite',
        data: { engagementId: id.repeat(32), channel: 'callback', message: 'Call?', timeoutSec },
      });
    invite('B');
    await shadow(tab, 'invite', '.body').waitFor();
    await tab.keyboard.press('Escape');
    await until(() => dispositions().length === 1, 5000, 'closed');
    invite('C');
    await shadow(tab, 'invite', '.body').waitFor();
    h.hub.push(visitID, {
      channel: 'gpe.cancelInvite',
      data: { engagementId: 'C'.repeat(32), reason: 'expired' },
    });
    await expect.poll(() => tab.locator('[data-beckon-widget="invite"]').count()).toBe(0);
    invite('D', 1);
    await until(() => dispositions().length === 2, 5000, 'timeout');
    expect(dispositions()).toEqual(['closed', 'timeout']);
    await tab.context().close();
  });
});
