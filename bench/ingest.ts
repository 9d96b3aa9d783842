/**
 * `npm run bench:ingest` (issue 2, item 10): `POST /server/events` throughput of Beckon's full pipeline
 * (validate → dedupe → sessionize → categorize → durable SQLite group commit) against a bare `node:http`
 * server that parses the same JSON, in one run, single-event POSTs and 20-event batches. Each server runs in
 * its own child process pinned to one CPU; autocannon drives it from this process on another CPU, over
 * loopback. Every event carries a fresh eventID, so Beckon stores every event it acknowledges; at the end the
 * stored count is checked against the acknowledged count.
 *
 * Environment: BENCH_DURATION (seconds per measured run, default 10), BENCH_CONNECTIONS (default 64),
 * BENCH_PROFILE=1 (write a V8 CPU profile of the Beckon child to bench/results/profile/), BENCH_KEEP_DATA=1
 * (keep the SQLite data directory for inspection), BENCH_PIN=0 (do not pin processes to CPUs).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { canPin, startChildServer } from './lib/child-server.js';
import type { ChildServer, CpuSample } from './lib/child-server.js';
import { IngestWorkload } from './lib/ingest-workload.js';
import { newAckTotals, runLoad } from './lib/load.js';
import type { AckTotals, LoadBody, LoadResult } from './lib/load.js';
import { resultsDir, round, writeBenchResult } from './lib/result.js';
import { measureStore } from './lib/sqlite-size.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const durationSec = Number(process.env.BENCH_DURATION ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 64);
const profile = process.env.BENCH_PROFILE === '1';
const BATCH = 20;

// Two CPUs or more: the load generator on CPU 0, the server under test alone on CPU 1 ("one core").
const cpus = os.availableParallelism();
const pin = canPin() && cpus >= 2 && process.env.BENCH_PIN !== '0';
if (pin) execFileSync('taskset', ['-pc', '0', String(process.pid)], { stdio: 'ignore' });

interface Scenario {
  name: 'single' | 'batch20';
  eventsPerRequest: number;
}
const scenarios: Scenario[] = [
  { name: 'single', eventsPerRequest: 1 },
  { name: 'batch20', eventsPerRequest: BATCH },
];

interface ScenarioFigures extends LoadResult {
  cpuUsPerEvent: number;
  /** Server CPU time / wall time of the measured run: near 100 % means the server was the bottleneck. */
  serverCpuPercent: number;
  /** CPU time of this process (the load generator) / wall time. */
  loadCpuPercent: number;
  /** Time the server was runnable but other processes held its CPU / wall time. */
  serverStolenPercent: number;
  /** Events per second of server CPU time: the events/s one fully busy core would sustain. */
  eventsPerCpuSec: number;
}

const cpuMicros = (a: NodeJS.CpuUsage, b: NodeJS.CpuUsage) => b.user - a.user + (b.system - a.system);

async function measure(server: ChildServer, scenario: Scenario, workload: IngestWorkload, totals: AckTotals) {
  const body = (): LoadBody => {
    const events =
      scenario.eventsPerRequest === 1 ? [workload.next()] : workload.nextBatch(scenario.eventsPerRequest);
    return { text: JSON.stringify(events), eventIds: events.map((e) => e.eventID) };
  };
  let before: CpuSample = { user: 0, system: 0, waitMicros: 0 };
  let loadBefore = process.cpuUsage();
  const result = await runLoad({ url: server.url, body, connections, durationSec }, totals, async () => {
    before = await server.cpu();
    loadBefore = process.cpuUsage();
  });
  const after = await server.cpu();
  const serverCpu = cpuMicros(before, after);
  const cpuUsPerEvent = result.ackedEvents ? serverCpu / result.ackedEvents : 0;
  return {
    ...result,
    cpuUsPerEvent,
    eventsPerCpuSec: cpuUsPerEvent ? 1e6 / cpuUsPerEvent : 0,
    serverCpuPercent: (serverCpu / (result.seconds * 1e6)) * 100,
    loadCpuPercent: (cpuMicros(loadBefore, process.cpuUsage()) / (result.seconds * 1e6)) * 100,
    serverStolenPercent: ((after.waitMicros - before.waitMicros) / (result.seconds * 1e6)) * 100,
  };
}

function print(label: string, f: ScenarioFigures): void {
  const cells = [
    label.padEnd(18),
    `${round(f.reqPerSec, 0)} req/s`.padStart(14),
    `${round(f.eventsPerSec, 0)} ev/s`.padStart(13),
    `p50 ${round(f.p50Ms, 1)} ms`.padStart(13),
    `p99 ${round(f.p99Ms, 1)} ms`.padStart(13),
    `${round(f.cpuUsPerEvent, 1)} µs CPU/ev`.padStart(18),
    `server ${round(f.serverCpuPercent, 0)} % CPU`.padStart(16),
    `waits ${round(f.serverStolenPercent, 0)} %`.padStart(10),
    `loadgen ${round(f.loadCpuPercent, 0)} %`.padStart(13),
    `${round(f.seconds, 1)} s`.padStart(7),
  ];
  const problems = [
    f.errors ? `${f.errors} errors` : '',
    f.non2xx ? `${f.non2xx} non-2xx` : '',
    f.rejected ? `${f.rejected} rejected` : '',
    f.duplicates ? `${f.duplicates} duplicates` : '',
  ].filter(Boolean);
  console.log(cells.join(' ') + (problems.length ? `  (${problems.join(', ')})` : ''));
}

