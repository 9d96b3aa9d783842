/**
 * Issue 7 acceptance, end to end against the real app (SQLite, ingest, rules engine, engagement service, push
 * channel, contact center, the built agent desktop at /console/ and the built tracker): a rule package engages a
 * chat after three loan pages within five minutes; with the agent Ready on the desktop, a visitor on the demo
 * site views three different loan pages in one tab, the invitation widget appears, the visitor accepts, the agent accepts
 * the offered chat, messages go both ways and the agent's visitor panel shows the loan pages of the journey. The
 * rule that fired is checked on the desktop when shown there, and always in the History API (`/actionable`,
 * `/engagements`). Every wait is on a selector or a polled condition.
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
const RULES = `package default
rule "loan-shopper"
when count(event PageEntered in "Loans" distinct url) within 5m >= 3
then engage chat "LoanChat" queue "default"
end
`;
const LOAN_PAGES = [
  ['loans/index.html', 'Loans'],
  ['loans/calculator.html', 'Loan calculator — Loans'],
  ['loans/mortgage.html', 'Mortgage — Loans'],
] as const;

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
  dist = await mkdtemp(join(tmpdir(), 'beckon-e2e-engage-'));
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
  const rules = await t.api({
    method: 'PUT',
    url: '/server/data/rules/packages/default',
    headers: { 'content-type': 'text/x-beckon-rules' },
    payload: RULES,
  });
  if (rules.statusCode !== 200) throw new Error(`rules: ${rules.statusCode} ${rules.body}`);
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

/** Waits until the visitor's page has its push connection (the invitation is pushed there). */
async function connected(visitID: string): Promise<void> {
  const hub = t.services.notifications;
  await expect.poll(() => hub.isConnected(visitID), { timeout: 10_000 }).toBe(true);
}

/** How many PageEntered events of the visit are stored (0 while the visit is unknown). */
async function pageEntered(visitID: string): Promise<number> {
  const body: unknown = (await t.get(`/visits/${visitID}/events?eventName=PageEntered`)).json();
  return Array.isArray(body) ? body.length : 0;
}

interface Engagement {
  engagementId: string;
  state: string;
  channel: string;
  queue: string;
  ruleId?: string | null;
  name?: string | null;
  history: { state: string }[];
}

