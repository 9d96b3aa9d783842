import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createTestApp, testVisit } from '../testing/test-app.js';
import { createContactCenter } from './contact-center.js';
import { contactCenterFeature } from './index.js';
import { manualScheduler } from './scheduler.js';
import { createFixture, RecordingHub } from './test-fixture.js';
import type { Fixture } from './test-fixture.js';

let f: Fixture;
afterEach(() => f.close());

describe('contact center restart', () => {
  it('re-queues open chats at their original place and re-arms scheduled callbacks', async () => {
    f = await createFixture();
    await f.addAgent('r1');
    const agent = await f.signIn('r1');
    const visit = await f.visit();
    const chat = (await f.engage(visit)).json();
    await agent.call('POST', `/interactions/${chat.interactionId}/accept`);
    await agent.call('POST', `/interactions/${chat.interactionId}/messages`, {
      text: 'kept',
      clientMessageId: 'k',
    });
    const other = await f.visit();
    const callback = (await f.engage(other, { channel: 'callback' })).json();
    await f.visitor(callback.token, 'POST', `/server/callback/${callback.interactionId}`, {
      phoneNumber: '+14155550100',
      preferredTime: new Date(f.t.clock.now() + 600_000).toISOString(),
    });
    await f.settle();
    f.cc.stop();

    // A second node process over the same store: nobody is logged in, the chat waits, the callback is due later.
    const scheduler = manualScheduler(f.t.clock);
    const restarted = await createContactCenter(f.t, { hub: new RecordingHub(), scheduler });
    try {
      expect(restarted.routing.waiting.get(chat.interactionId)).toMatchObject({
        queue: 'default',
        offeredTo: null,
      });
      expect(restarted.interactions.live.get(chat.interactionId)).toMatchObject({
        state: 'queued',
        agentId: null,
      });
      expect(restarted.routing.waiting.has(callback.interactionId)).toBe(false);
      scheduler.advance(600_000);
      expect(restarted.routing.waiting.has(callback.interactionId)).toBe(true);
      const messages = await restarted.chat.messages(chat.interactionId, 0, false);
      expect(messages.map((m) => m.text)).toEqual(['kept']);
    } finally {
      restarted.stop();
    }
  });
});

describe('with the real visitor push channel', () => {
  it('delivers gpe.chat frames over /server/notifications and restores the chat on a new page', async () => {
    const t = await createTestApp();
    f = { close: () => t.close() } as Fixture;
    const hub = t.services.notifications; // registered by the app
    await contactCenterFeature(t.app, t, { hub, scheduler: manualScheduler(t.clock) });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    await t.api({
      method: 'POST',
      url: '/server/data/agents',
      payload: { agentId: 'p', groups: ['g'], password: 'long enough pw' },
    });
    const { token: agentToken } = (
      await t.app.inject({
        method: 'POST',
        url: '/server/agent/session',
        payload: { agentId: 'p', password: 'long enough pw' },
      })
    ).json();
    for (const action of ['login', 'ready'])
      await t.app.inject({
        method: 'POST',
        url: `/server/agent/${action}`,
        headers: { authorization: `Bearer ${agentToken}` },
      });
    const visit = testVisit();
    await t.send([visit.event({ eventType: 'SYSTEM', eventName: 'PageEntered', data: {} })]);
    const frames: { channel: string; data: { type: string } }[] = [];
    const open = (pageId: string) => {
      const ws = new WebSocket(
        `ws://127.0.0.1:${port}/server/notifications?visitID=${visit.visitID}&pageID=${pageId}`,
      );
      ws.on('message', (d) => frames.push(JSON.parse(String(d))));
      return new Promise<WebSocket>((resolve) => ws.once('open', () => resolve(ws)));
    };
    const first = await open(visit.pageID);
    const engaged = await t.app.inject({
      method: 'POST',
      url: '/server/engagements',
      payload: { visitID: visit.visitID, pageID: visit.pageID, channel: 'chat' },
    });
    expect(engaged.statusCode).toBe(201);
    const { interactionId } = engaged.json();
    await t.app.inject({
      method: 'POST',
      url: `/server/agent/interactions/${interactionId}/accept`,
      headers: { authorization: `Bearer ${agentToken}` },
    });
    const types = async (n: number) => {
      for (let i = 0; i < 200 && frames.length < n; i++) await new Promise((r) => setTimeout(r, 10));
      return frames.map((x) => `${x.channel}:${x.data.type}`);
    };
    expect(await types(3)).toEqual(['gpe.chat:started', 'gpe.chat:queue', 'gpe.chat:agentJoined']);
    first.close();
    const page2 = visit.newPage();
    await t.send([visit.event({ eventType: 'SYSTEM', eventName: 'PageEntered', data: {} })]);
    const second = await open(page2);
    expect((await types(4)).at(-1)).toBe('gpe.chat:restore');
    second.close();
  });
});
