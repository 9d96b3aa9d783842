import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { backoffDelay, openAgentStream } from './agent-stream.js';
import type { SocketLike, StreamStatus } from './agent-stream.js';
import type { AgentEvent } from '@beckon/protocol';

class FakeSocket implements SocketLike {
  onopen: SocketLike['onopen'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;
  closed = false;
  constructor(readonly url: string) {}
  close() {
    this.closed = true;
  }
  open() {
    this.onopen?.({});
  }
  send(...events: object[]) {
    this.onmessage?.({ data: JSON.stringify(events.length === 1 ? events[0] : events) });
  }
  drop(code = 1006) {
    this.onclose?.({ code });
  }
}

function harness() {
  const sockets: FakeSocket[] = [];
  const pending: { fn: () => void; ms: number }[] = [];
  const events: AgentEvent[] = [];
  const statuses: StreamStatus[] = [];
  let applied: number | null = null;
  const stream = openAgentStream({
    url: (lastSeq) => `ws://t/server/agent/stream${lastSeq === null ? '' : `?lastSeq=${lastSeq}`}`,
    lastSeq: () => applied,
    onEvent: (e) => {
      events.push(e);
      applied = e.Event === 'EventResync' ? e.seq : Math.max(applied ?? 0, e.seq);
    },
    onStatus: (s) => statuses.push(s),
    createSocket: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    timers: {
      setTimeout: (fn, ms) => pending.push({ fn, ms }),
      clearTimeout: () => pending.splice(0),
    },
    random: () => 0.5,
  });
  return { sockets, pending, events, statuses, stream };
}

const ready = (seq: number) => ({ Event: 'EventAgentReady', AgentID: 'a', seq, time: seq });

describe('agent stream', () => {
  it('resumes with the last applied seq after a drop and never repeats a seq', () => {
    const h = harness();
    expect(h.sockets[0]!.url).toBe('ws://t/server/agent/stream');
    h.sockets[0]!.open();
    h.sockets[0]!.send(ready(1), ready(2));
    h.sockets[0]!.drop();
    expect(h.pending).toHaveLength(1);
    h.pending.shift()!.fn();
    expect(h.sockets[1]!.url).toContain('lastSeq=2');
    h.sockets[1]!.open();
    h.sockets[1]!.send(ready(2), ready(3), ready(3), ready(4));
    expect(h.events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(h.statuses).toEqual(['connecting', 'open', 'reconnecting', 'reconnecting', 'open']);
  });

  it('always passes EventResync through and restarts numbering from its seq', () => {
    const h = harness();
    h.sockets[0]!.send(ready(5));
    h.sockets[0]!.send({
      Event: 'EventResync',
      AgentID: 'a',
      seq: 3,
      time: 1,
      Snapshot: { state: 'Ready', reasonCode: null, interactions: [] },
    });
    h.sockets[0]!.send(ready(4));
    expect(h.events.map((e) => `${e.Event}:${e.seq}`)).toEqual([
      'EventAgentReady:5',
      'EventResync:3',
      'EventAgentReady:4',
    ]);
  });

  it('ignores frames that are not events', () => {
    const h = harness();
    h.sockets[0]!.onmessage?.({ data: 'not json' });
    h.sockets[0]!.onmessage?.({ data: '{"ping":1}' });
    expect(h.events).toEqual([]);
  });

  it('stops on an authentication close and on close()', () => {
    const h = harness();
    h.sockets[0]!.drop(4401);
    expect(h.pending).toHaveLength(0);
    expect(h.statuses.at(-1)).toBe('unauthorized');
    const g = harness();
    g.sockets[0]!.drop();
    g.stream.close();
    expect(g.pending).toHaveLength(0);
    expect(g.statuses.at(-1)).toBe('closed');
  });

  it('reconnectNow replaces the socket and ignores the old one', () => {
    const h = harness();
    h.stream.reconnectNow();
    expect(h.sockets[0]!.closed).toBe(true);
    h.sockets[0]!.send(ready(1));
    h.sockets[0]!.drop();
    expect(h.events).toEqual([]);
    expect(h.pending).toHaveLength(0);
    h.sockets[1]!.send(ready(1));
    expect(h.events).toHaveLength(1);
  });

  it('backs off exponentially within [base/2, base], capped', () => {
    expect(backoffDelay(1, {}, () => 0)).toBe(250);
    expect(backoffDelay(1, {}, () => 0.999999)).toBe(500);
    expect(backoffDelay(3, {}, () => 0)).toBe(1000);
    expect(backoffDelay(30, { maxMs: 8000 }, () => 0.999999)).toBe(8000);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.double({ min: 0, max: 0.9999, noNaN: true }),
        (n, r) => {
          const d = backoffDelay(n, {}, () => r);
          return d >= backoffDelay(n, {}, () => 0) && d <= 15_000 && d >= 250;
        },
      ),
    );
  });
});
