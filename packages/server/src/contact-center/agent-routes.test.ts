import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixture } from './test-fixture.js';
import type { Fixture } from './test-fixture.js';

let f: Fixture;
beforeAll(async () => {
  f = await createFixture();
  await f.addAgent('ann', { afterChatWorkSec: 10 });
});
afterAll(() => f.close());

describe('agent state machine through REST', () => {
  it('walks every transition and answers 409 to actions in the wrong state', async () => {
    const ann = await f.signIn('ann', { login: false });
    const expect409 = async (path: string, body?: unknown) => {
      const res = await ann.call('POST', path, body);
      expect(res.statusCode, `${path}: ${res.body}`).toBe(409);
      expect(res.json().code).toBe('wrongState');
    };
    // LoggedOut: only login.
    for (const path of ['/ready', '/notReady', '/logout']) await expect409(path);
    expect((await ann.call('POST', '/login', { place: 'desk-1' })).statusCode).toBe(204);
    await expect409('/login');
    // NotReady: ready or logout; notReady is wrong.
    await expect409('/notReady', { reasonCode: 'Break' });
    expect((await ann.call('POST', '/ready')).statusCode).toBe(204);
    await expect409('/ready');
    expect((await ann.call('POST', '/notReady', { reasonCode: 'Lunch' })).statusCode).toBe(204);
    expect((await ann.call('GET', '/me')).json()).toMatchObject({ state: 'NotReady', reasonCode: 'Lunch' });
    expect((await ann.call('POST', '/ready')).statusCode).toBe(204);
    expect((await ann.call('POST', '/logout')).statusCode).toBe(204);
    expect((await ann.call('GET', '/me')).json().state).toBe('LoggedOut');

    // the attributes of the login/state events, whichever of them each one carries
    const loose = ann.events as unknown as Record<string, unknown>[];
    const events = loose.map(({ Event, ReasonCode, Place, Reason, WorkMode }) => ({
      Event,
      ...(ReasonCode !== undefined ? { ReasonCode } : {}),
      ...(Place !== undefined ? { Place } : {}),
      ...(Reason !== undefined ? { Reason } : {}),
      ...(WorkMode !== undefined ? { WorkMode } : {}),
    }));
    expect(events).toEqual([
      { Event: 'EventAgentLogin', Place: 'desk-1' },
      { Event: 'EventAgentNotReady', ReasonCode: null },
      { Event: 'EventAgentReady' },
      { Event: 'EventAgentNotReady', ReasonCode: 'Lunch' },
      { Event: 'EventAgentReady' },
      { Event: 'EventAgentLogout', Reason: 'agent' },
    ]);
    expect(ann.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    const login = ann.events[0]!;
    expect(login).toMatchObject({ AgentID: 'ann', Queues: ['default'], Capacity: { chat: 3, callback: 1 } });
    expect(typeof login.time).toBe('number');
  });

  it('goes to AfterChatWork after a chat, then Ready after afterChatWorkSec or on ready', async () => {
    const ann = await f.signIn('ann');
    const visit = await f.visit();
    const { interactionId } = (await f.engage(visit)).json();
    expect((await ann.call('POST', `/interactions/${interactionId}/accept`)).statusCode).toBe(200);
    await expect(ann.call('POST', '/logout')).resolves.toMatchObject({ statusCode: 409 });
    expect((await ann.call('POST', `/interactions/${interactionId}/release`)).statusCode).toBe(204);
    expect((await ann.call('GET', '/me')).json()).toMatchObject({
      state: 'AfterChatWork',
      afterChatWork: true,
    });
    expect(ann.events.at(-1)).toMatchObject({ Event: 'EventAgentNotReady', WorkMode: 'AfterChatWork' });
    f.scheduler.advance(10_000);
    expect((await ann.call('GET', '/me')).json().state).toBe('Ready');
    expect(ann.names().at(-1)).toBe('EventAgentReady');

    const second = (await f.engage(await f.visit())).json().interactionId as string;
    await ann.call('POST', `/interactions/${second}/accept`);
    await ann.call('POST', `/interactions/${second}/release`);
    expect((await ann.call('POST', '/ready')).statusCode).toBe(204);
    f.scheduler.advance(10_000);
    expect(ann.names().slice(-2)).toEqual(['EventAgentNotReady', 'EventAgentReady']);
    expect((await ann.call('POST', '/notReady', { reasonCode: 7 })).statusCode).toBe(400);
    expect((await ann.call('POST', '/logout')).statusCode).toBe(204);
  });

  it('rejects interaction actions on interactions the agent does not hold', async () => {
    const ann = await f.signIn('ann', { ready: false });
    const res = await ann.call('POST', '/interactions/0123456789ABCDEF0123456789ABCDEF/accept');
    expect(res.statusCode).toBe(409);
    const read = await ann.call('GET', '/interactions/0123456789ABCDEF0123456789ABCDEF/messages');
    expect(read.statusCode).toBe(403);
    await ann.call('POST', '/logout');
  });
});