const compact = (f: ScenarioFigures) => ({
  reqPerSec: round(f.reqPerSec, 0),
  eventsPerSec: round(f.eventsPerSec, 0),
  p50Ms: round(f.p50Ms, 2),
  p99Ms: round(f.p99Ms, 2),
  cpuUsPerEvent: round(f.cpuUsPerEvent, 1),
  eventsPerCpuSec: round(f.eventsPerCpuSec, 0),
  serverCpuPercent: round(f.serverCpuPercent, 0),
  loadCpuPercent: round(f.loadCpuPercent, 0),
  serverRunQueueWaitPercent: round(f.serverStolenPercent, 0),
  requests: f.requests,
  seconds: f.seconds,
});

console.log(
  `ingest bench: ${durationSec} s per run after a warm-up, ${connections} connections, loopback, ` +
    (pin
      ? 'server pinned to CPU 1, load generator on CPU 0'
      : 'no CPU pinning (BENCH_PIN=0, taskset missing or 1 CPU)'),
);

console.log(
  'CPU/ev: server CPU time per acknowledged event; server %: its CPU time / wall time; waits: time it was ' +
    'runnable while other processes held its CPU; loadgen: autocannon CPU / wall time',
);

// Both servers run side by side (each idle while the other is measured) and the scenarios interleave, so a
// change in the machine's background load during the run hits both alike.
const baseline: Record<string, ScenarioFigures> = {};
const beckon: Record<string, ScenarioFigures> = {};
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'beckon-bench-ingest-'));
const profileDir = path.join(resultsDir, 'profile');
const totals = newAckTotals();
try {
  // (a) bare node:http + JSON.parse; (b) Beckon's full pipeline, durable SQLite in a fresh data directory.
  const bare = await startChildServer({ script: path.join(here, 'lib/baseline-server.ts'), cpu: 1 });
  const server = await startChildServer({
    script: path.join(here, 'lib/beckon-server.ts'),
    args: [dataDir],
    cpu: 1,
    nodeFlags: profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
  });
  const bareWorkload = new IngestWorkload({ seed: 1 });
  const bareTotals = newAckTotals();
  const workload = new IngestWorkload({ seed: 2 });
  for (const scenario of scenarios) {
    baseline[scenario.name] = await measure(bare, scenario, bareWorkload, bareTotals);
    print(`baseline ${scenario.name}`, baseline[scenario.name]!);
    beckon[scenario.name] = await measure(server, scenario, workload, totals);
    print(`beckon ${scenario.name}`, beckon[scenario.name]!);
  }
  await bare.stop();
  await server.stop();
  const size = measureStore(dataDir, totals.unanswered);

  const single = beckon.single!;
  const batch = beckon.batch20!;
  const ratio = single.reqPerSec / baseline.single!.reqPerSec;
  const batchRatio = batch.reqPerSec / baseline.batch20!.reqPerSec;
  // Stored = every event acknowledged by a 202 + those of requests cut off unanswered when a run stopped.
  const verified = size.events === totals.accepted + size.found;
  console.log('');
  console.log(
    `single-event POSTs: Beckon ${round(single.reqPerSec, 0)} req/s = ${round(ratio * 100, 1)} % of bare node:http` +
      ` (target ≥ 60 %)`,
  );
  console.log(
    `20-event batches: ${round(batch.eventsPerSec, 0)} events/s on one core` +
      ` (${round(batch.eventsPerCpuSec, 0)} events per CPU-second; target ≥ 50,000);` +
      ` ${round(batchRatio * 100, 1)} % of bare node:http req/s`,
  );
  console.log(
    `storage: ${round(size.bytesPerEvent, 1)} bytes per stored event, events table + indexes (${size.method};` +
      ` target ≤ 300); whole database ${round(size.dbBytesPerEvent, 1)} bytes per event` +
      ` (${size.visits} visits, ${size.pages} pages)`,
  );
  for (const [name, bytes] of Object.entries(size.objects))
    console.log(`  ${name.padEnd(28)} ${round(bytes / Math.max(1, size.events), 1)} bytes/event`);
  console.log(
    `durability check: ${size.events} events stored = ${totals.accepted} acknowledged by 202 ` +
      `(${totals.requests} requests, ${totals.duplicates} duplicates, ${totals.rejected} rejected)` +
      ` + ${size.found} of the ${totals.unanswered.length} events in requests unanswered when a run stopped: ` +
      (verified ? 'yes' : 'MISMATCH'),
  );
  if (profile) console.log(`CPU profile of the Beckon child written to ${profileDir}`);

  writeBenchResult('ingest', {
    single: compact(single),
    batch20: compact(batch),
    eventsPerSecOneCoreBatch20: round(batch.eventsPerSec, 0),
    bytesPerEvent: round(size.bytesPerEvent, 1),
    bytesPerEventMethod: size.method,
    dbBytesPerEvent: round(size.dbBytesPerEvent, 1),
    storedEvents: size.events,
    acknowledgedEvents: totals.accepted,
    unansweredStoredEvents: size.found,
    storedEqualsAcknowledged: verified,
    targets: { ratio: 0.6, eventsPerSecOneCoreBatch20: 50_000, bytesPerEvent: 300 },
    setup: { durationSec, connections, pinned: pin, cpus, node: process.version },
    baseline: { single: compact(baseline.single!), batch20: compact(baseline.batch20!) },
    ratio: round(ratio, 3),
  });
  if (!verified) process.exitCode = 1;
} finally {
  if (process.env.BENCH_KEEP_DATA === '1') console.log(`data directory kept: ${dataDir}`);
  else rmSync(dataDir, { recursive: true, force: true });
}
