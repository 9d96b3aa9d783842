/**
 * Issue 6 acceptance, end to end against the real app (SQLite, ingest, push channel, contact center, the built
 * agent desktop at /console/ and the built tracker): in two Chromium contexts a visitor on the demo site starts a
 * reactive chat, the agent signed in on the desktop accepts the invite, messages go both ways with HTML-looking
 * visitor text shown as text on both sides, the visitor changes page, the chat restores there and the agent's
 * visitor panel shows the new page without a reload, the agent ends the chat and the transcript is in the
 * History API. Every wait is on a selector or a polled condition.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../../packages/tracker/build.mjs';
import { createTestApp, type TestApp } from '../../packages/server/src/testing/test-app.js';
import { collectFiles } from '../../packages/cli/src/commands/app.js';
import { contentTypeOf } from '../../packages/server/src/resources/send-resource.js';
import { DEFAULT_CONSOLE_DIR } from '../../packages/server/src/http/console-static.js';
import { launch } from '../e2e-tracker/harness.js';

const root = join(import.meta.dirname, '../..');
const demo = join(root, 'examples/demo-site');
const AGENT = { agentId: 'ann', name: 'Ann Agent', password: 'correct horse battery' };
const HOSTILE = '<img src=x onerror=alert(1)> & <b>bold?</b>';
const REPLY = 'Hello! <i>How</i> can I help?';

let dist = '';
let t: TestApp;
let base = '';
let browser: Browser;
let visitor: Page;
let agent: Page;
const dialogs: string[] = [];

beforeAll(async () => {
  // CI has no built desktop (dist/ is ignored): build it once; a developer's existing build is used as is.
  if (!existsSync(join(DEFAULT_CONSOLE_DIR, 'index.html')))
    execFileSync('npm', ['run', 'build', '-w', '@beckon/console'], { cwd: root, stdio: 'ignore' });
  dist = await mkdtemp(join(tmpdir(), 'beckon-e2e-cc-'));
  await build({ outDir: dist, quiet: true });
  t = await createTestApp({ start: Date.now(), contactCenter: true, trackerDir: dist });
  t.app.get('/demo/*', async (request, reply) => {
    const path = (request.params as { '*': string })['*'] || 'index.html';
    if (path.includes('..')) return reply.code(404).send();
    const body = await readFile(join(demo, path)).catch(() => undefined);
    return body ? reply.type(contentTypeOf(path)).send(body) : reply.code(404).send();
  });
  base = await t.app.listen({ host: '127.0.0.1', port: 0 });
  const deployed = await t.api({
    method: 'PUT',
    url: '/server/data/applications/demo',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ files: await collectFiles(join(demo, 'app')) }),
  });
  if (deployed.statusCode !== 200) throw new Error(`deploy: ${deployed.statusCode} ${deployed.body}`);
  const created = await t.api({
    method: 'POST',
    url: '/server/data/agents',
    payload: { ...AGENT, groups: ['support'] },
  });
  if (created.statusCode !== 201) throw new Error(`agent: ${created.statusCode} ${created.body}`);
  browser = await launch();
  visitor = await (await browser.newContext()).newPage();
  agent = await (await browser.newContext()).newPage();
  for (const tab of [visitor, agent])
    tab.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
  if (dist) await rm(dist, { recursive: true, force: true });
});

/** A locator inside the visitor's chat widget (open shadow root; Playwright's CSS pierces it). */
const widget = (selector: string) => visitor.locator('[data-beckon-widget="chat"]').locator(selector);

/** Waits until the tracker has replaced the `_gt` queue, then returns the visit's ids. */
async function ids(tab: Page): Promise<{ visitID: string; pageID: string }> {
  await tab.waitForFunction(() => !Array.isArray((window as unknown as { _gt: unknown })._gt));
  return tab.evaluate(
    () =>
      new Promise<{ visitID: string; pageID: string }>((resolve) =>
        (window as unknown as { _gt: { push(c: unknown): number } })._gt.push([
          'getIDs',
          (i: { visitID: string; pageID: string }) => resolve({ visitID: i.visitID, pageID: i.pageID }),
        ]),
      ),
  );
}

/** Waits until the visitor's page has its push connection (the server pushes chat frames there). */
async function connected(visitID: string): Promise<void> {
  const hub = t.services.notifications;
  await expect.poll(() => hub.isConnected(visitID), { timeout: 10_000 }).toBe(true);
}

