import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { ActionableEvent } from '@beckon/core/rules';
import { buildApp } from '../app.js';
import type { BeckonApp } from '../app.js';
import { contactCenterFeature, manualScheduler } from '../contact-center/index.js';
import { createFixture, RecordingHub } from '../contact-center/test-fixture.js';
import type { Fixture } from '../contact-center/test-fixture.js';
import { createMetrics } from '../metrics.js';
import { buildConfig } from '../config.js';
import { StrategyCatalog } from '../scxml/strategy-catalog.js';
import { openStore } from '../store/open-store.js';
import { newId } from '../testing/test-app.js';
import type { TestVisit } from '../testing/test-app.js';
import type { EngagementEngine } from './engagement-engine.js';
import { engagementFeature } from './index.js';

let f: Fixture;
let engine: EngagementEngine;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  await f.close();
});

async function setup(config: Record<string, unknown> = {}) {
  f = await createFixture(config);
  engine = await engagementFeature(f.t.app, f.t, { contactCenter: f.cc, hub: f.hub, scheduler: f.scheduler });
  await f.addAgent('a1');
}

function actionable(visit: TestVisit, channel: 'chat' | 'callback' | 'offer' = 'chat'): ActionableEvent {
  return {
    id: newId(),
    name: 'LoanHelp',
    ruleId: 'demo/loan-help',
    rulePackage: 'demo',
    visitID: visit.visitID,
    globalVisitID: visit.globalVisitID,
    pageID: visit.pageID,
    timestamp: f.t.clock.now(),
    engagement: { channel, queue: 'default', priority: 60 },
    data: {},
    triggeringEventIDs: [],
    identityId: null,
    categories: [],
  };
}

const invites = (visitId: string) =>
  f.hub.pushed.filter((p) => p.visitId === visitId && p.message.channel === 'gpe.invite');

async function engage(visit: TestVisit, channel: 'chat' | 'callback' | 'offer' = 'chat') {
  const e = await engine.onActionable(actionable(visit, channel));
  await f.settle();
  return e!;
}

const disposition = (visit: TestVisit, engagementId: string, code: string) =>
  f.t.app.inject({
    method: 'GET',
    url: `/server/data/notification/disposition/${visit.visitID}?engagementId=${engagementId}&code=${code}`,
  });

describe('admission', () => {
  it('counts a just-entered page without a push connection yet as present', async () => {
    await setup();
    await f.signIn('a1');
    const visit = await f.visit({ connected: false });
    const e = await engage(visit);
    expect(e.state).toBe('invited');
  });

  it('cancels at admission when the visitor has no open page (visitorAbsent)', async () => {
    await setup();
    await f.signIn('a1');
    const visit = await f.visit({ connected: false });
    // The page was left (PageExited) and no page of the visit holds a push connection.
    const left = await f.t.send([
      visit.event({ eventType: 'SYSTEM', eventName: 'PageExited', data: { durationMs: 5 } }),
    ]);
    expect(left.statusCode).toBe(202);
    const e = await engage(visit);
    expect(e).toMatchObject({ state: 'cancelled', reason: 'visitorAbsent' });
    expect(e.history.map((h) => h.state)).toEqual(['qualified', 'cancelled']);
    expect(invites(visit.visitID)).toEqual([]);
  });

  it('allows one live engagement per visit in strict mode (strictMode)', async () => {
    await setup();
    const visit = await f.visit();
    const first = await engage(visit);
    expect(first.state).toBe('evaluating');
    const second = await engage(visit);
    expect(second).toMatchObject({ state: 'cancelled', reason: 'strictMode' });
  });

  it('caps invitations per visit (inviteLimit)', async () => {
    await setup({ engagement: { maxInvitesPerVisit: 1 } });
    await f.signIn('a1');
    const visit = await f.visit();
    const first = await engage(visit);
    expect(first.state).toBe('invited');
    expect((await disposition(visit, first.engagementId, 'timeout')).statusCode).toBe(204);
    await f.settle();
    const second = await engage(visit);
    expect(second).toMatchObject({ state: 'cancelled', reason: 'inviteLimit' });
  });

  it('consumes actionable events from the bus', async () => {
    await setup();
    await f.signIn('a1');
    const visit = await f.visit();
    f.t.bus.publish('actionable', { visitId: visit.visitID, actionable: actionable(visit) });
    await f.settle();
    await f.settle();
    expect(invites(visit.visitID)).toHaveLength(1);
    const list = (await f.t.get(`/visits/${visit.visitID}/engagements`)).json();
    expect(list).toMatchObject([{ kind: 'proactive', state: 'invited', ruleId: 'demo/loan-help' }]);
  });
});

