/**
 * `npm run bench:sockets` (issue 7, item 6): resident memory per idle visitor push connection. One Beckon node
 * (the real `startServer`, durable SQLite store) holds N (default 10,000) WebSockets on `/server/notifications`,
 * each a distinct visit whose page was first made known by one ingested event; the baseline in the same run is a
 * bare `ws` server holding the same number of connections on the same paths. Each server runs in its own child
 * process started with `--expose-gc` and reports its own RSS and JS heap (after two full collections) three
 * times: cold (Beckon after the ingest), warm (after a churn of N short-lived connections of unknown visits, which
 * Beckon refuses and so keeps no visit state for; this brings both processes to their working size) and with the
 * N sockets open and idle for a few seconds. Per socket = (with sockets − warm) / N; the server's fd table is
 * checked to hold the N sockets. RSS of a process with a large, churning heap is noisy, so the live JS heap growth
 * per socket is reported beside it and the target is judged on the larger. The client ends live in this
 * process, one server at a time, so no process holds more than ~10,000 sockets (the limit here is 20,000 open
 * files). Both children run with the same V8 flags, the young generation preallocated (see SEMI_SPACE_MB).
 *
 * Environment: BENCH_SOCKETS (default 10000), BENCH_IDLE_MS (default 3000).
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getHeapSpaceStatistics } from 'node:v8';
import WebSocket, { WebSocketServer } from 'ws';
import { round, writeBenchResult } from './lib/result.js';

type Kind = 'beckon' | 'bare';

/** What a server child reports about itself. */
interface MemorySample {
  rss: number;
  heapUsed: number;
  external: number;
  /** V8 heap committed, and its young generation part. */
  heapTotal: number;
  newSpace: number;
  /** Open sockets of the child (listening socket and IPC included). */
  sockets: number;
}

type ToChild = { type: 'measure' } | { type: 'stop' };
type FromChild =
  { type: 'ready'; port: number } | ({ type: 'memory' } & MemorySample) | { type: 'failed'; message: string };

const SOCKETS = Number(process.env.BENCH_SOCKETS ?? 10_000);
const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 3000);
const TARGET_BYTES = 8 * 1024;
const DEADLINE_MS = 85_000;
/**
 * Both children start with V8's young generation at its full default size (2 × 16 MB): otherwise the bare
 * server, which has allocated little before the handshakes, grows it during them and that growth (~24 MB) would
 * be charged to its sockets, while Beckon has already grown it while ingesting.
 */
const SEMI_SPACE_MB = 16;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- server child ---------------------------------------------------------------------------------------------

function openSockets(): number {
  let count = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith('socket:')) count++;
    } catch {
      // the fd of readdir itself is gone by now
    }
  }
  return count;
}

async function measureSelf(): Promise<MemorySample> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('server child needs --expose-gc');
  gc();
  await sleep(100);
  gc();
  const m = process.memoryUsage();
  const newSpace =
    getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0;
  return {
    rss: m.rss,
    heapUsed: m.heapUsed,
    external: m.external,
    heapTotal: m.heapTotal,
    newSpace,
    sockets: openSockets(),
  };
}

async function serverChild(kind: Kind, dataDir: string | undefined): Promise<void> {
  const send = (m: FromChild) => process.send!(m);
  let stop: () => Promise<void>;
  let port: number;
  try {
    if (kind === 'beckon') {
      const { buildConfig, startServer } = await import('@beckon/server');
      const server = await startServer({
        config: buildConfig({
          http: { port: 0, host: '127.0.0.1' },
          dataDir: dataDir!,
          ingest: { rateLimitPerIpPerMin: 10_000_000 },
          log: { level: 'warn' },
        }),
        handleSignals: false,
      });
      port = server.port;
      stop = () => server.shutdown();
    } else {
      const wss = new WebSocketServer({
        host: '127.0.0.1',
        port: 0,
        perMessageDeflate: false,
        maxPayload: 256,
      });
      await new Promise((r) => wss.once('listening', r));
      wss.on('connection', (ws) => ws.on('error', () => ws.terminate()));
      port = (wss.address() as { port: number }).port;
      stop = async () => {
        for (const ws of wss.clients) ws.terminate();
        await new Promise((r) => wss.close(r));
      };
    }
  } catch (error) {
    send({ type: 'failed', message: (error as Error).stack ?? String(error) });
    process.exit(1);
  }
  process.on('message', (m: ToChild) => {
    if (m.type === 'measure') {
      measureSelf().then(
        (sample) => send({ type: 'memory', ...sample }),
        (error: unknown) => send({ type: 'failed', message: String(error) }),
      );
    } else {
      void stop().finally(() => process.exit(0));
    }
  });
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', port });
}

// ---- parent: client sockets and the figures -------------------------------------------------------------------

interface Child {
  process: ChildProcess;
  port: number;
  measure(): Promise<MemorySample>;
  stop(): Promise<void>;
}

