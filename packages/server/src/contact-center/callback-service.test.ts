import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { T0 } from '../testing/test-app.js';
import type { TestVisit } from '../testing/test-app.js';
import { createFixture } from './test-fixture.js';
import type { Fixture, SignedIn } from './test-fixture.js';

let f: Fixture;
let agent: SignedIn;
let visit: TestVisit;
let id: string;
let token: string;

beforeEach(async () => {
  f = await createFixture();
  await f.addAgent('cal');
  agent = await f.signIn('cal');
  visit = await f.visit();
  const res = await f.engage(visit, { channel: 'callback' });
  expect(res.statusCode, res.body).toBe(201);
  ({ interactionId: id, token } = res.json());
});
afterEach(() => f.close());

const form = (body: Record<string, unknown>) => f.visitor(token, 'POST', `/server/callback/${id}`, body);
const iso = (ms: number) => new Date(ms).toISOString();

describe('callback', () => {
  it('validates the form: E.164 number, preferredTime with offset within 7 days', async () => {
    for (const phoneNumber of ['0612345678', '+0123456789', '+12', '+1234567890123456', 12345678]) {
      const res = await form({ phoneNumber });
      expect(res.statusCode, String(phoneNumber)).toBe(400);
      expect(res.json().code).toBe('invalidField');
    }
    const now = f.t.clock.now();
    for (const preferredTime of [
      '2023-11-15T10:00:00',
      'tomorrow',
      iso(now - 3_600_000),
      iso(now + 8 * 86_400_000),
    ]) {
      const res = await form({ phoneNumber: '+14155550100', preferredTime });
      expect(res.statusCode, preferredTime).toBe(400);
      expect(res.json().message).toContain('preferredTime');
    }
    expect(f.cc.interactions.live.get(id)!.state).toBe('requested');
  });

  it('schedules at the preferred time, then routes with MediaType callback', async () => {
    const at = T0 + 3_600_000;
    const res = await form({
      phoneNumber: '+14155550100',
      preferredTime: '2023-11-14T23:13:20+00:00',
      note: 'after 6',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ state: 'scheduled', at });
    expect(f.hub.chat(visit.visitID, 'callback')).toEqual([{ type: 'callback', state: 'scheduled', at }]);
    expect((await form({ phoneNumber: '+14155550100' })).statusCode).toBe(409);
    expect(agent.names()).not.toContain('EventInvite');
    f.scheduler.advance(3_600_000);
    const invite = agent.events.find((e) => e.Event === 'EventInvite');
    expect(invite).toMatchObject({
      InteractionID: id,
      MediaType: 'callback',
      UserData: { phoneNumber: '+14155550100', preferredTime: '2023-11-14T23:13:20+00:00' },
    });
  });

  it('records dialled and outcome; noAnswer reschedules 15 min later, up to 3 attempts', async () => {
    await form({ phoneNumber: '+14155550100' });
    f.scheduler.advance(0);
    for (let attempt = 1; attempt <= 3; attempt++) {
      expect(agent.events.filter((e) => e.Event === 'EventInvite')).toHaveLength(attempt);
      expect((await agent.call('POST', `/interactions/${id}/accept`)).statusCode).toBe(200);
      expect((await agent.call('POST', `/interactions/${id}/outcome`, { code: 'bogus' })).statusCode).toBe(
        400,
      );
      const dialled = await agent.call('POST', `/interactions/${id}/callback`, { state: 'dialled' });
      expect(dialled.json()).toEqual({ interactionId: id, state: 'dialled', attempts: attempt });
      const outcome = await agent.call('POST', `/interactions/${id}/outcome`, {
        code: 'noAnswer',
        note: 'rang out',
      });
      expect(outcome.json()).toEqual({ interactionId: id, state: attempt < 3 ? 'scheduled' : 'done' });
      expect(agent.events.at(-1)).toMatchObject({ Event: 'EventReleased', Outcome: 'noAnswer' });
      f.scheduler.advance(15 * 60_000);
    }
    expect(agent.events.filter((e) => e.Event === 'EventInvite')).toHaveLength(3);
    const stored = await f.cc.store.getInteraction(id);
    expect(stored).toMatchObject({ state: 'done', attempts: 3, outcome: 'noAnswer', note: 'rang out' });
  });

  it('is done on connected, and shows in the visit history', async () => {
    await form({ phoneNumber: '+14155550100' });
    f.scheduler.advance(0);
    await agent.call('POST', `/interactions/${id}/accept`);
    expect(
      (await agent.call('POST', `/interactions/${id}/outcome`, { code: 'connected' })).json().state,
    ).toBe('done');
    const engagement = await f.cc.store.getEngagement((await f.cc.store.getInteraction(id))!.engagementId);
    expect(engagement).toMatchObject({ channel: 'callback', state: 'done', outcome: 'connected' });
    expect(engagement!.history.map((h) => h.state)).toEqual(['accepted', 'requested', 'scheduled', 'done']);
  });
});