describe('pacing gate', () => {
  it('does not invite without a Ready agent; once one is Ready the next qualifying visit is invited', async () => {
    await setup();
    const agent = await f.signIn('a1', { ready: false });
    const first = await f.visit();
    const waiting = await engage(first);
    expect(waiting.state).toBe('evaluating');
    expect(invites(first.visitID)).toEqual([]);
    f.scheduler.advance(30_000);
    await f.settle();
    expect((await f.t.get(`/engagements/${waiting.engagementId}`)).json()).toMatchObject({
      state: 'expired',
      outcome: 'noCapacity',
    });
    await agent.call('POST', '/ready');
    await f.settle();
    const next = await f.visit();
    const e = await engage(next);
    expect(e.state).toBe('invited');
    expect(invites(next.visitID)[0]!.message.data).toMatchObject({
      engagementId: e.engagementId,
      channel: 'chat',
      timeoutSec: 30,
    });
  });

  it('a waiting engagement is invited when an agent becomes Ready (agent.available)', async () => {
    await setup();
    const agent = await f.signIn('a1', { ready: false });
    const visit = await f.visit();
    const e = await engage(visit);
    expect(e.state).toBe('evaluating');
    await agent.call('POST', '/ready');
    await f.settle();
    expect(invites(visit.visitID)).toHaveLength(1);
    expect((await engine.get(e.engagementId))?.state).toBe('invited');
  });
});

describe('dispositions', () => {
  it('refusal: 204, then 409 for a second answer, and no new invitation in the visit for the cap', async () => {
    await setup();
    await f.signIn('a1');
    const visit = await f.visit();
    const e = await engage(visit);
    expect((await disposition(visit, e.engagementId, 'refused')).statusCode).toBe(204);
    expect((await disposition(visit, e.engagementId, 'accepted')).statusCode).toBe(409);
    await f.settle();
    expect((await f.t.get(`/engagements/${e.engagementId}`)).json()).toMatchObject({
      state: 'refused',
      outcome: 'refused',
    });
    const again = await engage(visit);
    expect(again).toMatchObject({ state: 'cancelled', reason: 'frequencyCap' });
    f.scheduler.advance(600_001);
    const later = await engage(visit);
    expect(later.state).toBe('invited');
    expect(invites(visit.visitID)).toHaveLength(2);
  });

  it('answers 400 for a bad code and 404 for an unknown engagement or another visit', async () => {
    await setup();
    await f.signIn('a1');
    const visit = await f.visit();
    const other = await f.visit();
    const e = await engage(visit);
    expect((await disposition(visit, e.engagementId, 'maybe')).statusCode).toBe(400);
    expect((await disposition(visit, newId(), 'accepted')).statusCode).toBe(404);
    expect((await disposition(other, e.engagementId, 'accepted')).statusCode).toBe(404);
    expect((await f.t.get(`/engagements/${newId()}`)).statusCode).toBe(404);
  });

  it('times out through the server deadline (timeoutSec + 5 s) when the browser reports nothing', async () => {
    await setup();
    await f.signIn('a1');
    const visit = await f.visit();
    const e = await engage(visit);
    f.scheduler.advance(34_000);
    await f.settle();
    expect((await engine.get(e.engagementId))?.state).toBe('invited');
    f.scheduler.advance(1_000);
    await f.settle();
    expect((await f.t.get(`/engagements/${e.engagementId}`)).json()).toMatchObject({
      state: 'timedOut',
      reason: 'serverTimeout',
      outcome: 'timeout',
    });
  });

  it('accept creates the chat interaction, routed to the Ready agent; the chat end completes it', async () => {
    await setup();
    const agent = await f.signIn('a1');
    const visit = await f.visit();
    const e = await engage(visit);
    expect((await disposition(visit, e.engagementId, 'accepted')).statusCode).toBe(204);
    await f.settle();
    const record = await engine.get(e.engagementId);
    expect(record).toMatchObject({ state: 'queued' });
    expect(record?.interactionId).toBeTruthy();
    const interaction = f.cc.interactions.live.get(record!.interactionId!)!;
    expect(interaction).toMatchObject({ mediaType: 'chat', webengagement: 'proactive', queue: 'default' });
    expect(agent.events.some((ev) => ev.Event === 'EventInvite')).toBe(true);
    expect(f.hub.chat(visit.visitID, 'started')).toHaveLength(1);
    expect((await agent.call('POST', `/interactions/${interaction.interactionId}/accept`)).statusCode).toBe(
      200,
    );
    await f.settle();
    expect((await engine.get(e.engagementId))?.state).toBe('connected');
    await agent.call('POST', `/interactions/${interaction.interactionId}/release`);
    await f.settle();
    const done = (await f.t.get(`/engagements/${e.engagementId}`)).json();
    expect(done).toMatchObject({ state: 'ended', outcome: 'completed' });
    const funnel = (
      await f.t.get('/reports/funnel?from=2023-11-14&to=2023-11-14&groupBy=rule,queue,day')
    ).json();
    expect(funnel.rows).toEqual([
      expect.objectContaining({
        rule: 'demo/loan-help',
        queue: 'default',
        day: '2023-11-14',
        qualified: 1,
        invited: 1,
        accepted: 1,
        connected: 1,
        completed: 1,
      }),
    ]);
  });
});

