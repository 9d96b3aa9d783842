import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestVisit } from '../testing/test-app.js';
import { createFixture } from './test-fixture.js';
import type { Fixture, SignedIn } from './test-fixture.js';
import type { ChatMessage, ChatTranscript } from './types.js';

let f: Fixture;
let agent: SignedIn;
let visit: TestVisit;
let id: string;
let token: string;

beforeEach(async () => {
  f = await createFixture();
  await f.addAgent('amy', { name: 'Amy' });
  agent = await f.signIn('amy');
  visit = await f.visit();
  const res = await f.engage(visit);
  ({ interactionId: id, token } = res.json());
  await agent.call('POST', `/interactions/${id}/accept`);
});
afterEach(() => f.close());

const send = (text: string, clientMessageId?: string) =>
  f.visitor(token, 'POST', `/server/chat/${id}/messages`, {
    text,
    ...(clientMessageId ? { clientMessageId } : {}),
  });

describe('chat', () => {
  it('tells the visitor it started, its place in the queue and who joined', () => {
    expect(f.hub.chat(visit.visitID).map((d) => d.type)).toEqual(['started', 'queue', 'agentJoined']);
    expect(f.hub.chat(visit.visitID, 'started')[0]).toEqual({
      type: 'started',
      interactionId: id,
      token,
      queue: 'default',
      mediaType: 'chat',
    });
    expect(f.hub.chat(visit.visitID, 'agentJoined')[0]).toEqual({ type: 'agentJoined', name: 'Amy' });
  });

  it('carries messages both ways with server ids, seq and timestamps', async () => {
    const v = await send('Is this TV 4K?', 'c-1');
    expect(v.statusCode).toBe(201);
    const message = v.json<ChatMessage>();
    expect(message).toMatchObject({
      seq: 1,
      interactionId: id,
      from: { type: 'visitor', id: null },
      text: 'Is this TV 4K?',
      timestamp: f.t.clock.now(),
      clientMessageId: 'c-1',
    });
    expect(message.id).toMatch(/^[0-9A-F]{32}$/);
    expect(agent.events.at(-1)).toMatchObject({
      Event: 'EventChatMessage',
      InteractionID: id,
      Message: message,
    });
    const a = await agent.call('POST', `/interactions/${id}/messages`, {
      clientMessageId: 'a-1',
      text: 'Yes <b>it</b> is',
    });
    expect(a.statusCode).toBe(201);
    expect(a.json()).toMatchObject({
      seq: 2,
      from: { type: 'agent', id: 'amy', name: 'Amy' },
      text: 'Yes <b>it</b> is',
    });
    const frame = f.hub.chat(visit.visitID, 'message').at(-1)!;
    expect(frame.message).toMatchObject({ seq: 2, from: { type: 'agent', id: null, name: 'Amy' } });
  });

  it('answers a repeated clientMessageId with the same message (200), once stored', async () => {
    const first = await send('hello', 'c-7');
    const again = await send('hello', 'c-7');
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(first.json());
    const both = await Promise.all([send('x', 'c-8'), send('x', 'c-8'), send('x', 'c-8')]);
    expect(both.map((r) => r.statusCode).sort()).toEqual([200, 200, 201]);
    const all = (await f.visitor(token, 'GET', `/server/chat/${id}/messages?afterSeq=0`)).json<
      ChatMessage[]
    >();
    expect(all.map((m) => m.clientMessageId)).toEqual(['c-7', 'c-8']);
    expect(agent.events.filter((e) => e.Event === 'EventChatMessage')).toHaveLength(2);
  });

  it('catches up with afterSeq on both sides without loss or duplicates', async () => {
    for (let i = 1; i <= 6; i++)
      if (i % 2) await send(`v${i}`, `v${i}`);
      else
        await agent.call('POST', `/interactions/${id}/messages`, { clientMessageId: `a${i}`, text: `a${i}` });
    const visitorView = (await f.visitor(token, 'GET', `/server/chat/${id}/messages?afterSeq=2`)).json<
      ChatMessage[]
    >();
    expect(visitorView.map((m) => [m.seq, m.text])).toEqual([
      [3, 'v3'],
      [4, 'a4'],
      [5, 'v5'],
      [6, 'a6'],
    ]);
    expect(visitorView.find((m) => m.from.type === 'agent')!.from.id).toBeNull();
    const agentView = (await agent.call('GET', `/interactions/${id}/messages?afterSeq=5`)).json<
      ChatMessage[]
    >();
    expect(agentView.map((m) => m.seq)).toEqual([6]);
    expect((await f.visitor(token, 'GET', `/server/chat/${id}/messages?afterSeq=x`)).statusCode).toBe(400);
  });

  it('validates text and the chat token', async () => {
    expect((await send('')).statusCode).toBe(400);
    expect((await send('x'.repeat(4001))).statusCode).toBe(400);
    expect((await f.visitor('wrong', 'POST', `/server/chat/${id}/messages`, { text: 'hi' })).statusCode).toBe(
      401,
    );
    expect(
      (await f.t.app.inject({ method: 'POST', url: `/server/chat/${id}/messages`, payload: { text: 'hi' } }))
        .statusCode,
    ).toBe(401);
  });

  it('relays typing notices, at most one per party per 2 s', async () => {
    expect((await f.visitor(token, 'POST', `/server/chat/${id}/typing`, { typing: true })).statusCode).toBe(
      204,
    );
    await f.visitor(token, 'POST', `/server/chat/${id}/typing`, { typing: true });
    expect(agent.events.filter((e) => e.Event === 'EventTyping')).toEqual([
      expect.objectContaining({ InteractionID: id, From: 'visitor', Typing: true }),
    ]);
    f.t.clock.advance(2000);
    await f.visitor(token, 'POST', `/server/chat/${id}/typing`, { typing: true });
    expect(agent.events.filter((e) => e.Event === 'EventTyping')).toHaveLength(2);
    expect((await agent.call('POST', `/interactions/${id}/typing`, { typing: true })).statusCode).toBe(204);
    expect(f.hub.chat(visit.visitID, 'typing')).toEqual([
      { type: 'typing', from: { type: 'agent', name: 'Amy' }, typing: true },
    ]);
  });

  it('ends when the agent releases: agentLeft, ended, EventReleased; transcript kept with the visit', async () => {
    await send('bye', 'c-1');
    expect((await agent.call('POST', `/interactions/${id}/release`, { outcome: 'solved' })).statusCode).toBe(
      204,
    );
    expect(f.hub.chat(visit.visitID).slice(-2)).toEqual([
      { type: 'agentLeft' },
      { type: 'ended', reason: 'agent' },
    ]);
    expect(agent.events.at(-1)).toMatchObject({
      Event: 'EventReleased',
      InteractionID: id,
      Reason: 'agent',
      Outcome: 'solved',
    });
    expect((await send('too late', 'c-2')).statusCode).toBe(409);
    expect((await send('bye', 'c-1')).statusCode).toBe(200);
    const res = await f.t.get(`/visits/${visit.visitID}/chats`);
    expect(res.statusCode).toBe(200);
    const [transcript] = res.json<ChatTranscript[]>();
    expect(transcript).toMatchObject({
      interactionId: id,
      queue: 'default',
      agentIds: ['amy'],
      reason: 'agent',
      endedAt: f.t.clock.now(),
    });
    expect(transcript!.messages.map((m) => m.text)).toEqual(['bye']);
    expect((await f.t.get(`/visits/0123456789ABCDEF0123456789ABCDEF/chats`)).statusCode).toBe(404);
    const engagement = await f.cc.store.getEngagement(transcript!.engagementId);
    expect(engagement).toMatchObject({ kind: 'reactive', state: 'ended', reason: 'agent', priority: 50 });
    expect(engagement!.history.map((h) => h.state)).toEqual(['accepted', 'queued', 'connected', 'ended']);
  });

  it('ends when the visitor closes: EventPartyRemoved then EventReleased', async () => {
    expect((await f.visitor(token, 'POST', `/server/chat/${id}/close`)).statusCode).toBe(204);
    expect(agent.names().slice(-2)).toEqual(['EventPartyRemoved', 'EventReleased']);
    expect(agent.events.at(-1)).toMatchObject({ Reason: 'visitorClosed' });
    expect(f.hub.chat(visit.visitID, 'ended')).toEqual([{ type: 'ended', reason: 'visitorClosed' }]);
  });

  it('restores the chat on a new page with the last messages, and ends it when the visitor is gone', async () => {
    await send('one', 'c-1');
    f.hub.disconnect(visit.visitID, visit.pageID);
    f.scheduler.advance(60_000);
    const page2 = visit.newPage();
    f.hub.connect(visit.visitID, page2);
    await f.settle();
    const restore = f.hub.chat(visit.visitID, 'restore');
    expect(restore).toHaveLength(1);
    expect(restore[0]).toMatchObject({ interactionId: id, token, state: 'connected' });
    expect((restore[0]!.messages as ChatMessage[]).map((m) => m.text)).toEqual(['one']);
    f.scheduler.advance(120_000);
    expect(f.cc.interactions.live.has(id)).toBe(true);
    f.hub.disconnect(visit.visitID, page2);
    f.scheduler.advance(120_000);
    await f.settle();
    expect(agent.events.at(-1)).toMatchObject({ Event: 'EventReleased', Reason: 'visitorGone' });
  });

  it('sends the visitor activity of the visit to the agent', async () => {
    await f.t.send([visit.event({ eventName: 'AddToCart', data: { sku: 'tv' } })]);
    const activity = agent.events.filter((e) => e.Event === 'EventVisitActivity');
    expect(activity).toHaveLength(1);
    expect(activity[0]).toMatchObject({
      InteractionID: id,
      visitID: visit.visitID,
      Kind: 'event',
      Item: { eventName: 'AddToCart' },
    });
    const journey = await agent.call('GET', `/interactions/${id}/journey`);
    expect(journey.statusCode).toBe(200);
    expect(journey.json()).toMatchObject({
      visit: { visitId: visit.visitID },
      previousVisits: [],
      actionable: [],
    });
    expect(journey.json().visit.events.map((e: { eventName: string }) => e.eventName)).toContain('AddToCart');
  });
});
