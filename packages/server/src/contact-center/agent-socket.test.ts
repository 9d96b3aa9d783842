import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { AgentEvent } from './agent-stream.js';
import { createFixture } from './test-fixture.js';
import type { Fixture } from './test-fixture.js';

let f: Fixture;
let base: string;
beforeAll(async () => {
  f = await createFixture();
  await f.addAgent('ws1');
  await f.t.app.listen({ port: 0, host: '127.0.0.1' });
  const address = f.t.app.server.address();
  base = `ws://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(() => f.close());

function open(query: string, headers: Record<string, string> = {}) {
  const events: AgentEvent[] = [];
  const ws = new WebSocket(`${base}/server/agent/stream${query}`, { headers });
  ws.on('message', (data) => events.push(JSON.parse(String(data)) as AgentEvent));
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
  const until = async (n: number) => {
    for (let i = 0; i < 200 && events.length < n; i++) await new Promise((r) => setTimeout(r, 10));
    return events;
  };
  const closed = () =>
    new Promise<void>((resolve) =>
      ws.readyState === ws.CLOSED ? resolve() : ws.once('close', () => resolve()),
    );
  return { ws, events, opened, until, closed };
}

describe('WebSocket /server/agent/stream', () => {
  it('closes the stream with 4401 without a valid session token', async () => {
    for (const query of ['', '?token=nope']) {
      const s = open(query);
      await s.opened;
      const code = await new Promise<number>((resolve) => s.ws.once('close', (c) => resolve(c)));
      expect(code).toBe(4401);
      expect(s.events).toEqual([]);
    }
  });

  it('streams events live, resumes with lastSeq after a reconnect, and resyncs without one', async () => {
    const agent = await f.signIn('ws1', { login: false });
    agent.detach();
    const first = open('', { authorization: `Bearer ${agent.token}` });
    await first.opened;
    await first.until(1);
    expect(first.events[0]).toMatchObject({ Event: 'EventResync', seq: 0, Snapshot: { state: 'LoggedOut' } });
    await agent.call('POST', '/login');
    await agent.call('POST', '/ready');
    const live = await first.until(4);
    expect(live.slice(1).map((e) => [e.Event, e.seq])).toEqual([
      ['EventAgentLogin', 1],
      ['EventAgentNotReady', 2],
      ['EventAgentReady', 3],
    ]);
    first.ws.close();
    await first.closed();
    // Events while the desktop is away are replayed in order on resume.
    await agent.call('POST', '/notReady', { reasonCode: 'Break' });
    await agent.call('POST', '/ready');
    const second = open(`?token=${agent.token}&lastSeq=3`);
    await second.opened;
    const replay = await second.until(2);
    expect(replay.map((e) => [e.Event, e.seq])).toEqual([
      ['EventAgentNotReady', 4],
      ['EventAgentReady', 5],
    ]);
    await agent.call('POST', '/notReady', { reasonCode: 'Lunch' });
    expect((await second.until(3)).map((e) => e.seq)).toEqual([4, 5, 6]);
    second.ws.close();
    await second.closed();
    await agent.call('POST', '/logout').catch(() => undefined);
  });

  it('logs the agent out after the disconnect grace period without a stream', async () => {
    const agent = await f.signIn('ws1', { login: false });
    agent.detach();
    const s = open(`?token=${agent.token}&lastSeq=${f.cc.stream.head('ws1')}`);
    await s.opened;
    await agent.call('POST', '/login');
    s.ws.close();
    await s.closed();
    // The grace period starts when the server sees the close: wait for that (generously), or fail here.
    for (let i = 0; i < 1000 && f.cc.stream.isConnected('ws1'); i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(f.cc.stream.isConnected('ws1')).toBe(false);
    f.scheduler.advance(f.t.config.routing.disconnectGraceSec * 1000 - 1);
    expect(f.cc.routing.status('ws1').state).toBe('NotReady');
    f.scheduler.advance(1);
    expect(f.cc.routing.status('ws1').state).toBe('LoggedOut');
  });
});