const NUDGE = `<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript" name="nudge" initial="wait">
  <state id="wait"><transition event="actionable" target="inviting"/></state>
  <state id="inviting">
    <onentry>
      <send type="beckon" event="visitor.notify" target="visitor.notify"><content>{"channel": "gpe.banner", "data": {"text": "hi"}}</content></send>
      <send type="beckon" event="invite" target="invite"><param name="timeoutSec" expr="60"/></send>
      <send event="giveUp" delay="20s"/>
    </onentry>
    <transition event="giveUp" target="end">
      <send type="beckon" event="invite.cancel" target="invite.cancel"><param name="reason" expr="'nudgeOver'"/></send>
    </transition>
  </state>
  <final id="end"/>
</scxml>`;

function catalogWithNudge(): StrategyCatalog {
  const catalog = StrategyCatalog.withBuiltIns();
  const deployed = catalog.deploy('nudge', NUDGE);
  if (!deployed.ok) throw new Error(JSON.stringify(deployed.errors));
  return catalog;
}

const settleAll = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

/** Stops the fixture's app and starts a new one over the same data directory, `laterMs` after `from`. */
async function restart(from: number, laterMs: number) {
  engine.stop();
  f.cc.stop();
  await f.t.shutdown();
  const dataDir = f.t.config.dataDir;
  f = { close: () => rm(dataDir, { recursive: true, force: true }) } as Fixture;
  const clock = { t: from + laterMs };
  const now = () => clock.t;
  const store = await openStore({ dataDir, databaseUrl: '' });
  const app: BeckonApp = await buildApp({
    config: buildConfig({ dataDir }),
    store,
    now,
    logger: false,
    metrics: createMetrics({ defaultMetrics: false }),
    contactCenter: false,
  });
  cleanups.push(() => app.shutdown());
  const scheduler = manualScheduler({ now, set: (ms) => void (clock.t = ms) });
  const hub = new RecordingHub();
  const cc = await contactCenterFeature(app.app, app, { hub, scheduler });
  cleanups.push(async () => cc.stop());
  const restarted = await engagementFeature(app.app, app, {
    contactCenter: cc,
    hub,
    scheduler,
    catalog: catalogWithNudge(),
  });
  return { restarted, scheduler, hub };
}

