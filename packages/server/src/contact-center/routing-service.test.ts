import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFixture } from './test-fixture.js';
import type { Fixture, SignedIn } from './test-fixture.js';

let f: Fixture;
beforeEach(async () => {
  f = await createFixture();
  await f.addAgent('a1');
  await f.addAgent('a2');
});
afterEach(() => f.close());

/** Starts a reactive chat; returns its interactionId. */
async function chat(): Promise<string> {
  const res = await f.engage(await f.visit());
  expect(res.statusCode, res.body).toBe(201);
  return res.json().interactionId as string;
}

const invites = (agent: SignedIn) => agent.events.filter((e) => e.Event === 'EventInvite');

describe('routing', () => {
  it('offers to the longest-idle Ready agent; on reject, the second agent gets it', async () => {
    const a1 = await f.signIn('a1');
    f.t.clock.advance(1000);
    const a2 = await f.signIn('a2');
    const id = await chat();
    expect(invites(a1)).toHaveLength(1);
    expect(invites(a1)[0]).toMatchObject({
      InteractionID: id,
      MediaType: 'chat',
      Queue: 'default',
      TimeoutSec: 15,
      UserData: { webengagement: 'reactive', engagementName: 'reactive' },
    });
    expect(invites(a2)).toHaveLength(0);
    expect((await a1.call('POST', `/interactions/${id}/reject`)).statusCode).toBe(204);
    expect(a1.names().at(-1)).toBe('EventRejected');
    expect(invites(a2).map((e) => e.InteractionID)).toEqual([id]);
    const accepted = await a2.call('POST', `/interactions/${id}/accept`);
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json()).toMatchObject({ interactionId: id, state: 'connected' });
    expect(a2.events.at(-1)).toMatchObject({
      Event: 'EventPartyAdded',
      InteractionID: id,
      Party: { Type: 'agent', ID: 'a2', Name: 'Agent a2' },
    });
    // The rejecting agent can no longer accept it.
    expect((await a1.call('POST', `/interactions/${id}/accept`)).statusCode).toBe(409);
  });

  it('revokes an unanswered invitation after 15 s, makes the agent NotReady(NoAnswer), offers to the next', async () => {
    const a1 = await f.signIn('a1');
    f.t.clock.advance(1000);
    const a2 = await f.signIn('a2');
    const id = await chat();
    f.scheduler.advance(14_999);
    expect(invites(a2)).toHaveLength(0);
    f.scheduler.advance(1);
    expect(a1.events.slice(-2)).toMatchObject([
      { Event: 'EventRevoked', InteractionID: id, Reason: 'timeout' },
      { Event: 'EventAgentNotReady', ReasonCode: 'NoAnswer' },
    ]);
    expect(f.cc.routing.status('a1')).toMatchObject({ state: 'NotReady', reasonCode: 'NoAnswer' });
    expect(invites(a2).map((e) => e.InteractionID)).toEqual([id]);
    expect((await a1.call('POST', `/interactions/${id}/accept`)).statusCode).toBe(409);
  });

  it('respects capacity, and frees the seat when a chat ends', async () => {
    await f.t.api({ method: 'PUT', url: '/server/data/agents/a1', payload: { capacity: { chat: 2 } } });
    const a1 = await f.signIn('a1');
    const ids = [await chat(), await chat(), await chat()];
    expect(invites(a1).map((e) => e.InteractionID)).toEqual(ids.slice(0, 2));
    await a1.call('POST', `/interactions/${ids[0]}/accept`);
    expect(invites(a1)).toHaveLength(2);
    await a1.call('POST', `/interactions/${ids[0]}/release`);
    expect(invites(a1).map((e) => e.InteractionID)).toEqual(ids);
  });

  it('sends no invitation to a NotReady agent, and routes when it becomes Ready', async () => {
    const a1 = await f.signIn('a1', { ready: false });
    const id = await chat();
    expect(invites(a1)).toHaveLength(0);
    expect(f.hub.chat(f.cc.interactions.live.get(id)!.visitID, 'queue')).toEqual([
      { type: 'queue', position: 1, ewtSec: 100 },
    ]);
    // A new page of the waiting visitor gets the chat back, with its place in the queue.
    const visitId = f.cc.interactions.live.get(id)!.visitID;
    f.hub.connect(visitId, 'F'.repeat(32));
    await f.settle();
    expect(f.hub.chat(visitId, 'restore')).toEqual([
      expect.objectContaining({
        interactionId: id,
        state: 'queued',
        mediaType: 'chat',
        queue: { position: 1, ewtSec: 100 },
        messages: [],
      }),
    ]);
    await a1.call('POST', '/ready');
    expect(invites(a1).map((e) => e.InteractionID)).toEqual([id]);
    await a1.call('POST', '/notReady', { reasonCode: 'Break' });
    await chat();
    expect(invites(a1)).toHaveLength(1);
  });

  it('after the disconnect grace: logout, pending invitation revoked, connected chat re-queued to another agent', async () => {
    await f.close();
    f = await createFixture({ routing: { disconnectGraceSec: 10 } });
    await f.addAgent('a1');
    await f.addAgent('a2');
    const a1 = await f.signIn('a1');
    const connectedId = await chat();
    await a1.call('POST', `/interactions/${connectedId}/accept`);
    f.t.clock.advance(1);
    const pendingId = await chat();
    expect(invites(a1).map((e) => e.InteractionID)).toEqual([connectedId, pendingId]);
    a1.detach();
    f.scheduler.advance(9_999);
    expect(f.cc.routing.status('a1').state).toBe('Ready');
    f.scheduler.advance(1);
    expect(f.cc.routing.status('a1').state).toBe('LoggedOut');
    const visitId = f.cc.interactions.live.get(connectedId)!.visitID;
    expect(
      f.hub
        .chat(visitId)
        .map((d) => d.type)
        .slice(-2),
    ).toEqual(['agentLeft', 'queue']);
    a1.attach(a1.events.at(-1)!.seq);
    expect(a1.names().slice(-3)).toEqual(['EventRevoked', 'EventPartyRemoved', 'EventAgentLogout']);
    expect(a1.events.at(-1)).toMatchObject({ Reason: 'disconnected' });
    const a2 = await f.signIn('a2');
    // Both go to a2, the re-queued chat first (it kept its original enqueue time).
    expect(invites(a2).map((e) => e.InteractionID)).toEqual([connectedId, pendingId]);
    await a2.call('POST', `/interactions/${connectedId}/accept`);
    expect(f.cc.interactions.live.get(connectedId)!.agentIds).toEqual(['a1', 'a2']);
  });

  it('keeps the agent when the desktop reconnects within the grace period', async () => {
    const a1 = await f.signIn('a1');
    a1.detach();
    f.scheduler.advance(20_000);
    a1.attach(a1.events.at(-1)!.seq);
    f.scheduler.advance(60_000);
    expect(f.cc.routing.status('a1').state).toBe('Ready');
  });

  it('ends a chat that waits longer than maxQueueTimeSec (queueTimeout)', async () => {
    await f.signIn('a1', { ready: false });
    const id = await chat();
    const visitId = f.cc.interactions.live.get(id)!.visitID;
    f.scheduler.advance(600_000);
    await f.settle();
    expect(f.hub.chat(visitId, 'ended')).toEqual([{ type: 'ended', reason: 'queueTimeout' }]);
    expect(f.cc.interactions.live.has(id)).toBe(false);
  });
});