describe('proactive engagement end to end (issue 7 acceptance)', () => {
  it('three loan pages → invitation → accept → chat with the agent, who sees the journey and the rule', async () => {
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

    // The visitor views three loan pages in one tab; the rule fires on the third PageEntered, before that page's
    // push connection exists: the visitor is present (an open page) and the invitation waits in the hub for it.
    await visitor.goto(`${base}/demo/${LOAN_PAGES[0][0]}`);
    const { visitID } = await ids(visitor);
    await expect.poll(() => pageEntered(visitID), { timeout: 10_000 }).toBe(1);
    await visitor.goto(`${base}/demo/${LOAN_PAGES[1][0]}`);
    expect((await ids(visitor)).visitID).toBe(visitID);
    await expect.poll(() => pageEntered(visitID), { timeout: 10_000 }).toBe(2);
    await connected(visitID);
    expect(await visitor.locator('[data-beckon-widget="invite"]').count()).toBe(0);
    await visitor.goto(`${base}/demo/${LOAN_PAGES[2][0]}`);
    expect((await ids(visitor)).visitID).toBe(visitID);

    // The invitation appears in a page of the visit; the visitor accepts it there.
    let engagement: Engagement | undefined;
    await expect
      .poll(
        async () => {
          engagement = (await t.get(`/visits/${visitID}/engagements`)).json<Engagement[]>()[0];
          return engagement?.state;
        },
        { timeout: 10_000 },
      )
      .toBe('invited');
    const inviteIn = async (tab: Page) => tab.locator('[data-beckon-widget="invite"] button.primary').count();
    let tab: Page = visitor;
    await expect
      .poll(
        async () => {
          for (const candidate of [visitor])
            if ((await inviteIn(candidate)) > 0) {
              tab = candidate;
              return true;
            }
          return false;
        },
        { timeout: 10_000 },
      )
      .toBe(true);
    const invite = (selector: string) => tab.locator('[data-beckon-widget="invite"]').locator(selector);
    expect(await invite('h2').textContent()).toBe('Can we help?');
    const accept = invite('button.primary');
    expect(await accept.textContent()).toBe('Accept');
    await accept.click();
    await expect.poll(() => tab.locator('[data-beckon-widget="invite"]').count()).toBe(0);
    const widget = (selector: string) => tab.locator('[data-beckon-widget="chat"]').locator(selector);
    await widget('.panel').waitFor({ timeout: 10_000 });

    // The chat is offered on the desktop; the agent accepts and both sides see the connection.
    const take = agent
      .getByRole('navigation', { name: 'Interactions' })
      .getByRole('button', { name: 'Accept' });
    await take.waitFor({ timeout: 10_000 });
    await take.click();
    await agent.getByRole('button', { name: 'End chat' }).waitFor();
    await expect.poll(() => widget('.status').textContent(), { timeout: 10_000 }).toBe('Connected');

    // Messages both ways.
    const input = widget('textarea');
    await input.fill('I am looking at a mortgage');
    await input.press('Enter');
    const agentLog = agent.getByRole('log', { name: 'Messages' });
    await expect
      .poll(() => agentLog.locator('.message.from-visitor .text').allTextContents(), { timeout: 10_000 })
      .toEqual(['I am looking at a mortgage']);
    const draft = agent.getByLabel('Message', { exact: true });
    await draft.fill('Happy to help with loans.');
    await draft.press('Enter');
    await expect
      .poll(() => widget('.msg.agent .text').allTextContents(), { timeout: 10_000 })
      .toEqual(['Happy to help with loans.']);

    // The agent's visitor panel shows the journey: the three loan pages (two tabs are open, so which of them is
    // "current" is the desktop's choice; it is one of the loan pages).
    const panel = agent.getByRole('complementary', { name: 'Visitor' });
    const titles = LOAN_PAGES.map(([, title]) => title as string);
    await expect
      .poll(async () => (await panel.locator('.history .page-title').allTextContents()).sort(), {
        timeout: 10_000,
      })
      .toEqual([...titles].sort());
    expect(titles).toContain(await panel.locator('.current-page .page-title').textContent());
    expect(await panel.getByText('Loans', { exact: true }).count()).toBeGreaterThan(0);

    // The rule that fired: in the History API, and on the desktop when the journey carries it.
    const actionable = (await t.get(`/visits/${visitID}/actionable`)).json<Record<string, unknown>[]>();
    expect(actionable).toHaveLength(1);
    expect(JSON.stringify(actionable[0])).toContain('loan-shopper');
    const engagements = (await t.get(`/visits/${visitID}/engagements`)).json<Engagement[]>();
    expect(engagements).toHaveLength(1);
    engagement = engagements[0]!;
    expect(engagement.engagementId).toBeTruthy();
    expect(engagement.channel).toBe('chat');
    expect(engagement.queue).toBe('default');
    expect(engagement.history.map((h) => h.state)).toEqual(
      expect.arrayContaining(['invited', 'accepted', 'connected']),
    );
    // The desktop shows the rule that fired (from the journey's stored rule hits).
    const ruleHits = () =>
      panel
        .locator('.panel-section', { hasText: 'Rule hits and engagements' })
        .locator('li')
        .allTextContents();
    await expect.poll(async () => (await ruleHits()).join(' '), { timeout: 10_000 }).toContain('LoanChat');
    const shown = await ruleHits();
    console.log(`desktop rule hits: ${JSON.stringify(shown)}`);
    expect(dialogs).toEqual([]);

    console.log(`engagement e2e scenario: ${Date.now() - started} ms`);
  });
});