describe('contact center end to end (issue 6 acceptance)', () => {
  it('reactive chat: accept, messages both ways as text, restore on a new page with a live panel, end, transcript', async () => {
    const started = Date.now();

    // The agent signs in on the desktop and goes Ready.
    await agent.goto(`${base}/console/`);
    await agent.getByLabel('Agent ID').fill(AGENT.agentId);
    await agent.getByLabel('Password').fill(AGENT.password);
    await agent.getByRole('button', { name: 'Sign in' }).click();
    await agent.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    const ready = agent.getByRole('button', { name: 'Ready', exact: true });
    await expect.poll(() => ready.isEnabled(), { timeout: 10_000 }).toBe(true);
    await ready.click();
    await expect.poll(() => ready.isDisabled()).toBe(true);
    await agent.locator('.state-Ready').waitFor();

    // The visitor browses the demo shop and asks for a chat.
    await visitor.goto(`${base}/demo/index.html`);
    const { visitID } = await ids(visitor);
    await connected(visitID);
    await visitor.getByRole('button', { name: 'Chat with us' }).click();
    await widget('.panel').waitFor();

    // The invite reaches the desktop; the agent accepts and both sides see the connection.
    const accept = agent
      .getByRole('navigation', { name: 'Interactions' })
      .getByRole('button', { name: 'Accept' });
    await accept.waitFor({ timeout: 10_000 });
    await accept.click();
    await agent.getByRole('button', { name: 'End chat' }).waitFor();
    await expect.poll(() => widget('.status').textContent(), { timeout: 10_000 }).toBe('Connected');
    await expect.poll(() => widget('.msg.system').allTextContents()).toContain('Ann Agent joined the chat');

    // Visitor → agent, with HTML-looking text.
    const input = widget('textarea');
    await input.fill(HOSTILE);
    await input.press('Enter');
    await expect.poll(() => widget('.msg.visitor .text').allTextContents()).toEqual([HOSTILE]);
    const agentLog = agent.getByRole('log', { name: 'Messages' });
    await expect
      .poll(() => agentLog.locator('.message.from-visitor .text').allTextContents(), { timeout: 10_000 })
      .toEqual([HOSTILE]);

    // Agent → visitor.
    const draft = agent.getByLabel('Message', { exact: true });
    await draft.fill(REPLY);
    await draft.press('Enter');
    await expect
      .poll(() => widget('.msg.agent .text').allTextContents(), { timeout: 10_000 })
      .toEqual([REPLY]);
    await expect
      .poll(() => agentLog.locator('.message.from-agent:not(.pending) .text').allTextContents())
      .toEqual([REPLY]);

    // Nothing was interpreted as markup on either side.
    expect(await widget('img, b, i, script').count()).toBe(0);
    expect(await agentLog.locator('img, b, i, script').count()).toBe(0);

    // The agent's visitor panel shows the current page; the visitor moves to the cart.
    const currentTitle = agent
      .getByRole('complementary', { name: 'Visitor' })
      .locator('.current-page .page-title');
    await expect.poll(() => currentTitle.textContent(), { timeout: 10_000 }).toBe('Beckon Shop — Catalog');
    await visitor.click('#cart-link');
    await visitor.waitForURL(/cart\.html/);
    const second = await ids(visitor);
    expect(second.visitID).toBe(visitID);
    await connected(visitID);

    // The chat restores on the new page with its history, and the desktop follows without a reload.
    await expect
      .poll(() => widget('.msg:not(.system) .text').allTextContents(), { timeout: 10_000 })
      .toEqual([HOSTILE, REPLY]);
    await expect.poll(() => widget('.status').textContent()).toBe('Connected');
    await expect.poll(() => currentTitle.textContent(), { timeout: 10_000 }).toBe('Your cart — Checkout');
    expect(await agent.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(1);
    expect(await agentLog.locator('.message.from-visitor .text').allTextContents()).toEqual([HOSTILE]);

    // The visitor writes from the new page; then the agent ends the chat.
    await input.fill('still here');
    await input.press('Enter');
    await expect
      .poll(() => agentLog.locator('.message.from-visitor .text').allTextContents(), { timeout: 10_000 })
      .toEqual([HOSTILE, 'still here']);
    await agent.getByRole('button', { name: 'End chat' }).click();
    await expect.poll(() => widget('.status').textContent(), { timeout: 10_000 }).toBe('The chat has ended.');
    expect(await input.isDisabled()).toBe(true);
    await agentLog.getByText(/^Chat ended/).waitFor();

    // The transcript is part of the visit in the History API.
    type Transcript = {
      queue: string;
      agentIds: string[];
      endedAt: number | null;
      messages: { text: string; seq: number; from: { type: string } }[];
    };
    let chats: Transcript[] = [];
    await expect
      .poll(async () => {
        chats = (await t.get(`/visits/${visitID}/chats`)).json<Transcript[]>();
        return chats[0]?.endedAt ?? null;
      })
      .not.toBeNull();
    expect(chats).toHaveLength(1);
    const chat = chats[0]!;
    expect(chat.queue).toBe('default');
    expect(chat.agentIds).toEqual([AGENT.agentId]);
    const said = chat.messages.filter((m) => m.from.type !== 'system');
    expect(said.map((m) => [m.from.type, m.text])).toEqual([
      ['visitor', HOSTILE],
      ['agent', REPLY],
      ['visitor', 'still here'],
    ]);
    const seqs = chat.messages.map((m) => m.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(dialogs).toEqual([]);

    console.log(`contact-center e2e scenario: ${Date.now() - started} ms`);
  });
});
