/**
 * Experiment for the rules engine's next design (docs/benchmarks.md, "fifth pass"): the benchmark's rules evaluated
 * by code written for exactly them (`lib/specialised-rules.ts`: state in typed arrays at fixed offsets, category
 * bit masks, no component dispatch, no packed state), next to the engine on the same events in the same process.
 * Both must produce the same actionable events (compared by id, which hashes rule, visit, time and triggering
 * events); the run fails otherwise. The ratio is the most a rule-set compiler could gain on this workload.
 *
 * Run: node --import tsx bench/rules-specialised.ts [--visits N] [--rounds R] [--family F]
 */
import { createHash, hash } from 'node:crypto';
import type { StoredEvent } from '@beckon/protocol';
import { compileRules, RuleEngine } from '@beckon/core/rules';
import {
  familyArg,
  FAMILIES,
  makeEvents,
  numberArg,
  rulesText,
  T0,
  TEMPLATES,
  visitIdsFor,
} from './lib/rules-workload.js';
import { SpecialisedRules, SpecialisedVisit } from './lib/specialised-rules.js';

const VISITS = numberArg('visits', 20_000);
const ROUNDS = numberArg('rounds', 70);
const FAMILY = familyArg();
const events = makeEvents();
const visitIds = visitIdsFor(VISITS);

/** Events per second of this process's CPU time, and a digest of the actionable event ids. */
interface Run {
  eventsPerSec: number;
  actionable: number;
  digest: string;
}

function measure(onEvent: (v: number, ev: StoredEvent, ids: string[]) => void): Run {
  const ids: string[] = [];
  const cpu0 = process.cpuUsage();
  for (let round = 0; round < ROUNDS; round++)
    for (let v = 0; v < VISITS; v++) {
      const ev = events[(round * VISITS + v) % TEMPLATES] as StoredEvent;
      ev.receivedAt = T0 + round * 10_000 + (v % 10_000);
      onEvent(v, ev, ids);
    }
  const cpu = process.cpuUsage(cpu0);
  const digest = createHash('sha256').update(ids.sort().join(',')).digest('hex').slice(0, 16);
  return {
    eventsPerSec: Math.round((VISITS * ROUNDS) / ((cpu.user + cpu.system) / 1e6)),
    actionable: ids.length,
    digest,
  };
}

function runEngine(): Run {
  const compiled = compileRules(rulesText(FAMILY));
  if (!compiled.ok || !compiled.compiled) throw new Error(JSON.stringify(compiled.errors));
  const engine = new RuleEngine({ packages: [compiled.compiled], sha256: (t) => hash('sha256', t, 'hex') });
  const states = visitIds.map((id) => engine.newVisit(id, id));
  return measure((v, ev, ids) => {
    for (const ae of engine.onEvent(states[v] as (typeof states)[number], ev)) ids.push(ae.id);
  });
}

function runSpecialised(): Run {
  const [from, to] = FAMILY === undefined ? [0, 100] : (FAMILIES[FAMILY] as [number, number]);
  const rules = new SpecialisedRules(from, to, (t) => hash('sha256', t, 'hex'));
  const states = visitIds.map(() => new SpecialisedVisit());
  return measure((v, ev, ids) => {
    for (const ae of rules.onEvent(states[v] as SpecialisedVisit, visitIds[v] as string, ev)) ids.push(ae.id);
  });
}

// alternated, twice each, the faster run of each kept: neither side gets all the JIT warm-up or a quiet moment
const best = (a: Run, b: Run): Run => (b.eventsPerSec > a.eventsPerSec ? b : a);
let engine = runEngine();
let specialised = runSpecialised();
engine = best(engine, runEngine());
specialised = best(specialised, runSpecialised());
console.log(
  `engine${FAMILY ? ` (family ${FAMILY})` : ''}: ${engine.eventsPerSec.toLocaleString()} events/s, ${engine.actionable} actionable`,
);
console.log(
  `specialised code:       ${specialised.eventsPerSec.toLocaleString()} events/s, ${specialised.actionable} actionable`,
);
const same = engine.digest === specialised.digest && engine.actionable === specialised.actionable;
const ratio = Math.round((specialised.eventsPerSec / engine.eventsPerSec) * 100) / 100;
console.log(`specialised / engine = ${ratio}; same actionable events: ${same}`);
console.log(
  JSON.stringify({
    bench: 'rules-specialised',
    visits: VISITS,
    rounds: ROUNDS,
    engine,
    specialised,
    ratio,
    same,
  }),
);
if (!same) process.exitCode = 1;
