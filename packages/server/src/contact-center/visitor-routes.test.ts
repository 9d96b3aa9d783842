import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixture } from './test-fixture.js';
import type { Fixture } from './test-fixture.js';

let f: Fixture;
beforeAll(async () => {
  f = await createFixture();
  await f.addAgent('r1', { groups: ['sales'], capacity: { chat: 2, callback: 1 } });
  await f.addAgent('r2', { groups: ['support'] });
  await f.putQueue('sales', { channels: ['chat'], groups: ['sales'] });
  await f.putQueue('loans', { channels: ['chat'], groups: ['sales'], requiredSkills: { loans: 3 } });
});
afterAll(() => f.close());

describe('POST /server/engagements (reactive)', () => {
  it('answers 503 when no eligible agent is logged in, then 201 when one is', async () => {
    const visit = await f.visit();
    const none = await f.engage(visit, { queue: 'sales' });
    expect(none.statusCode).toBe(503);
    expect(none.json().code).toBe('noAgents');
    await f.signIn('r2');
    expect((await f.engage(visit, { queue: 'sales' })).statusCode).toBe(503);
    const r1 = await f.signIn('r1', { ready: false });
    const created = await f.engage(visit, { queue: 'sales', data: { product: 'tv' } });
    expect(created.statusCode).toBe(201);
    expect(created.headers['access-control-allow-origin']).toBe('*');
    const body = created.json();
    expect(body).toMatchObject({ state: 'queued' });
    expect(Object.keys(body).sort()).toEqual(['engagementId', 'interactionId', 'state', 'token']);
    const engagement = await f.cc.store.getEngagement(body.engagementId);
    expect(engagement).toMatchObject({
      kind: 'reactive',
      priority: 50,
      queue: 'sales',
      visitID: visit.visitID,
      data: { product: 'tv' },
    });
    expect(engagement!.history.map((h) => h.state)).toEqual(['accepted', 'queued']);
    // Strict mode: the live engagement is returned for the widget to resume.
    const again = await f.engage(visit, { queue: 'sales' });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'conflict', engagementId: body.engagementId });
    await f.visitor(body.token, 'POST', `/server/chat/${body.interactionId}/close`);
    expect((await f.engage(visit, { queue: 'sales' })).statusCode).toBe(201);
    await r1.call('POST', '/logout');
  });

  it('answers 404 for an unknown queue or one without the channel, 400 for bad fields, 403 for a foreign page', async () => {
    await f.signIn('r1');
    const visit = await f.visit();
    expect((await f.engage(visit, { queue: 'nope' })).statusCode).toBe(404);
    expect((await f.engage(visit, { queue: 'sales', channel: 'callback' })).statusCode).toBe(404);
    expect((await f.engage(visit, { channel: 'fax' })).json().code).toBe('invalidField');
    expect((await f.engage(visit, { visitID: undefined })).json().code).toBe('missingField');
    const other = await f.visit();
    expect((await f.engage(visit, { pageID: other.pageID })).statusCode).toBe(403);
    // Eligibility needs the skill: nobody has `loans`.
    expect((await f.engage(visit, { queue: 'loans' })).statusCode).toBe(503);
  });

  it('asks for the registration form when the queue has one, then queues', async () => {
    await f.putQueue('vip', {
      channels: ['chat'],
      groups: ['sales'],
      registration: [{ name: 'firstName', label: 'First name', required: true }],
    });
    const visit = await f.visit();
    const { interactionId, token } = (await f.engage(visit, { queue: 'vip' })).json();
    expect(f.hub.chat(visit.visitID, 'registration')).toEqual([
      {
        type: 'registration',
        fields: [{ name: 'firstName', label: 'First name', required: true }],
        expiresInSec: 120,
      },
    ]);
    const missing = await f.visitor(token, 'POST', `/server/chat/${interactionId}/registration`, {
      fields: {},
    });
    expect(missing.json().code).toBe('missingField');
    const ok = await f.visitor(token, 'POST', `/server/chat/${interactionId}/registration`, {
      fields: { firstName: 'Jane' },
    });
    expect(ok.statusCode).toBe(204);
    expect(f.cc.interactions.live.get(interactionId)).toMatchObject({
      state: 'queued',
      registration: { firstName: 'Jane' },
    });
  });

  it('skips the form when the visit identity fills every required field, and prefills the rest', async () => {
    const visit = await f.visit();
    const signIn = await f.t.send([
      visit.event({
        eventType: 'SYSTEM',
        eventName: 'UserInfo',
        data: { userId: 'jane@example.com', firstName: 'Jane', emailAddress: 'jane@example.com' },
      }),
    ]);
    expect(signIn.statusCode).toBe(202);
    const { interactionId } = (await f.engage(visit, { queue: 'vip' })).json();
    expect(f.hub.chat(visit.visitID, 'registration')).toEqual([]);
    expect(f.cc.interactions.live.get(interactionId)).toMatchObject({
      state: 'queued',
      identityId: 'jane@example.com',
      registration: { firstName: 'Jane' },
    });
  });
});

describe('pacing', () => {
  it('reactiveState: 400 without a known channel; public', async () => {
    const bad = await f.t.app.inject({ method: 'GET', url: '/server/data/pacing/reactiveState' });
    expect(bad.statusCode).toBe(400);
    expect(
      (await f.t.app.inject({ method: 'GET', url: '/server/data/pacing/reactiveState?channel=fax' }))
        .statusCode,
    ).toBe(400);
    const res = await f.t.app.inject({
      method: 'GET',
      url: '/server/data/pacing/reactiveState?channel=callback',
    });
    expect(res.statusCode).toBe(200);
    expect(Object.keys(res.json())).toEqual(['reactiveState']);
  });

  it('reactiveState and /pacing/state follow the Ready agents and the queue', async () => {
    const f2 = await createFixture();
    try {
      await f2.addAgent('p1', { capacity: { chat: 4 } });
      await f2.putQueue('sales', { channels: ['chat'], groups: ['sales'] });
      const p1 = await f2.signIn('p1');
      const state = async (q = '') =>
        (
          await f2.t.app.inject({ method: 'GET', url: `/server/data/pacing/reactiveState?channel=chat${q}` })
        ).json().reactiveState as number;
      expect(await state()).toBe(1);
      expect(await state('&groups=sales')).toBe(1);
      const full = await f2.t.get('/pacing/state?channel=chat');
      expect(full.statusCode).toBe(200);
      expect(full.json().queues.find((q: { queue: string }) => q.queue === 'sales')).toMatchObject({
        R: 1,
        F: 4,
        Q: 0,
        P: 0,
        reserve: 2,
        freeProactive: 2,
      });
      expect(
        (await f2.t.app.inject({ method: 'GET', url: '/server/data/pacing/state?channel=chat' })).statusCode,
      ).toBe(401);
      expect(f2.cc.pacing.snapshot('chat', 'sales')).toEqual({
        freeProactive: 2,
        free: 4,
        readyAgents: 1,
        queued: 0,
        reactiveState: 1,
      });
      expect(f2.cc.pacing.snapshot('chat', 'sales', 2).freeProactive).toBe(0);
      expect(f2.cc.pacing.snapshot('callback', 'nope').freeProactive).toBe(0);
      await p1.call('POST', '/notReady', { reasonCode: 'Break' });
      expect(await state()).toBe(0);
      expect(await state('&groups=unknown')).toBe(0);
    } finally {
      await f2.close();
    }
  });
});
