/**
 * Bounded load test (issue 6 acceptance): 1,000 concurrent chats over WebSocket on loopback. Visitors hold a push
 * WebSocket (a minimal NotificationHub over `ws`, standing in for the notifications feature) and post messages
 * over HTTP on their own keep-alive connection, as a browser does; 20 agents (50 chats each) hold the agent stream
 * WebSocket and talk over 6 connections each, accept every invitation and answer every message at once. All 1,000
 * conversations run together, each one message at a time (the visitor writes, waits for the answer, writes again).
 * Checks that no message is lost or duplicated on either side, and prints throughput and the p50 / p99 delivery
 * latency (sender's POST → the other side's WebSocket frame), load generator in the same process.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import type { NotificationHub, PushMessage } from '../notifications/hub.js';
import { createTestApp, testVisit } from '../testing/test-app.js';
import type { TestApp, TestVisit } from '../testing/test-app.js';
import type { AgentEvent } from './agent-stream.js';
import { contactCenterFeature } from './index.js';
import { manualScheduler } from './scheduler.js';
import type { ChatMessage } from './types.js';

const CHATS = 1000;
const AGENTS = 20;
const MESSAGES_PER_SIDE = 3;
const PASSWORD = 'load test password';

/** Visitor push channel over real WebSockets at `/test/push?visitID=`. */
class SocketHub implements NotificationHub {
  readonly wss = new WebSocketServer({ noServer: true });
  readonly #sockets = new Map<string, WebSocket>();
  readonly #buffer = new Map<string, PushMessage[]>();
  readonly #connect = new Set<(visitId: string, pageId: string) => void>();
  push(visitId: string, message: PushMessage): void {
    const socket = this.#sockets.get(visitId);
    if (socket) socket.send(JSON.stringify(message));
    else this.#buffer.set(visitId, [...(this.#buffer.get(visitId) ?? []), message]);
  }
  isConnected(visitId: string): boolean {
    return this.#sockets.has(visitId);
  }
  onConnect(listener: (visitId: string, pageId: string) => void): () => void {
    this.#connect.add(listener);
    return () => this.#connect.delete(listener);
  }
  onDisconnect(): () => void {
    return () => undefined;
  }
  attach(t: TestApp): void {
    t.app.server.on('upgrade', (request, socket, head) => {
      const url = new URL(request.url ?? '/', 'http://x');
      if (url.pathname !== '/test/push') return;
      this.wss.handleUpgrade(request, socket, head, (ws) => {
        const visitId = url.searchParams.get('visitID')!;
        this.#sockets.set(visitId, ws);
        for (const m of this.#buffer.get(visitId) ?? []) ws.send(JSON.stringify(m));
        this.#buffer.delete(visitId);
        for (const l of this.#connect) l(visitId, url.searchParams.get('pageID') ?? '');
      });
    });
  }
}

async function pool<T>(items: readonly T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: size }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;

async function until(what: string, done: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let t: TestApp;
let base: string;
const hub = new SocketHub();
const sockets: WebSocket[] = [];
const desks: http.Agent[] = [];

beforeAll(async () => {
  t = await createTestApp({
    config: { api: { rateLimitPerKeyPerMin: 10_000_000 }, ingest: { rateLimitPerIpPerMin: 10_000_000 } },
  });
  await contactCenterFeature(t.app, t, { hub, scheduler: manualScheduler(t.clock) });
  hub.attach(t);
  // A deep accept queue: a thousand clients connect at once, and a dropped SYN costs a 1 s retransmit.
  await t.app.listen({ port: 0, host: '127.0.0.1', backlog: 4096 });
  const address = t.app.server.address();
  base = `127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(async () => {
  for (const s of sockets) s.terminate();
  agent.destroy();
  for (const desk of desks) desk.destroy();
  await t.close();
});

/** Loopback HTTP with a keep-alive pool large enough that the client never queues requests itself. */
const agent = new http.Agent({ keepAlive: true, maxSockets: 4096, maxFreeSockets: 4096 });

function request(
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  token?: string,
  via: http.Agent = agent,
): Promise<unknown> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const [host, port] = base.split(':');
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent: via,
        host,
        port: Number(port),
        method,
        path,
        headers: {
          ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if ((res.statusCode ?? 500) >= 300) reject(new Error(`${path}: ${res.statusCode} ${text}`));
          else resolve(text ? JSON.parse(text) : {});
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const post = (path: string, body: unknown, token?: string, via?: http.Agent) =>
  request('POST', path, body, token, via) as Promise<Record<string, unknown>>;

describe('chat load', () => {
  it(
    `${CHATS} concurrent chats over WebSocket: nothing lost or duplicated`,
    { timeout: 180_000 },
    async () => {
      const started = performance.now();
      // Agents: accounts, sessions, streams that accept every invitation and answer every visitor message.
      const toAgent = new Map<string, number[]>(); // interactionId → visitor message seqs seen by the agent
      const latency: number[] = [];
      const sentAt = new Map<string, number>(); // interactionId/clientMessageId → send time
      let accepted = 0;
      const agentTokens = new Map<string, string>();
      // The desktops' requests start in stream handlers; each is kept so the test waits for its answer, and a failed
      // one ends the wait at once instead of surfacing as an unhandled rejection (or a timeout) later.
      const deskRequests: Promise<void>[] = [];
      const deskErrors: unknown[] = [];
      let deskFailed: (error: unknown) => void = () => undefined;
      /** Rejects with the first failed desktop request (a visitor waiting for an answer waits on this too). */
      const deskFailure = new Promise<never>((_, reject) => (deskFailed = reject));
      deskFailure.catch(() => undefined); // observed by the waits below, not unhandled
      const fromDesk = (request: Promise<unknown>, then: () => void = () => undefined) =>
        deskRequests.push(
          request.then(then, (error: unknown) => {
            deskErrors.push(error);
            deskFailed(error);
          }),
        );
      const settled = (done: () => boolean) => () => {
        if (deskErrors.length) throw new Error('a desktop request failed', { cause: deskErrors[0] });
        return done();
      };
      for (let i = 0; i < AGENTS; i++) {
        const agentId = `load${i}`;
        await post(
          '/server/data/agents',
          { agentId, groups: ['load'], password: PASSWORD, capacity: { chat: 50 } },
          t.fullKey,
        );
        const { token } = (await post('/server/agent/session', { agentId, password: PASSWORD })) as {
          token: string;
        };
        agentTokens.set(agentId, token);
        const ws = new WebSocket(`ws://${base}/server/agent/stream?lastSeq=0&token=${token}`);
        sockets.push(ws);
        const replies: string[] = [];
        // A desktop talks over a few connections, as a browser does (6 per origin).
        const desk = new http.Agent({ keepAlive: true, maxSockets: 6 });
        desks.push(desk);
        ws.on('message', (data) => {
          const event = JSON.parse(String(data)) as AgentEvent;
          if (event.Event === 'EventInvite')
            fromDesk(
              post(`/server/agent/interactions/${event.InteractionID as string}/accept`, {}, token, desk),
              () => accepted++,
            );
          if (event.Event === 'EventChatMessage') {
            const message = event.Message as ChatMessage;
            if (message.from.type !== 'visitor') return;
            const key = `${message.interactionId}/${message.clientMessageId}`;
            latency.push(performance.now() - sentAt.get(key)!);
            const seen = toAgent.get(message.interactionId) ?? [];
            seen.push(message.seq);
            toAgent.set(message.interactionId, seen);
            const replyId = `r-${message.clientMessageId}`;
            replies.push(replyId);
            sentAt.set(`${message.interactionId}/${replyId}`, performance.now());
            fromDesk(
              post(
                `/server/agent/interactions/${message.interactionId}/messages`,
                { clientMessageId: replyId, text: `re: ${message.text}` },
                token,
                desk,
              ),
            );
          }
        });
        await new Promise((resolve) => ws.once('open', resolve));
        await post('/server/agent/login', {}, token);
        await post('/server/agent/ready', {}, token);
      }

      // Visits, each with a stored page and an open push socket.
      const visits: TestVisit[] = Array.from({ length: CHATS }, () => testVisit());
      for (let i = 0; i < CHATS; i += 100) {
        const batch = visits
          .slice(i, i + 100)
          .map((v) => v.event({ eventType: 'SYSTEM', eventName: 'PageEntered', data: {} }));
        const res = await t.send(batch);
        expect(res.statusCode).toBe(202);
      }
      const toVisitor = new Map<string, number[]>(); // visitID → agent message seqs seen by the visitor
      const joined = new Set<string>();
      const replied = new Map<string, () => void>();
      await pool(visits, 100, async (v) => {
        const ws = new WebSocket(`ws://${base}/test/push?visitID=${v.visitID}&pageID=${v.pageID}`);
        sockets.push(ws);
        ws.on('message', (data) => {
          const frame = JSON.parse(String(data)) as { data: { type: string; message?: ChatMessage } };
          if (frame.data.type === 'agentJoined') joined.add(v.visitID);
          if (frame.data.type === 'message' && frame.data.message!.from.type === 'agent') {
            const m = frame.data.message!;
            latency.push(performance.now() - sentAt.get(`${m.interactionId}/${m.clientMessageId}`)!);
            toVisitor.set(v.visitID, [...(toVisitor.get(v.visitID) ?? []), m.seq]);
            replied.get(v.visitID)?.();
          }
        });
        await new Promise((resolve) => ws.once('open', resolve));
      });

      // 1,000 reactive chats, all connected at once.
      // Each browser keeps its own keep-alive connection, opened here (not in the measured phase).
      const chats: { visitID: string; interactionId: string; token: string; browser: http.Agent }[] = [];
      await pool(visits, 100, async (v) => {
        const browser = new http.Agent({ keepAlive: true, maxSockets: 1 });
        desks.push(browser);
        const res = (await post(
          '/server/engagements',
          { visitID: v.visitID, pageID: v.pageID, channel: 'chat' },
          undefined,
          browser,
        )) as { interactionId: string; token: string };
        chats.push({ visitID: v.visitID, interactionId: res.interactionId, token: res.token, browser });
      });
      await until(
        'every chat connected',
        settled(() => accepted === CHATS && joined.size === CHATS),
      );
      await Promise.all(deskRequests);
      const setupMs = performance.now() - started;

      // Each visitor sends its messages; agents answer each one.
      const exchange = performance.now();
      // Every chat at once, each a conversation: the visitor writes, waits for the answer, writes again.
      await pool(chats, CHATS, async (c) => {
        for (let m = 1; m <= MESSAGES_PER_SIDE; m++) {
          const answered = new Promise<void>((resolve) => replied.set(c.visitID, resolve));
          sentAt.set(`${c.interactionId}/v-${m}`, performance.now());
          await post(
            `/server/chat/${c.interactionId}/messages`,
            { clientMessageId: `v-${m}`, text: `hello ${m}` },
            c.token,
            c.browser,
          );
          await Promise.race([answered, deskFailure]);
        }
      });
      const total = CHATS * MESSAGES_PER_SIDE;
      const count = (m: Map<string, number[]>) => [...m.values()].reduce((n, l) => n + l.length, 0);
      await until(
        'every message delivered',
        settled(() => count(toAgent) >= total && count(toVisitor) >= total),
      );
      const exchangeMs = performance.now() - exchange;
      await new Promise((r) => setTimeout(r, 200)); // a late duplicate would arrive here
      await Promise.all(deskRequests);
      expect(deskErrors).toEqual([]);
      // One accept per chat and one answer per visitor message, each acknowledged by the server.
      expect(accepted).toBe(CHATS);
      expect(deskRequests).toHaveLength(CHATS + total);

      // Exactly once on both sides, and the stored conversation agrees.
      expect(toAgent.size).toBe(CHATS);
      expect(toVisitor.size).toBe(CHATS);
      for (const c of chats) {
        const agentSaw = toAgent.get(c.interactionId)!;
        const visitorSaw = toVisitor.get(c.visitID)!;
        expect(new Set(agentSaw).size).toBe(MESSAGES_PER_SIDE);
        expect(agentSaw).toHaveLength(MESSAGES_PER_SIDE);
        expect(new Set(visitorSaw).size).toBe(MESSAGES_PER_SIDE);
        expect(visitorSaw).toHaveLength(MESSAGES_PER_SIDE);
        expect([...agentSaw, ...visitorSaw].sort((a, b) => a - b)).toEqual(
          Array.from({ length: 2 * MESSAGES_PER_SIDE }, (_, i) => i + 1),
        );
      }
      const sample = chats.slice(0, 50);
      for (const c of sample) {
        const res = await fetch(`http://${base}/server/chat/${c.interactionId}/messages?afterSeq=0`, {
          headers: { authorization: `Bearer ${c.token}` },
        });
        const stored = (await res.json()) as ChatMessage[];
        expect(stored.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6]);
      }
      latency.sort((a, b) => a - b);
      const figures = {
        chats: CHATS,
        agents: AGENTS,
        messages: latency.length,
        setupMs: Math.round(setupMs),
        exchangeMs: Math.round(exchangeMs),
        messagesPerSec: Math.round(latency.length / (exchangeMs / 1000)),
        p50Ms: Number(percentile(latency, 0.5).toFixed(1)),
        p99Ms: Number(percentile(latency, 0.99).toFixed(1)),
        maxMs: Number(latency.at(-1)!.toFixed(1)),
      };
      console.log(`chat-load ${JSON.stringify(figures)}`);
      expect(latency).toHaveLength(2 * total);
    },
  );
});
