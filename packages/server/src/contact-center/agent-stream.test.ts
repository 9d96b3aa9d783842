import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AgentStreamHub } from './agent-stream.js';
import type { AgentEvent } from './agent-stream.js';

/** A complete draft of a small event, for tests of numbering and delivery. */
const TYPING = { Event: 'EventTyping', InteractionID: 'I1', From: 'agent', Typing: true } as const;

function recorder() {
  const got: AgentEvent[] = [];
  return {
    got,
    socket: { send: (d: string) => void got.push(JSON.parse(d) as AgentEvent), close: () => undefined },
  };
}

function hub(options: { retentionMs?: number; maxRetained?: number } = {}) {
  let t = 1000;
  const presence: [string, boolean][] = [];
  const h = new AgentStreamHub({
    now: () => t,
    snapshot: (agentId) => ({ state: 'Ready', agentId }),
    onPresence: (agentId, connected) => presence.push([agentId, connected]),
    ...options,
  });
  return { h, presence, tick: (ms: number) => (t += ms) };
}

describe('AgentStreamHub', () => {
  it('numbers events per agent from 1 and stamps AgentID and time', () => {
    const { h } = hub();
    const a = recorder();
    h.attach('a', a.socket, 0);
    h.emit('a', { Event: 'EventAgentReady' });
    h.emit('b', { Event: 'EventAgentReady' });
    h.emit('a', { Event: 'EventAgentNotReady', ReasonCode: 'Break' });
    expect(a.got).toEqual([
      { Event: 'EventAgentReady', AgentID: 'a', seq: 1, time: 1000 },
      { Event: 'EventAgentNotReady', ReasonCode: 'Break', AgentID: 'a', seq: 2, time: 1000 },
    ]);
    expect(h.head('b')).toBe(1);
  });

  it('resumes after lastSeq without gaps or repeats, for any disconnect pattern', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 60 }), (steps) => {
        const { h } = hub();
        const seen: number[] = [];
        let socket: ReturnType<typeof recorder> | null = recorder();
        let detach = h.attach('a', socket.socket, 0);
        for (const connected of steps) {
          h.emit('a', TYPING);
          if (!connected && socket) {
            seen.push(...socket.got.map((e) => e.seq));
            detach();
            socket = null;
          } else if (connected && !socket) {
            socket = recorder();
            detach = h.attach('a', socket.socket, seen.at(-1) ?? 0);
          }
        }
        if (socket) seen.push(...socket.got.map((e) => e.seq));
        else {
          const last = recorder();
          h.attach('a', last.socket, seen.at(-1) ?? 0);
          seen.push(...last.got.map((e) => e.seq));
        }
        expect(seen).toEqual(steps.map((_, i) => i + 1));
      }),
    );
  });

  it('sends EventResync with the head seq when lastSeq is older than retained, absent or from the future', () => {
    const { h, tick } = hub({ maxRetained: 3 });
    for (let i = 0; i < 5; i++) h.emit('a', TYPING);
    const old = recorder();
    h.attach('a', old.socket, 1);
    expect(old.got).toEqual([
      { Event: 'EventResync', AgentID: 'a', seq: 5, time: 1000, Snapshot: { state: 'Ready', agentId: 'a' } },
    ]);
    const inRange = recorder();
    h.attach('a', inRange.socket, 2);
    expect(inRange.got.map((e) => e.seq)).toEqual([3, 4, 5]);
    const fresh = recorder();
    h.attach('a', fresh.socket, null);
    expect(fresh.got.map((e) => e.Event)).toEqual(['EventResync']);
    const future = recorder();
    h.attach('a', future.socket, 99);
    expect(future.got.map((e) => e.Event)).toEqual(['EventResync']);
    // Time-based retention: 15 min.
    tick(15 * 60_000 + 1);
    h.emit('a', TYPING);
    const late = recorder();
    h.attach('a', late.socket, 4);
    expect(late.got.map((e) => e.Event)).toEqual(['EventResync']);
    const current = recorder();
    h.attach('a', current.socket, 5);
    expect(current.got.map((e) => e.seq)).toEqual([6]);
  });

  it('reports presence on the first open and last close', () => {
    const { h, presence } = hub();
    const d1 = h.attach('a', recorder().socket, 0);
    const d2 = h.attach('a', recorder().socket, 0);
    d1();
    d1();
    expect(h.isConnected('a')).toBe(true);
    d2();
    expect(presence).toEqual([
      ['a', true],
      ['a', false],
    ]);
  });
});
