import { afterEach, describe, expect, it } from 'vitest';
import { createContactCenter } from './contact-center.js';
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
