/**
 * What the rules host writes per event (packages/server/src/rules/snapshots.ts): the benchmark's 100 rules
 * (spec/rules.md §12) over the server's `RuleHost`, once writing the visit's state after every evaluation point (the
 * baseline, as before snapshots with replay) and once with a replay source, writing only when it must. Both runs
 * see the same events in the same process and must fire the same actionable events. Prints state writes and bytes
 * per event, and host CPU time per event, of each, and their ratios; writes bench/results/rules-snapshots.json.
 *
 * Run: node --import tsx bench/rules-snapshots.ts [--visits N] [--rounds R]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import type { StoredEvent } from '@beckon/protocol';
import { RuleHost } from '../packages/server/src/rules/rule-host.js';
import { MemoryRuleStateStore } from '../packages/server/src/rules/rule-state-store.js';
import type { RuleStateRecord } from '../packages/server/src/rules/rule-state-store.js';
import { FakeClock } from '../packages/server/src/rules/fake-clock.js';
import { makeEvents, numberArg, rulesText, T0, TEMPLATES, visitIdsFor } from './lib/rules-workload.js';

const VISITS = numberArg('visits', 2_000);
const ROUNDS = numberArg('rounds', 70);
const templates = makeEvents();
const visitIds = visitIdsFor(VISITS);

interface Run {
  writesPerEvent: number;
  bytesPerEvent: number;
  cpuUsPerEvent: number;
  actionable: number;
}

/** Counts what the host writes; keeps only the latest state per visit, as the SQL store does. */
class CountingStore extends MemoryRuleStateStore {
  writes = 0;
  bytes = 0;
  override async save(visitId: string, record: RuleStateRecord): Promise<void> {
    this.writes++;
    this.bytes += record.state.length;
    await super.save(visitId, record);
  }
}

async function run(replay: boolean): Promise<Run> {
  const clock = new FakeClock(T0);
  const store = new CountingStore();
  const log = new Map<string, StoredEvent[]>();
  let actionable = 0;
  const host = new RuleHost({
    store,
    clock,
    onActionable: (_v, events) => void (actionable += events.length),
    ...(replay
      ? {
          eventsAfter: async (visitId: string, after: string) => {
            const mine = log.get(visitId) ?? [];
            const at = mine.findIndex((e) => e.eventID === after);
            return at < 0 ? [] : mine.slice(at + 1);
          },
        }
      : {}),
  });
  await host.deploy('default', rulesText());
  let events = 0;
  let cpu = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (let v = 0; v < VISITS; v++) {
      const i = round * VISITS + v;
      const t = templates[i % TEMPLATES] as StoredEvent;
      const e: StoredEvent = {
        ...t,
        eventID: `E${i.toString(16).toUpperCase().padStart(31, '0')}`,
        visitID: visitIds[v] as string,
        globalVisitID: visitIds[v] as string,
        receivedAt: T0 + round * 10_000 + (v % 10_000),
      };
      const list = log.get(e.visitID) ?? [];
      list.push(e);
      log.set(e.visitID, list);
      const c0 = process.cpuUsage();
      await host.onEvent(e);
      const c = process.cpuUsage(c0);
      cpu += c.user + c.system;
      events++;
    }
  }
  host.stop();
  return {
    writesPerEvent: store.writes / events,
    bytesPerEvent: store.bytes / events,
    cpuUsPerEvent: cpu / events,
    actionable,
  };
}

const fmt = (r: Run) =>
  `${r.writesPerEvent.toFixed(3)} writes/event, ${Math.round(r.bytesPerEvent)} B/event, ${r.cpuUsPerEvent.toFixed(1)} µs CPU/event, ${r.actionable} actionable`;
const every = await run(false);
const policy = await run(true);
console.log(`rules snapshots: 100 rules, ${VISITS} visits × ${ROUNDS} rounds`);
console.log(`baseline (state after every evaluation point): ${fmt(every)}`);
console.log(`snapshots with replay:                          ${fmt(policy)}`);
const same = every.actionable === policy.actionable;
const ratio = Math.round((policy.bytesPerEvent / every.bytesPerEvent) * 1000) / 1000;
const cpuRatio = Math.round((policy.cpuUsPerEvent / every.cpuUsPerEvent) * 1000) / 1000;
console.log(`bytes written: ${ratio} of the baseline; CPU: ${cpuRatio}; same actionable events: ${same}`);
const result = {
  bench: 'rules-snapshots',
  visits: VISITS,
  rounds: ROUNDS,
  policy,
  baseline: every,
  ratio,
  cpuRatio,
  same,
};
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/rules-snapshots.json', import.meta.url), JSON.stringify(result) + '\n');
console.log(JSON.stringify(result));
if (!same) process.exitCode = 1;
