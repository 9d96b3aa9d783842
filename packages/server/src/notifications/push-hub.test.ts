import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PushHub, type PushConnection } from './push-hub.js';

interface Fake extends PushConnection {
  frames: Array<{ seq: number; channel: string; page?: string }>;
  pings: number;
}

function fake(visitId: string, pageId: string): Fake {
  const conn: Fake = {
    visitId,
    pageId,
    frames: [],
    pings: 0,
    send: (json) => conn.frames.push(JSON.parse(json) as Fake['frames'][number]),
    ping: () => void conn.pings++,
    close: () => undefined,
  };
  return conn;
}

function hub(options: { bufferSec?: number; max?: number } = {}) {
  let t = 1_000_000;
  const h = new PushHub({
    now: () => t,
    bufferSec: options.bufferSec ?? 30,
    maxBufferedPerVisit: options.max ?? 20,
  });
  return { h, advance: (ms: number) => (t += ms) };
}

describe('PushHub', () => {
  it('numbers frames per visit and sends untargeted ones to every connected page', () => {
    const { h } = hub();
    const a = fake('V1', 'P1');
    const b = fake('V1', 'P2');
    const other = fake('V2', 'P3');
    h.add(a);
    h.add(b);
    h.add(other);
    h.push('V1', { channel: 'gpe.x', data: {} });
    h.push('V1', { channel: 'gpe.y', data: {} });
    h.push('V2', { channel: 'gpe.z', data: {} });
    expect(a.frames.map((f) => f.seq)).toEqual([1, 2]);
    expect(b.frames.map((f) => f.seq)).toEqual([1, 2]);
    expect(other.frames).toEqual([{ channel: 'gpe.z', data: {}, seq: 1 }]);
  });

  it('sends a targeted frame to its page, or to the newest page when that page is gone', () => {
    const { h } = hub();
    const a = fake('V1', 'P1');
    const b = fake('V1', 'P2');
    h.add(a);
    h.add(b);
    h.push('V1', { channel: 'gpe.x', data: 1, page: 'P1' });
    h.push('V1', { channel: 'gpe.x', data: 2, page: 'GONE' });
    expect(a.frames.map((f) => f.seq)).toEqual([1]);
    expect(b.frames).toEqual([{ channel: 'gpe.x', data: 2, page: 'GONE', seq: 2 }]);
  });

  it('buffers undeliverable frames and delivers them on the next connection, once', () => {
    const { h } = hub();
    h.push('V1', { channel: 'gpe.a', data: {} });
    h.push('V1', { channel: 'gpe.b', data: {}, page: 'P1' });
    expect(h.isConnected('V1')).toBe(false);
    const a = fake('V1', 'P9');
    h.add(a);
    expect(a.frames.map((f) => f.channel)).toEqual(['gpe.a', 'gpe.b']);
    expect(h.isConnected('V1')).toBe(true);
    const b = fake('V1', 'P10');
    h.add(b);
    expect(b.frames).toEqual([]);
  });

  it('keeps at most maxBufferedPerVisit frames, for at most bufferSec', () => {
    const { h, advance } = hub({ max: 3, bufferSec: 30 });
    for (let i = 0; i < 5; i++) h.push('V1', { channel: 'gpe.n', data: i });
    const a = fake('V1', 'P1');
    h.add(a);
    expect(a.frames.map((f) => f.seq)).toEqual([3, 4, 5]);
    h.remove(a);
    h.push('V1', { channel: 'gpe.late', data: {} });
    advance(30_001);
    const b = fake('V1', 'P1');
    h.add(b);
    expect(b.frames).toEqual([]);
  });

  it('replays frames after lastSeq to a reconnecting page, skipping those of other connected pages', () => {
    const { h } = hub();
    const a = fake('V1', 'P1');
    const b = fake('V1', 'P2');
    h.add(a);
    h.add(b);
    h.push('V1', { channel: 'gpe.1', data: {} });
    h.push('V1', { channel: 'gpe.2', data: {}, page: 'P1' });
    h.push('V1', { channel: 'gpe.3', data: {}, page: 'P2' });
    h.remove(a);
    const again = fake('V1', 'P1');
    h.add(again, 1);
    expect(again.frames.map((f) => f.seq)).toEqual([2]);
  });

  it('continues numbering above lastSeq after the visit was forgotten', () => {
    const { h, advance } = hub();
    const a = fake('V1', 'P1');
    h.add(a);
    h.push('V1', { channel: 'gpe.1', data: {} });
    h.remove(a);
    advance(60_000);
    h.tick();
    const again = fake('V1', 'P1');
    h.add(again, 41);
    h.push('V1', { channel: 'gpe.2', data: {} });
    expect(again.frames.map((f) => f.seq)).toEqual([42]);
  });

  it('tells listeners about connects and disconnects, and survives a throwing listener', () => {
    const errors: unknown[] = [];
    const h = new PushHub({
      now: () => 0,
      bufferSec: 30,
      maxBufferedPerVisit: 20,
      onListenerError: (e) => errors.push(e),
    });
    const seen: string[] = [];
    h.onConnect(() => {
      throw new Error('boom');
    });
    const off = h.onConnect((v, p) => seen.push(`+${v}/${p}`));
    h.onDisconnect((v, p) => seen.push(`-${v}/${p}`));
    const a = fake('V1', 'P1');
    h.add(a);
    h.remove(a);
    h.remove(a);
    off();
    h.add(fake('V1', 'P2'));
    expect(seen).toEqual(['+V1/P1', '-V1/P1']);
    expect(errors).toHaveLength(2);
    expect(h.connectionCount).toBe(1);
  });

  it('pings every connection on tick', () => {
    const { h } = hub();
    const a = fake('V1', 'P1');
    const b = fake('V2', 'P2');
    h.add(a);
    h.add(b);
    h.tick();
    h.tick();
    expect([a.pings, b.pings]).toEqual([2, 2]);
  });

  it('never duplicates or reorders frames for a page that resumes with its highest seq', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constant('push'), fc.constant('drop')), { maxLength: 40 }), (ops) => {
        const { h } = hub({ max: 1000 });
        let conn = fake('V1', 'P1');
        h.add(conn);
        const seen: number[] = [];
        let sent = 0;
        for (const op of ops) {
          if (op === 'push') {
            h.push('V1', { channel: 'gpe.n', data: ++sent });
          } else {
            seen.push(...conn.frames.map((f) => f.seq));
            h.remove(conn);
            conn = fake('V1', 'P1');
            h.add(conn, seen.length ? seen[seen.length - 1] : undefined);
          }
        }
        seen.push(...conn.frames.map((f) => f.seq));
        expect(seen).toEqual(Array.from({ length: sent }, (_, i) => i + 1));
      }),
    );
  });
});
