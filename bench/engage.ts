/**
 * `npm run bench:engage` (issue 7, item 6): with N (default 10,000) visitor push sockets connected to one Beckon
 * node, the time from an `actionable` event published on the bus to the `gpe.invite` frame arriving on the
 * visitor's WebSocket — admission, a fresh default-strategy SCXML session, pacing, its durable snapshot commit,
 * the invite action and the push — p50/p99 over sequential samples. Baseline in the same run: a bare `ws` server
 * holding the same number of connections, timing one `send` to one socket among them. The sockets' client ends
 * live in a child process (one process may hold at most 20,000 open files); both processes stamp times with
 * `performance.timeOrigin + performance.now()`, so latencies cross the process boundary.
 *
 * Environment: BENCH_SOCKETS (default 10000), BENCH_SAMPLES (default 1000), BENCH_CHANNEL (chat | offer,
 * default chat: one Ready agent, each sampled invitation refused afterwards so pacing stays open).
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import WebSocket, { WebSocketServer } from 'ws';
import { round, writeBenchResult } from './lib/result.js';

const stamp = (): number => performance.timeOrigin + performance.now();

// ---- client process: opens the sockets, reports the arrival time of each probe frame --------------------------
if (process.argv[2] === '--clients') {
  const sockets: WebSocket[] = [];
  process.on('message', async (m: { open?: { base: string; paths: string[] }; close?: true }) => {
    if (m.close) {
      for (const s of sockets) s.terminate();
      sockets.length = 0;
      process.send!({ closed: true });
      return;
    }
    if (!m.open) return;
    const { base, paths } = m.open;
    let next = 0;
    const openOne = (key: string, url: string) =>
      new Promise<void>((resolve, reject) => {
        const ws = new WebSocket(url);
        ws.on('open', () => resolve());
        ws.on('error', reject);
        ws.on('message', (raw) => {
          const at = stamp();
          const frame = JSON.parse(String(raw)) as { channel?: string; probe?: number };
          if (frame.channel === 'gpe.invite' || frame.probe !== undefined) process.send!({ key, at });
        });
        sockets.push(ws);
      });
    const worker = async () => {
      while (next < paths.length) {
        const i = next++;
        await openOne(String(i), base + paths[i]!);
      }
    };
    await Promise.all(Array.from({ length: 100 }, worker));
    process.send!({ ready: sockets.length });
  });
} else {
  await main();
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function summary(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  return {
    p50Ms: round(percentile(s, 50), 2),
    p99Ms: round(percentile(s, 99), 2),
    maxMs: round(s[s.length - 1]!, 2),
  };
}

function clientProcess() {
  const child = fork(fileURLToPath(import.meta.url), ['--clients'], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const arrivals = new Map<string, (at: number) => void>();
  let waiter: ((m: Record<string, unknown>) => void) | null = null;
  child.on('message', (m: Record<string, unknown>) => {
    if (typeof m['key'] === 'string') arrivals.get(m['key'])?.(m['at'] as number);
    else waiter?.(m);
  });
  const ask = (message: unknown) =>
    new Promise<Record<string, unknown>>((resolve) => {
      waiter = resolve;
      child.send(message as object);
    });
  const arrival = (key: string) =>
    new Promise<number>((resolve) => {
      arrivals.set(key, (at) => {
        arrivals.delete(key);
        resolve(at);
      });
    });
  return { child, ask, arrival };
}

async function main(): Promise<void> {
  const sockets = Number(process.env.BENCH_SOCKETS ?? 10_000);
  const samples = Math.min(Number(process.env.BENCH_SAMPLES ?? 1000), sockets);
  const channel = process.env.BENCH_CHANNEL === 'offer' ? 'offer' : 'chat';
  const { buildApp } = await import('../packages/server/src/app.js');
  const { buildConfig } = await import('../packages/server/src/config.js');
  const { createMetrics } = await import('../packages/server/src/metrics.js');
  const { openStore } = await import('../packages/server/src/store/open-store.js');
  const { testVisit } = await import('../packages/server/src/testing/test-app.js');
  const { engagementFeature } = await import('../packages/server/src/engagement/index.js');

  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'beckon-bench-engage-'));
  const clients = clientProcess();
  try {
    // ---- Beckon ----
    const config = buildConfig({ dataDir, pacing: { reactiveShare: 0 } });
    const store = await openStore({ dataDir, databaseUrl: '' });
    const beckon = await buildApp({
      config,
      store,
      logger: false,
      metrics: createMetrics({ defaultMetrics: false }),
      contactCenter: true,
    });
    const engine = await engagementFeature(beckon.app, beckon);
    await beckon.app.listen({ host: '127.0.0.1', port: 0 });
    const port = (beckon.app.server.address() as { port: number }).port;
    const key = (await store.createApiKey('bench', 'full', Date.now())).key;
    const inject = beckon.app.inject.bind(beckon.app);
    if (channel === 'chat') {
      const auth = { authorization: `Bearer ${key}` };
      await inject({
        method: 'POST',
        url: '/server/data/agents',
        headers: auth,
        payload: {
          agentId: 'bench',
          name: 'Bench',
          groups: ['sales'],
          password: 'bench password 1',
          capacity: { chat: 100 },
        },
      });
      const session = (
        await inject({
          method: 'POST',
          url: '/server/agent/session',
          payload: { agentId: 'bench', password: 'bench password 1' },
        })
      ).json<{ token: string }>();
      const agent = { authorization: `Bearer ${session.token}` };
      await inject({ method: 'POST', url: '/server/agent/login', headers: agent, payload: { place: 'p' } });
      const ready = await inject({ method: 'POST', url: '/server/agent/ready', headers: agent });
      if (ready.statusCode !== 204) throw new Error(`agent ready: ${ready.statusCode} ${ready.body}`);
    }
    const visits = Array.from({ length: sockets }, () => testVisit());
    for (let i = 0; i < visits.length; i += 100) {
      const batch = visits.slice(i, i + 100).map((v) =>
        v.event({
          eventType: 'SYSTEM',
          eventName: 'PageEntered',
          timestamp: Date.now(),
          data: { title: 'Loans' },
        }),
      );
      const res = await inject({ method: 'POST', url: '/server/events', payload: batch });
      if (res.statusCode !== 202) throw new Error(`ingest: ${res.statusCode} ${res.body}`);
    }
    const paths = visits.map((v) => `/server/notifications?visitID=${v.visitID}&pageID=${v.pageID}`);
    const opened = await clients.ask({ open: { base: `ws://127.0.0.1:${port}`, paths } });
    process.stderr.write(`beckon: ${String(opened['ready'])} sockets open\n`);
    const stride = Math.floor(sockets / samples);
    const beckonMs: number[] = [];
    for (let s = 0; s < samples; s++) {
      const index = s * stride;
      const v = visits[index]!;
      const arrived = clients.arrival(String(index));
      const t0 = stamp();
      beckon.bus.publish('actionable', {
        visitId: v.visitID,
        actionable: {
          id: `A${s}`,
          name: 'LoanHelp',
          ruleId: 'bench/loan',
          rulePackage: 'bench',
          visitID: v.visitID,
          globalVisitID: v.globalVisitID,
          pageID: v.pageID,
          timestamp: Date.now(),
          engagement: { channel, queue: 'default', priority: 50 },
          data: {},
          triggeringEventIDs: [],
          identityId: null,
          categories: [],
        },
      });
      beckonMs.push((await arrived) - t0);
      const e = [...engine.live.values()].find((l) => l.e.visitID === v.visitID);
      if (e) await engine.disposition(v.visitID, e.e.engagementId, 'refused');
    }
    await clients.ask({ close: true });
    await beckon.shutdown();

    // ---- baseline: bare ws ----
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((r) => wss.once('listening', r));
    const byPath = new Map<string, WebSocket>();
    wss.on('connection', (ws, req) => byPath.set(req.url ?? '', ws));
    const basePort = (wss.address() as { port: number }).port;
    await clients.ask({ open: { base: `ws://127.0.0.1:${basePort}`, paths } });
    const baseMs: number[] = [];
    for (let s = 0; s < samples; s++) {
      const index = s * stride;
      const ws = byPath.get(paths[index]!)!;
      const arrived = clients.arrival(String(index));
      const t0 = stamp();
      ws.send(JSON.stringify({ probe: s, channel: 'bench', data: { engagementId: 'x', message: 'hi' } }));
      baseMs.push((await arrived) - t0);
    }
    await clients.ask({ close: true });
    await new Promise((r) => wss.close(r));

    const ours = summary(beckonMs);
    const base = summary(baseMs);
    process.stderr.write(
      `actionable → gpe.invite (${channel}), ${sockets} sockets, ${samples} samples: p50 ${ours.p50Ms} ms, p99 ${ours.p99Ms} ms\n` +
        `bare ws send to one of ${sockets} sockets:                 p50 ${base.p50Ms} ms, p99 ${base.p99Ms} ms\n`,
    );
    writeBenchResult('engage', {
      sockets,
      samples,
      channel,
      ...ours,
      targetP99Ms: 20,
      baseline: { name: 'bare ws send', ...base },
      ratio: round(ours.p99Ms / Math.max(base.p99Ms, 0.001), 2),
    });
  } finally {
    (clients.child as ChildProcess).kill();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