describe('custom strategies', () => {
  it('runs the strategy the rule names: notify, invite, a delayed send, then invite.cancel', async () => {
    f = await createFixture();
    engine = await engagementFeature(f.t.app, f.t, {
      contactCenter: f.cc,
      hub: f.hub,
      scheduler: f.scheduler,
      catalog: catalogWithNudge(),
    });
    const visit = await f.visit();
    const a = actionable(visit);
    const e = (await engine.onActionable({
      ...a,
      engagement: { ...a.engagement!, strategy: 'nudge' } as never,
    }))!;
    await f.settle();
    expect(e).toMatchObject({ strategy: 'nudge', state: 'invited' });
    const channels = () =>
      f.hub.pushed.filter((p) => p.visitId === visit.visitID).map((p) => p.message.channel);
    expect(channels()).toEqual(['gpe.banner', 'gpe.invite']);
    f.scheduler.advance(20_000);
    await f.settle();
    expect(channels()).toEqual(['gpe.banner', 'gpe.invite', 'gpe.cancelInvite']);
    expect((await f.t.get(`/engagements/${e.engagementId}`)).json()).toMatchObject({
      state: 'cancelled',
      reason: 'nudgeOver',
    });
  });
});

describe('restart', () => {
  it('a restart between the invite and its timeout still times it out once', async () => {
    await setup();
    await f.signIn('a1');
    const visit = await f.visit();
    const e = await engage(visit);
    expect(e.state).toBe('invited');
    await f.settle();
    const { restarted, scheduler } = await restart(e.createdAt, 10_000);
    expect(restarted.live.get(e.engagementId)?.e.state).toBe('invited');
    scheduler.advance(25_000);
    await settleAll();
    const after = await restarted.get(e.engagementId);
    expect(after).toMatchObject({ state: 'timedOut', outcome: 'timeout' });
    expect(after!.history.filter((h) => h.state === 'timedOut')).toHaveLength(1);
    scheduler.advance(600_000);
    await settleAll();
    const stored = (await restarted.store.get(e.engagementId))!;
    expect(stored.history.filter((h) => h.state === 'timedOut')).toHaveLength(1);
    expect(await restarted.store.sessions()).toEqual([]);
  });

  it("a strategy's delayed send pending at the restart fires once on the new node", async () => {
    f = await createFixture();
    engine = await engagementFeature(f.t.app, f.t, {
      contactCenter: f.cc,
      hub: f.hub,
      scheduler: f.scheduler,
      catalog: catalogWithNudge(),
    });
    const visit = await f.visit();
    const a = actionable(visit);
    const e = (await engine.onActionable({
      ...a,
      engagement: { ...a.engagement!, strategy: 'nudge' } as never,
    }))!;
    await f.settle();
    const { restarted, scheduler, hub } = await restart(e.createdAt, 30_000); // 10 s overdue
    await settleAll();
    scheduler.advance(120_000);
    await settleAll();
    expect(hub.pushed.map((p) => p.message.channel)).toEqual(['gpe.cancelInvite']);
    const after = (await restarted.get(e.engagementId))!;
    expect(after).toMatchObject({ state: 'cancelled', reason: 'nudgeOver' });
    expect(after.history.map((h) => h.state)).toEqual(['qualified', 'evaluating', 'invited', 'cancelled']);
  });
});

describe('in the real app', () => {
  it('is registered by the app with its defaults (contact center, push hub) and serves its routes', async () => {
    const { createTestApp } = await import('../testing/test-app.js');
    const t = await createTestApp({ contactCenter: true });
    f = { close: () => t.close() } as Fixture;
    const service = t.engagement!;
    expect(service).toBeDefined();
    const res = await t.app.inject({
      method: 'GET',
      url: `/server/data/notification/disposition/${newId()}?engagementId=${newId()}&code=accepted`,
    });
    expect(res.statusCode).toBe(404);
    expect((await t.get(`/engagements/${newId()}`)).statusCode).toBe(404);
    expect((await t.get('/reports/funnel?from=2023-11-14&to=2023-11-13')).statusCode).toBe(400);
    const report = await t.app.inject({
      method: 'GET',
      url: '/server/data/reports/funnel?from=2023-11-14&to=2023-11-14',
      headers: { authorization: `Bearer ${t.readKey}` },
    });
    expect(report.json()).toMatchObject({ groupBy: [], rows: [] });
    expect(service.live.size).toBe(0);
  });
});
