/**
 * Rules engine micro-benchmark (spec/rules.md §12): 100 rules over 100,000 active visits, single thread, virtual
 * clock, events pre-generated with a fixed seed (45 % PageEntered, 35 % PageExited, 20 % business events over 20
 * names; 20 categories, 0–2 per event; one event per visit per 10 s of virtual time). Prints events/s, p99
 * evaluation latency, bytes of state per visit (heap growth ÷ visits, and serialized) and the GC pauses of the
 * engine's run, next to a baseline measured in the same run: the same events through a trivial filter-only loop
 * (the 40 filter rules as plain predicates, no state). Ends with one JSON line, also written to bench/results/rules.json.
 *
 * Run: node --import tsx bench/rules.ts [--visits N] [--rounds MAX] [--seconds BUDGET] [--extra-rules K] [--family F]
 * The engine runs whole rounds until MAX rounds or BUDGET seconds; the baseline then runs the same rounds. The
 * defaults (100,000 visits × 500 rounds = 50 million events, 600 s) are the run §12 defines; it takes about 5 minutes
 * here. `--rounds 70` is the shortest run in steady state. The workload is in `lib/rules-workload.ts`.
 * `--extra-rules 1000` deploys 1,000 more rules on event names that never occur (the index acceptance test of
 * §12: throughput may drop by at most 10 %; compare with a run without it). `steadyState` says whether the
 * virtual time covered the largest window (10 min), after which state per visit stops growing. `--family F` keeps
 * only one family of the 100 rules (none, biz-filters, page-filters, counts, sequences, sets, absences, timers, facts),
 * to see what each costs over the engine's floor (`none`).
 */
import { hash } from 'node:crypto';
import { writeFileSync, mkdirSync } from 'node:fs';
import { constants as perfConstants, performance, PerformanceObserver } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { StoredEvent } from '@beckon/protocol';
import { compileRules, RuleEngine } from '@beckon/core/rules';
import type { VisitState } from '@beckon/core/rules';
import {
  CATS,
  familyArg,
  FreshIds,
  makeEvents,
  numberArg,
  MAX_WINDOW_MS,
  NAMES,
  T0,
  TEMPLATES,
  rulesText,
  SHARED_ID,
  visitIdsFor,
} from './lib/rules-workload.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const VISITS = numberArg('visits', 100_000);
/** Rounds (one event per visit, 10 s of virtual time each): at most this many, and only while within the budget. */
const MAX_ROUNDS = numberArg('rounds', 500);
const BUDGET_S = numberArg('seconds', 600);
const EXTRA_RULES = numberArg('extra-rules', 0);
const FAMILY = familyArg();

const events = makeEvents();
const visitIds = visitIdsFor(VISITS);

const compiled = compileRules(rulesText(FAMILY, EXTRA_RULES));
if (!compiled.ok || !compiled.compiled) throw new Error(JSON.stringify(compiled.errors));
const ruleCount = compiled.compiled.rules.length;

// ---- baseline: the 40 filter rules as plain predicates, no state ----
const filterRules = Array.from({ length: 40 }, (_, i) =>
  i < 20
    ? { name: NAMES[i] as string, cat: null, cat2: CATS[(i * 7) % 20] as string, needle: '' }
    : { name: 'PageEntered', cat: CATS[i - 20] as string, cat2: '', needle: `/item${i}` },
);
function runBaseline(ROUNDS: number): {
  eventsPerSec: number;
  wallEventsPerSec: number;
  events: number;
  hits: number;
} {
  let hits = 0;
  const perVisit = new Uint32Array(VISITS);
  const start = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  let n = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (let v = 0; v < VISITS; v++) {
      const ev = events[(round * VISITS + v) % TEMPLATES] as StoredEvent;
      ev.receivedAt = T0 + round * 10_000 + (v % 10_000);
      const cats = ev.category ? ev.category.split(';') : [];
      for (const f of filterRules) {
        if (
          f.cat !== null
            ? ev.eventName === 'PageEntered' && cats.includes(f.cat) && ev.url.includes(f.needle)
            : ev.eventName === f.name && cats.includes(f.cat2)
        ) {
          hits++;
          perVisit[v] = (perVisit[v] as number) + 1;
        }
      }
      n++;
    }
  }
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  return {
    eventsPerSec: Math.round(n / ((cpu.user + cpu.system) / 1e6)),
    wallEventsPerSec: Math.round(n / secs),
    events: n,
    hits,
  };
}

/** Garbage-collection pauses (start, duration in ms, major or not), for the GC share of the engine's run. */
const gcPauses: { start: number; ms: number; major: boolean }[] = [];
const gcObserver = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const kind = (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
    gcPauses.push({
      start: e.startTime,
      ms: e.duration,
      major: kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR,
    });
  }
});
gcObserver.observe({ entryTypes: ['gc'] });
/** `performance.now()` at the start and end of the engine's measured loop. */
const engineWindow = { from: 0, to: 0 };

