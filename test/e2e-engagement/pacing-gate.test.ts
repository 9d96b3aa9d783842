/**
 * Issue 7 acceptance, without a browser but against the real app over real sockets: the loan rule package is
 * deployed over REST, visits send the tracker's PageEntered events to `/server/events` and hold a real push
 * WebSocket at `/server/notifications`, the agent signs in over the agent REST API with its stream open. With the
 * agent logged in but not Ready, a qualifying visit gets no invitation (its engagement waits, then expires with
 * outcome `noCapacity`, and no `gpe.invite` frame reaches its socket); once the agent is Ready, the next
 * qualifying visit is invited at once. Every wait is a polled condition. The contact center and engagement engine
 * are registered as `buildApp` registers them, except that their timers run on a manual scheduler over the app's
 * fake clock: the engagement expires when the test moves time past its deadline, not after 10 s of real time.
 */
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactCenterFeature, manualScheduler } from '../../packages/server/src/contact-center/index.js';
import type { ManualScheduler } from '../../packages/server/src/contact-center/index.js';
import { engagementFeature } from '../../packages/server/src/engagement/index.js';
import {
  createTestApp,
  testVisit,
  type TestApp,
  type TestVisit,
} from '../../packages/server/src/testing/test-app.js';
import { collectFiles } from '../../packages/cli/src/commands/app.js';

const root = join(import.meta.dirname, '../..');
const demo = join(root, 'examples/demo-site');
const AGENT = { agentId: 'ann', name: 'Ann Agent', password: 'correct horse battery' };
const RULES = `package default
rule "loan-shopper"
when count(event PageEntered in "Loans" distinct url) within 5m >= 3
then engage chat "LoanChat" queue "default"
end
`;
/** How long an engagement waits for capacity before it expires (the config minimum). */
const EXPIRATION_SEC = 10;

interface Frame {
  channel: string;
  data?: Record<string, unknown>;
}
interface Engagement {
  engagementId: string;
  state: string;
  outcome: string | null;
  ruleId: string | null;
  history: { state: string }[];
}

let t: TestApp;
let scheduler: ManualScheduler;
let base = '';
const sockets: WebSocket[] = [];

beforeAll(async () => {
  t = await createTestApp({
    start: Date.now(),
    config: { engagement: { engagementExpirationTime: EXPIRATION_SEC } },
  });
  // What buildApp does with `contactCenter: true`, with the scheduler the test advances.
  scheduler = manualScheduler(t.clock);
  t.contactCenter = await contactCenterFeature(t.app, t, { hub: t.services.notifications, scheduler });
  t.engagement = await engagementFeature(t.app, t);
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
});
afterAll(async () => {
  for (const ws of sockets) ws.close();
  await t?.close();
});

/** Opens a WebSocket and resolves once it is open; `frames` collects what it receives. */
function open(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ ws: WebSocket; frames: Frame[] }> {
  const ws = new WebSocket(url, { headers });
  sockets.push(ws);
  const frames: Frame[] = [];
  ws.on('message', (m) => frames.push(JSON.parse(String(m)) as Frame));
  return new Promise((resolve, reject) => {
    ws.on('open', () => resolve({ ws, frames }));
    ws.on('error', reject);
  });
}

/** Sends one PageEntered of a new page of the visit, as the tracker does, and waits until it is stored. */
async function enter(visit: TestVisit, path: string, title: string, stored: number): Promise<void> {
  const res = await t.send([
    visit.event({
      eventType: 'SYSTEM',
      eventName: 'PageEntered',
      timestamp: t.clock.now(),
      url: `${base}/demo/${path}`,
      data: { title, referrer: '' },
    }),
  ]);
  expect(res.statusCode).toBeLessThan(300);
  await expect
    .poll(async () => {
      const body: unknown = (await t.get(`/visits/${visit.visitID}/events?eventName=PageEntered`)).json();
      return Array.isArray(body) ? body.length : 0;
    })
    .toBe(stored);
}

/**
 * A visitor that views the three loan pages; its first page keeps its push connection open (as a tab left open
 * would) so the visit is present when the rule fires on the third PageEntered.
 */
async function qualify(): Promise<{
  visit: TestVisit;
  frames: Frame[];
  engagement: () => Promise<Engagement | undefined>;
}> {
  const visit = testVisit();
  await enter(visit, 'loans/index.html', 'Loans', 1);
  const { frames } = await open(
    `${base.replace('http', 'ws')}/server/notifications?visitID=${visit.visitID}&pageID=${visit.pageID}`,
  );
  await expect.poll(() => t.services.notifications.isConnected(visit.visitID)).toBe(true);
  visit.newPage();
  await enter(visit, 'loans/calculator.html', 'Loan calculator — Loans', 2);
  visit.newPage();
  await enter(visit, 'loans/mortgage.html', 'Mortgage — Loans', 3);
  const engagement = async () =>
    (await t.get(`/visits/${visit.visitID}/engagements`)).json<Engagement[]>()[0];
  await expect
    .poll(async () => (await engagement())?.ruleId ?? null, { timeout: 5_000 })
    .toBe('default/loan-shopper');
  return { visit, frames, engagement };
}

const invites = (frames: Frame[]) => frames.filter((f) => f.channel === 'gpe.invite');

describe('pacing gate over the real app (issue 7 acceptance)', () => {
  it('no Ready agent → no invitation; once the agent is Ready the next qualifying visit is invited', async () => {
    const started = Date.now();

    // The agent signs in, opens its stream and logs in, but stays Not Ready.
    const session = await t.app.inject({
      method: 'POST',
      url: '/server/agent/session',
      payload: { agentId: AGENT.agentId, password: AGENT.password },
    });
    expect(session.statusCode).toBe(200);
    const { token } = session.json<{ token: string }>();
    const call = (url: string, payload?: Record<string, unknown>) =>
      t.app.inject({
        method: 'POST',
        url: `/server/agent${url}`,
        headers: { authorization: `Bearer ${token}` },
        ...(payload ? { payload } : {}),
      });
    await open(`${base.replace('http', 'ws')}/server/agent/stream`, { authorization: `Bearer ${token}` });
    expect((await call('/login', { place: 'place-ann' })).statusCode).toBe(204);

    // A qualifying visit: the engagement waits for capacity, is never invited, and expires.
    const first = await qualify();
    expect((await first.engagement())?.state).toBe('evaluating');
    scheduler.advance(EXPIRATION_SEC * 1000 - 1);
    expect((await first.engagement())?.state).toBe('evaluating');
    scheduler.advance(1);
    await expect.poll(async () => (await first.engagement())?.state).toBe('expired');
    const expired = (await first.engagement())!;
    expect(expired.history.map((h) => h.state)).not.toContain('invited');
    expect(expired.outcome).toBe('noCapacity');
    expect(invites(first.frames)).toEqual([]);

    // The agent becomes Ready: the next qualifying visit is invited, on its socket.
    expect((await call('/ready')).statusCode).toBe(204);
    const second = await qualify();
    await expect.poll(async () => (await second.engagement())?.state).toBe('invited');
    await expect.poll(() => invites(second.frames).length).toBe(1);
    const id = (await second.engagement())!.engagementId;
    expect(invites(second.frames)[0]!.data).toMatchObject({ engagementId: id, channel: 'chat' });
    expect(invites(first.frames)).toEqual([]);

    console.log(`pacing-gate scenario: ${Date.now() - started} ms`);
  }, 45_000);
});
