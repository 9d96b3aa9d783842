/**
 * Experiment for the rules engine's next design (docs/benchmarks.md, "fifth pass"): how fast the benchmark's 25
 * count rules run when evaluated by code specialised for them — state in typed arrays at fixed offsets, no
 * component dispatch, no packed-segment walk — next to the engine on the same events in the same process. Both
 * must produce the same actionable events (compared by id, which hashes rule, visit, time and triggering events);
 * the run fails otherwise. The ratio is the headroom a rule-set-specialised evaluator would have for this family.
 *
 * Run: node --import tsx bench/rules-specialised.ts [--visits N] [--rounds R]
 */
import { createHash, hash } from 'node:crypto';
import type { StoredEvent } from '@beckon/protocol';
import { compileRules, RuleEngine } from '@beckon/core/rules';
import { CATS, FAMILIES, makeEvents, rulesText, T0, TEMPLATES, visitIdsFor } from './lib/rules-workload.js';

const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const VISITS = arg('visits', 20_000);
const ROUNDS = arg('rounds', 70);
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
  const compiled = compileRules(rulesText('counts'));
  if (!compiled.ok || !compiled.compiled) throw new Error(JSON.stringify(compiled.errors));
  const engine = new RuleEngine({ packages: [compiled.compiled], sha256: (t) => hash('sha256', t, 'hex') });
  const states = visitIds.map((id) => engine.newVisit(id, id));
  return measure((v, ev, ids) => {
    for (const ae of engine.onEvent(states[v] as (typeof states)[number], ev)) ids.push(ae.id);
  });
}

// ---- the 25 count rules of rulesText, specialised: `count(event PageEntered in "Cat<i % 20>"[ distinct url]) within 5m
// >= 3`, cooldown 30m, rule i named r<40 + i>. Each rule keeps its last 3 entries (time, url id, event id). ----
const RULES = 25;
const FIRST_RANK = (FAMILIES.counts as [number, number])[0];
const MIN = 3;
const WITHIN_MS = 5 * 60_000;
const COOLDOWN_MS = 30 * 60_000;
const distinct = (r: number): boolean => r < 10;

class CountState {
  t0 = 0;
  n = 0;
  readonly time = new Int32Array(RULES * MIN);
  readonly url = new Int32Array(RULES * MIN);
  readonly ids: (string | null)[] = new Array<string | null>(RULES * MIN).fill(null);
  readonly len = new Uint8Array(RULES);
  readonly fired = new Int32Array(RULES).fill(-(2 ** 30));
}

function runSpecialised(): Run {
  const candidates = new Map<string, Int32Array>();
  const candidatesOf = (category: string): Int32Array => {
    let list = candidates.get(category);
    if (list !== undefined) return list;
    const cats = category.split(';');
    const rules: number[] = [];
    for (let r = 0; r < RULES; r++) if (cats.includes(CATS[r % 20] as string)) rules.push(r);
    candidates.set(category, (list = Int32Array.from(rules)));
    return list;
  };
  const urlIds = new Map<string, number>();
  const urlId = (url: string): number => {
    let id = urlIds.get(url);
    if (id === undefined) urlIds.set(url, (id = urlIds.size));
    return id;
  };
  const states = visitIds.map(() => new CountState());
  return measure((v, ev, out) => {
    const vs = states[v] as CountState;
    if (vs.n++ === 0) vs.t0 = ev.receivedAt;
    if (ev.eventName !== 'PageEntered' || !ev.category) return;
    const rt = (ev.receivedAt - vs.t0) | 0;
    const list = candidatesOf(ev.category);
    for (let c = 0; c < list.length; c++) {
      const r = list[c] as number;
      const b = r * MIN;
      const u = distinct(r) ? urlId(ev.url) : -1;
      // keep the entries inside the window (and, with distinct, not of this url), then append this event
      let n = 0;
      for (let x = 0; x < (vs.len[r] as number); x++) {
        if ((vs.time[b + x] as number) < rt - WITHIN_MS || (u >= 0 && vs.url[b + x] === u)) continue;
        vs.time[b + n] = vs.time[b + x] as number;
        vs.url[b + n] = vs.url[b + x] as number;
        vs.ids[b + n++] = vs.ids[b + x] as string;
      }
      vs.time[b + n] = rt;
      vs.url[b + n] = u;
      vs.ids[b + n++] = ev.eventID;
      if (n < MIN) {
        vs.len[r] = n;
        continue;
      }
      // complete: fire unless in cooldown; either way every entry is consumed (spec/rules.md §8.6, §8.8)
      const ids = [vs.ids[b], vs.ids[b + 1], vs.ids[b + 2]] as string[];
      if (rt - (vs.fired[r] as number) >= COOLDOWN_MS) {
        vs.fired[r] = rt;
        const ruleId = `default/r${FIRST_RANK + r}`;
        const t = vs.t0 + rt;
        const id = hash('sha256', `${ruleId}\n${visitIds[v]}\n${t}\n${ids.join(',')}`, 'hex')
          .slice(0, 32)
          .toUpperCase();
        const actionable = {
          id,
          name: `K${r}`,
          ruleId,
          rulePackage: 'default',
          visitID: visitIds[v],
          globalVisitID: visitIds[v],
          pageID: ev.pageID,
          timestamp: t,
          engagement: { channel: 'callback', queue: 'default', priority: 50 },
          data: {},
          triggeringEventIDs: ids,
          identityId: null,
          categories: ev.category.split(';'),
        };
        out.push(actionable.id);
      }
      vs.ids.fill(null, b, b + MIN);
      vs.len[r] = 0;
    }
  });
}

// alternated, twice each, the faster run of each kept: neither side gets all the JIT warm-up or a quiet moment
const best = (a: Run, b: Run): Run => (b.eventsPerSec > a.eventsPerSec ? b : a);
let engine = runEngine();
let specialised = runSpecialised();
engine = best(engine, runEngine());
specialised = best(specialised, runSpecialised());
console.log(
  `engine (family counts): ${engine.eventsPerSec.toLocaleString()} events/s, ${engine.actionable} actionable`,
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