function runEngine(): {
  rounds: number;
  virtualMinutes: number;
  steadyState: boolean;
  eventsPerSec: number;
  wallEventsPerSec: number;
  events: number;
  actionable: number;
  p99LatencyUs: number;
  bytesPerVisitHeap: number;
  bytesPerVisitSerialized: number;
} {
  // configured as the server's RuleHost runs it: ids hashed by node:crypto's one-shot `hash`
  const engine = new RuleEngine({
    packages: [compiled.compiled as NonNullable<typeof compiled.compiled>],
    sha256: (text) => hash('sha256', text, 'hex'),
  });
  // every event gets fresh id strings, as from the server's JSON parsing; the templates hold one shared id
  // before and after the run, so the heap growth counts only the strings the engine keeps
  const ids = new FreshIds(VISITS);
  const shareIds = (): void => {
    for (const ev of events) ev.eventID = ev.pageID = SHARED_ID;
    ids.clear();
  };
  shareIds();
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const states: VisitState[] = visitIds.map((id) => engine.newVisit(id, id));
  const samples: number[] = [];
  let actionable = 0;
  let n = 0;
  // engine time only: the ids of each round are made before its clocks start
  let secs = 0;
  let cpuMicros = 0;
  engineWindow.from = performance.now();
  let round = 0;
  for (; round < MAX_ROUNDS && secs < BUDGET_S; round++) {
    ids.fill(round);
    const start = process.hrtime.bigint();
    const cpu0 = process.cpuUsage();
    for (let v = 0; v < VISITS; v++) {
      const ev = events[(round * VISITS + v) % TEMPLATES] as StoredEvent;
      ev.receivedAt = T0 + round * 10_000 + (v % 10_000);
      ev.eventID = ids.eventIds[v] as string;
      ev.pageID = ids.pageIds[v] as string;
      const vs = states[v] as VisitState;
      if ((n & 255) === 0) {
        const t0 = process.hrtime.bigint();
        actionable += engine.onEvent(vs, ev).length;
        samples.push(Number(process.hrtime.bigint() - t0) / 1000);
      } else actionable += engine.onEvent(vs, ev).length;
      n++;
    }
    const cpu = process.cpuUsage(cpu0);
    cpuMicros += cpu.user + cpu.system;
    secs += Number(process.hrtime.bigint() - start) / 1e9;
  }
  engineWindow.to = performance.now();
  shareIds();
  gc();
  const heapAfter = process.memoryUsage().heapUsed;
  samples.sort((a, b) => a - b);
  let serialized = 0;
  const sample = Math.min(1000, VISITS);
  for (let v = 0; v < sample; v++) serialized += engine.serialize(states[v] as VisitState).length;
  return {
    rounds: round,
    virtualMinutes: (round * 10) / 60,
    steadyState: round * 10_000 >= MAX_WINDOW_MS,
    // per core: events per second of this thread's CPU time (the machines here are shared; wall time is beside it)
    eventsPerSec: Math.round(n / (cpuMicros / 1e6)),
    wallEventsPerSec: Math.round(n / secs),
    events: n,
    actionable,
    p99LatencyUs: Math.round((samples[Math.floor(samples.length * 0.99)] ?? 0) * 100) / 100,
    bytesPerVisitHeap: Math.round((heapAfter - heapBefore) / VISITS),
    bytesPerVisitSerialized: Math.round(serialized / sample),
  };
}

console.log(
  `rules bench: ${ruleCount} rules${FAMILY ? ` (family ${FAMILY})` : ''}, ${VISITS} visits, up to ${MAX_ROUNDS} rounds or ${BUDGET_S} s of engine time`,
);
const r = runEngine();
console.log(
  `engine: ${r.events.toLocaleString()} events in ${r.rounds} rounds (${r.virtualMinutes.toFixed(1)} min of virtual time; ${r.steadyState ? 'steady state' : 'windows still filling: state per visit not yet at its steady size'})`,
);
console.log(
  `engine: ${r.eventsPerSec.toLocaleString()} events/s per core (CPU time; ${r.wallEventsPerSec.toLocaleString()}/s wall), p99 ${r.p99LatencyUs} µs`,
);
const baseline = runBaseline(r.rounds);
console.log(
  `baseline (filter-only loop, same events): ${baseline.eventsPerSec.toLocaleString()} events/s per core`,
);
console.log(
  `state per visit: ${r.bytesPerVisitHeap} B heap, ${r.bytesPerVisitSerialized} B serialized; ${r.actionable} actionable events`,
);
const result = {
  bench: 'rules',
  rules: ruleCount,
  family: FAMILY ?? 'all',
  visits: VISITS,
  ...r,
  targets: { eventsPerSec: 1_000_000, bytesPerVisit: 1024 },
  baseline: {
    eventsPerSec: baseline.eventsPerSec,
    wallEventsPerSec: baseline.wallEventsPerSec,
    events: baseline.events,
  },
  ratio: Math.round((r.eventsPerSec / baseline.eventsPerSec) * 1000) / 1000,
};
console.log(`engine / baseline = ${result.ratio}`);
// GC entries arrive after the synchronous loops, on a later turn: let the observer deliver them, keep the engine's
await new Promise((resolve) => setTimeout(resolve, 50));
gcObserver.disconnect();
const inEngine = gcPauses.filter((p) => p.start >= engineWindow.from && p.start < engineWindow.to);
const gcMs = inEngine.reduce((sum, p) => sum + p.ms, 0);
const gcShare = Math.round((gcMs / (engineWindow.to - engineWindow.from)) * 1000) / 1000;
const gcSummary = {
  pauses: inEngine.length,
  major: inEngine.filter((p) => p.major).length,
  ms: Math.round(gcMs),
  share: gcShare,
};
console.log(
  `GC during the engine run: ${gcSummary.pauses} pauses (${gcSummary.major} major), ${gcSummary.ms} ms = ${(gcShare * 100).toFixed(1)} % of its wall time`,
);
Object.assign(result, { gc: gcSummary });
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL(`./results/rules${FAMILY ? `-${FAMILY}` : ''}.json`, import.meta.url),
  JSON.stringify(result) + '\n',
);
console.log(JSON.stringify(result));