function startChild(kind: Kind, dataDir?: string): Promise<Child> {
  const child = fork(fileURLToPath(import.meta.url), ['--server', kind, ...(dataDir ? [dataDir] : [])], {
    execArgv: ['--expose-gc', `--min-semi-space-size=${SEMI_SPACE_MB}`, '--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  let waiter: ((m: FromChild) => void) | null = null;
  child.on('message', (m: FromChild) => waiter?.(m));
  const next = () =>
    new Promise<FromChild>((resolve) => {
      waiter = resolve;
    });
  const expect = async <T extends FromChild['type']>(type: T) => {
    const m = await next();
    if (m.type === 'failed') throw new Error(`${kind} server failed: ${m.message}`);
    if (m.type !== type) throw new Error(`${kind} server: expected ${type}, got ${m.type}`);
    return m as Extract<FromChild, { type: T }>;
  };
  return expect('ready').then(({ port }) => ({
    process: child,
    port,
    measure: async () => {
      const result = expect('memory');
      child.send({ type: 'measure' } satisfies ToChild);
      const { type: _type, ...sample } = await result;
      return sample;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.send({ type: 'stop' } satisfies ToChild);
      }),
  }));
}

const hexId = () => randomBytes(16).toString('hex').toUpperCase();

interface Visit {
  visitID: string;
  pageID: string;
  globalVisitID: string;
}

/** Makes each visit's page known to Beckon: one PageEntered per visit, 100 events per request. */
async function ingest(base: string, visits: Visit[]): Promise<void> {
  for (let i = 0; i < visits.length; i += 100) {
    const now = Date.now();
    const batch = visits.slice(i, i + 100).map((v) => ({
      eventType: 'SYSTEM',
      eventName: 'PageEntered',
      eventID: hexId(),
      pageID: v.pageID,
      visitID: v.visitID,
      globalVisitID: v.globalVisitID,
      timestamp: now,
      url: 'https://shop.example.com/loans',
      languageCode: 'en-US',
      seq: 1,
      data: { title: 'Loans', referrer: '' },
    }));
    const res = await fetch(`${base}/server/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(batch),
    });
    if (res.status !== 202) throw new Error(`ingest: ${res.status} ${await res.text()}`);
  }
}

/** Opens one client socket per path (100 handshakes in flight); rejects on the first refusal or early close. */
async function connectAll(base: string, paths: string[]): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  let next = 0;
  const openOne = (url: string) =>
    new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      sockets.push(ws);
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('close', (code, reason) => reject(new Error(`closed ${code} ${String(reason)} (${url})`)));
    });
  const worker = async () => {
    while (next < paths.length) await openOne(base + paths[next++]!);
  };
  await Promise.all(Array.from({ length: 100 }, worker));
  return sockets;
}

/**
 * Warm-up: one short-lived connection per path, each closed as soon as it is answered. Paths of unknown visits,
 * so Beckon refuses them (4403) after the handshake and keeps no visit state; the bare server accepts them.
 */
async function churn(base: string, paths: string[]): Promise<void> {
  let next = 0;
  const once = (url: string) =>
    new Promise<void>((resolve) => {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      ws.on('error', () => undefined);
      ws.once('open', () => {
        ws.terminate();
        resolve();
      });
      ws.once('close', () => resolve());
    });
  const worker = async () => {
    while (next < paths.length) await once(base + paths[next++]!);
  };
  await Promise.all(Array.from({ length: 100 }, worker));
}

async function closeAll(sockets: WebSocket[]): Promise<void> {
  for (const ws of sockets) {
    ws.removeAllListeners('close');
    ws.on('error', () => undefined);
    ws.terminate();
  }
  await sleep(200);
}

interface Measured {
  sockets: number;
  /** New sockets the server child holds, from its fd table (a check on `sockets`). */
  serverSocketsAdded: number;
  phasesMs: { setup: number; warmUp: number; connect: number };
  /** Before the warm-up, then after it (the reference), then with the sockets open and idle. */
  cold: MemorySample;
  before: MemorySample;
  after: MemorySample;
  rssBytesPerSocket: number;
  /** RSS growth from before the warm-up: also charges the process's one-off growth to the sockets. */
  coldRssBytesPerSocket: number;
  heapBytesPerSocket: number;
}

async function measure(
  kind: Kind,
  paths: string[],
  visits: Visit[],
  warmUpPaths: string[],
  dataDir?: string,
): Promise<Measured> {
  const child = await startChild(kind, dataDir);
  const clients: WebSocket[] = [];
  try {
    const base = `http://127.0.0.1:${child.port}`;
    const t0 = Date.now();
    if (kind === 'beckon') await ingest(base, visits);
    await sleep(500);
    const cold = await child.measure();
    const t1 = Date.now();
    await churn(`ws://127.0.0.1:${child.port}`, warmUpPaths);
    await sleep(1000);
    const before = await child.measure();
    const t2 = Date.now();
    clients.push(...(await connectAll(`ws://127.0.0.1:${child.port}`, paths)));
    const t3 = Date.now();
    await sleep(IDLE_MS);
    const stillOpen = clients.filter((ws) => ws.readyState === WebSocket.OPEN).length;
    if (stillOpen !== paths.length)
      throw new Error(`${kind}: only ${stillOpen}/${paths.length} sockets stayed open`);
    const after = await child.measure();
    // Leftover keep-alive connections of the ingest requests may close meanwhile: allow a little slack.
    const held = after.sockets - before.sockets;
    if (held < paths.length - 20)
      throw new Error(`${kind}: server holds ${held} new sockets, expected ${paths.length}`);
    return {
      sockets: paths.length,
      serverSocketsAdded: held,
      phasesMs: { setup: t1 - t0, warmUp: t2 - t1, connect: t3 - t2 },
      cold,
      before,
      after,
      rssBytesPerSocket: (after.rss - before.rss) / paths.length,
      coldRssBytesPerSocket: (after.rss - cold.rss) / paths.length,
      heapBytesPerSocket: (after.heapUsed - before.heapUsed) / paths.length,
    };
  } finally {
    await closeAll(clients);
    await child.stop();
  }
}

const kb = (bytes: number) => round(bytes / 1024, 2);
const mb = (bytes: number) => round(bytes / 1024 / 1024, 1);

function line(name: string, m: Measured): string {
  const { setup, warmUp, connect } = m.phasesMs;
  return (
    `${name}: ${m.sockets} idle sockets (server fds +${m.serverSocketsAdded}), ` +
    `RSS ${mb(m.cold.rss)} cold → ${mb(m.before.rss)} warm → ${mb(m.after.rss)} MB with sockets\n` +
    `  per socket: RSS ${kb(m.rssBytesPerSocket)} KB (from cold ${kb(m.coldRssBytesPerSocket)} KB), ` +
    `JS heap ${kb(m.heapBytesPerSocket)} KB; phases setup ${setup} / warm-up ${warmUp} / connect ${connect} ms\n`
  );
}

function figures(m: Measured) {
  return {
    sockets: m.sockets,
    rssKBPerSocket: kb(m.rssBytesPerSocket),
    coldRssKBPerSocket: kb(m.coldRssBytesPerSocket),
    heapKBPerSocket: kb(m.heapBytesPerSocket),
    rssColdMB: mb(m.cold.rss),
    rssBeforeMB: mb(m.before.rss),
    rssAfterMB: mb(m.after.rss),
  };
}

async function main(): Promise<void> {
  const started = Date.now();
  const watchdog = setTimeout(() => {
    process.stderr.write(`bench:sockets exceeded ${DEADLINE_MS} ms, giving up\n`);
    process.exit(1);
  }, DEADLINE_MS);
  watchdog.unref();
  const visits: Visit[] = Array.from({ length: SOCKETS }, () => ({
    visitID: hexId(),
    pageID: hexId(),
    globalVisitID: hexId(),
  }));
  const paths = visits.map((v) => `/server/notifications?visitID=${v.visitID}&pageID=${v.pageID}`);
  const warmUpPaths = Array.from(
    { length: SOCKETS },
    () => `/server/notifications?visitID=${hexId()}&pageID=${hexId()}`,
  );
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'beckon-bench-sockets-'));
  try {
    const beckon = await measure('beckon', paths, visits, warmUpPaths, dataDir);
    process.stderr.write(line('beckon /server/notifications', beckon));
    const bare = await measure('bare', paths, visits, warmUpPaths);
    process.stderr.write(line('bare ws server (baseline)', bare));
    const ratio = round(beckon.rssBytesPerSocket / Math.max(bare.rssBytesPerSocket, 1), 2);
    const heapRatio = round(beckon.heapBytesPerSocket / Math.max(bare.heapBytesPerSocket, 1), 2);
    // RSS growth of a process with a large, churning heap is noisy (freed pages get reused or discarded while
    // the sockets open); the live JS heap growth is stable. The target is judged on the larger of the two.
    const met = Math.max(beckon.rssBytesPerSocket, beckon.heapBytesPerSocket) <= TARGET_BYTES;
    process.stderr.write(
      `RSS per idle socket: beckon ${kb(beckon.rssBytesPerSocket)} KB, bare ws ${kb(bare.rssBytesPerSocket)} KB, ` +
        `ratio ${ratio} (JS heap ratio ${heapRatio}); target ≤ ${kb(TARGET_BYTES)} KB ${met ? 'met' : 'NOT met'} ` +
        `(run ${round((Date.now() - started) / 1000, 1)} s)\n`,
    );
    writeBenchResult('sockets', {
      ...figures(beckon),
      idleMs: IDLE_MS,
      targetKBPerSocket: kb(TARGET_BYTES),
      targetMet: met,
      heapRatio,
      baseline: { name: 'bare ws server', ...figures(bare) },
      ratio,
    });
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--server') {
  await serverChild(process.argv[3] as Kind, process.argv[4]);
} else {
  await main();
}
