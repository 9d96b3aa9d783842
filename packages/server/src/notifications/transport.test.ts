import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import WebSocket from 'ws';
import { createTestApp, testVisit, type TestApp, type TestVisit } from '../testing/test-app.js';
import type { NotificationsService } from './notifications-feature.js';

let t: TestApp;
let hub: NotificationsService;
let base = '';
let visit: TestVisit;

beforeAll(async () => {
  t = await createTestApp({ config: { notifications: { maxBufferedPerVisit: 5 } } });
  hub = t.services.notifications;
  base = await t.app.listen({ host: '127.0.0.1', port: 0 });
  visit = testVisit();
  expect((await t.send([visit.event({ eventType: 'SYSTEM', eventName: 'PageEntered' })])).statusCode).toBe(
    202,
  );
});
afterAll(() => t?.close());

interface Frame {
  channel: string;
  data: unknown;
  page?: string;
  seq: number;
}

function openWs(query: string): Promise<{ ws: WebSocket; frames: Frame[]; closed: Promise<number> }> {
  const ws = new WebSocket(`${base.replace('http', 'ws')}/server/notifications?${query}`);
  const frames: Frame[] = [];
  ws.on('message', (m) => frames.push(JSON.parse(String(m)) as Frame));
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    ws.on('open', () => resolve({ ws, frames, closed }));
    ws.on('error', reject);
  });
}

interface Sse {
  status: number;
  events: Array<{ id?: string; data: Frame }>;
  raw: () => string;
  close: () => void;
}

function openSse(query: string, headers: Record<string, string> = {}): Promise<Sse> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      `${base}/server/notifications?${query}`,
      { headers: { accept: 'text/event-stream', ...headers } },
      (res) => {
        let text = '';
        const events: Sse['events'] = [];
        res.on('data', (chunk: Buffer) => {
          text += chunk.toString('utf8');
          let end: number;
          while ((end = text.indexOf('\n\n')) >= 0) {
            const block = text.slice(0, end);
            text = text.slice(end + 2);
            const id = /^id: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (data) events.push({ ...(id ? { id } : {}), data: JSON.parse(data) as Frame });
          }
        });
        let all = '';
        res.on('data', (c: Buffer) => (all += c.toString('utf8')));
        resolve({
          status: res.statusCode ?? 0,
          events,
          raw: () => all,
          close: () => req.destroy(),
        });
      },
    );
    req.on('error', reject);
  });
}

const until = async (check: () => boolean, what: string) => {
  const end = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('push transport over real sockets', () => {
  it('refuses a WebSocket for a page not stored for the visit with 4403', async () => {
    const other = testVisit();
    const { closed } = await openWs(`visitID=${other.visitID}&pageID=${visit.pageID}`);
    expect(await closed).toBe(4403);
    const unknown = await openWs(`visitID=${visit.visitID}&pageID=${other.pageID}`);
    expect(await unknown.closed).toBe(4403);
    const bad = await openWs(`visitID=x`);
    expect(await bad.closed).toBe(4400);
  });

  it('delivers frames with seq over WebSocket and reports the connection to listeners', async () => {
    const connects: string[] = [];
    const off = hub.onConnect((v, p) => connects.push(`${v}/${p}`));
    const disconnects: string[] = [];
    const offD = hub.onDisconnect((v, p) => disconnects.push(`${v}/${p}`));
    const { ws, frames } = await openWs(`visitID=${visit.visitID}&pageID=${visit.pageID}`);
    await until(() => hub.isConnected(visit.visitID), 'connected');
    expect(connects).toEqual([`${visit.visitID}/${visit.pageID}`]);
    hub.push(visit.visitID, { channel: 'gpe.a', data: { n: 1 } });
    hub.push(visit.visitID, { channel: 'gpe.b', data: { n: 2 }, page: visit.pageID });
    await until(() => frames.length === 2, 'two frames');
    expect(frames[0]).toEqual({ channel: 'gpe.a', data: { n: 1 }, seq: frames[0]!.seq });
    expect(frames[1]).toMatchObject({ channel: 'gpe.b', page: visit.pageID, seq: frames[0]!.seq + 1 });
    ws.close();
    await until(() => !hub.isConnected(visit.visitID), 'disconnected');
    expect(disconnects).toEqual([`${visit.visitID}/${visit.pageID}`]);
    off();
    offD();
  });

  it('buffers while disconnected and replays after lastSeq on reconnect', async () => {
    const first = await openWs(`visitID=${visit.visitID}&pageID=${visit.pageID}`);
    await until(() => hub.isConnected(visit.visitID), 'connected');
    hub.push(visit.visitID, { channel: 'gpe.one', data: {} });
    await until(() => first.frames.length === 1, 'frame');
    const last = first.frames[0]!.seq;
    first.ws.close();
    await until(() => !hub.isConnected(visit.visitID), 'disconnected');
    hub.push(visit.visitID, { channel: 'gpe.two', data: {} });
    hub.push(visit.visitID, { channel: 'gpe.three', data: {} });
    const second = await openWs(`visitID=${visit.visitID}&pageID=${visit.pageID}&lastSeq=${last}`);
    await until(() => second.frames.length === 2, 'replay');
    expect(second.frames.map((f) => [f.channel, f.seq])).toEqual([
      ['gpe.two', last + 1],
      ['gpe.three', last + 2],
    ]);
    second.ws.close();
    await until(() => !hub.isConnected(visit.visitID), 'disconnected');
  });

  it('keeps at most maxBufferedPerVisit undeliverable frames', async () => {
    const v = testVisit();
    await t.send([v.event()]);
    for (let i = 0; i < 8; i++) hub.push(v.visitID, { channel: 'gpe.n', data: i });
    const c = await openWs(`visitID=${v.visitID}&pageID=${v.pageID}`);
    await until(() => c.frames.length === 5, 'five');
    expect(c.frames.map((f) => f.data)).toEqual([3, 4, 5, 6, 7]);
    c.ws.close();
  });

  it('serves the SSE fallback with ids, resumes with Last-Event-ID, and refuses foreign pages', async () => {
    const forbidden = await openSse(`visitID=${testVisit().visitID}&pageID=${visit.pageID}`);
    expect(forbidden.status).toBe(403);
    forbidden.close();
    const sse = await openSse(`visitID=${visit.visitID}&pageID=${visit.pageID}`);
    expect(sse.status).toBe(200);
    await until(() => hub.isConnected(visit.visitID), 'sse connected');
    hub.push(visit.visitID, { channel: 'gpe.sse', data: { ok: true } });
    await until(() => sse.events.length === 1, 'sse frame');
    const first = sse.events[0]!;
    expect(first.id).toBe(String(first.data.seq));
    expect(first.data).toMatchObject({ channel: 'gpe.sse', data: { ok: true } });
    sse.close();
    await until(() => !hub.isConnected(visit.visitID), 'sse closed');
    hub.push(visit.visitID, { channel: 'gpe.missed', data: {} });
    const again = await openSse(`visitID=${visit.visitID}&pageID=${visit.pageID}&lastSeq=0`, {
      'last-event-id': first.id!,
    });
    await until(() => again.events.length === 1, 'sse replay');
    expect(again.events[0]!.data).toMatchObject({ channel: 'gpe.missed', seq: first.data.seq + 1 });
    again.close();
  });

  it('answers a plain GET with 400', async () => {
    const res = await t.app.inject({
      url: `/server/notifications?visitID=${visit.visitID}&pageID=${visit.pageID}`,
    });
    expect(res.statusCode).toBe(400);
  });
});
