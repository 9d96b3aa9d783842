/**
 * bench:scxml — events per second through the default engagement strategy for 10,000 sessions, and heap bytes per
 * idle session, next to the same machine hand-coded as a `switch` in the same run.
 *
 * Each session lives through actionable → invite.accepted → chat.ended (three macrosteps with beckon sends, on the
 * server's vm evaluator); events are interleaved across sessions as production traffic is. Idle memory is measured
 * with 10,000 sessions parked in `deciding` (waiting for capacity). Throughput is events per CPU-second of this
 * process (the machines here are shared; wall time is too noisy), best of several rounds.
 * Run: node --import tsx bench/scxml.ts
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  BeckonOutbox,
  createSession,
  loadScxml,
  SessionSystem,
  VirtualTimers,
  type BeckonPlatform,
  type ScxmlSession,
} from '@beckon/core/scxml';
import { createVmEvaluator } from '../packages/server/src/scxml/vm-evaluator.js';

const N = 10_000;
const ROUNDS = Number(process.env['SCXML_BENCH_ROUNDS'] ?? 20);

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const doc = loadScxml(
  readFileSync(new URL('../packages/server/src/scxml/strategies/default.scxml', import.meta.url), 'utf8'),
).document!;
const evaluator = createVmEvaluator();
const timers = new VirtualTimers();
const pacing = { freeProactive: 1, free: 1, readyAgents: 1, queued: 0, reactiveState: 1 };
const platform: BeckonPlatform = {
  beckon: { engagement: {}, visit: {}, pacing: () => pacing, now: () => timers.now() },
};
const actionable = { ruleId: 'shop/cart', engagement: { channel: 'chat', queue: 'sales', name: 'CartHelp' } };
const accepted = { engagementId: 'x', at: 1 };
const endedData = { connected: true, reason: 'agent' };
let actionsOut = 0;

function makeSessions(
  system: SessionSystem,
  round: number,
): { sessions: ScxmlSession[]; outboxes: BeckonOutbox[] } {
  const sessions: ScxmlSession[] = [];
  const outboxes: BeckonOutbox[] = [];
  for (let i = 0; i < N; i++) {
    const id = `E${round}-${i}`;
    const outbox = new BeckonOutbox(id);
    const s = createSession({
      document: doc,
      evaluator,
      clock: timers,
      timers,
      system,
      sessionId: id,
      ioProcessors: { beckon: outbox },
      platform,
    });
    s.start();
    sessions.push(s);
    outboxes.push(outbox);
  }
  return { sessions, outboxes };
}

function scxmlRound(round: number): { events: number; ms: number } {
  const system = new SessionSystem();
  const { sessions, outboxes } = makeSessions(system, round);
  const steps: [string, unknown][] = [
    ['actionable', actionable],
    ['invite.accepted', accepted],
    ['chat.ended', endedData],
  ];
  gc(); // creation is not timed; neither is collecting what it left behind
  const t0 = process.cpuUsage();
  for (const [name, data] of steps) {
    for (let i = 0; i < N; i++) {
      sessions[i]!.send(name, data);
      actionsOut += outboxes[i]!.take().length;
    }
  }
  const ms = cpuMs(t0);
  for (const s of sessions)
    if (s.status !== 'done') throw new Error(`session ended in ${s.atomicIds().join()}`);
  return { events: N * steps.length, ms };
}

/** The default strategy written by hand: the baseline. */
class SwitchStrategy {
  state: 'start' | 'deciding' | 'inviting' | 'waitEnd' | 'end' = 'start';
  ae: typeof actionable | null = null;
  constructor(readonly out: { target: string; params: unknown }[]) {}
  private decide(): void {
    const e = this.ae!.engagement;
    if (e.channel === 'offer' || platform.beckon.pacing(e.channel, e.queue).freeProactive > 0) {
      this.state = 'inviting';
      this.out.push({ target: 'invite', params: { timeoutSec: 30 } });
    }
  }
  handle(name: string, data: unknown): void {
    if (name === 'visit.ended' || name === 'error.communication') {
      this.state = 'end';
      return;
    }
    switch (this.state) {
      case 'start':
        if (name === 'actionable') {
          this.ae = data as typeof actionable;
          this.state = 'deciding';
          this.decide();
        }
        return;
      case 'deciding':
        if (name === 'agent.available') this.decide();
        else if (name === 'engagement.expired') {
          this.out.push({ target: 'outcome', params: { code: 'noCapacity' } });
          this.state = 'end';
        }
        return;
      case 'inviting': {
        const channel = this.ae!.engagement.channel;
        if (name === 'invite.accepted') {
          if (channel === 'chat') this.out.push({ target: 'chat.start', params: {} });
          else if (channel === 'callback') this.out.push({ target: 'callback.create', params: {} });
          else this.out.push({ target: 'outcome', params: { code: 'accepted' } });
          this.state = channel === 'chat' || channel === 'callback' ? 'waitEnd' : 'end';
        } else if (name === 'invite.refused' || name === 'invite.timeout') {
          this.out.push({
            target: 'outcome',
            params: { code: name === 'invite.refused' ? 'refused' : 'timeout' },
          });
          this.state = 'end';
        }
        return;
      }
      case 'waitEnd':
        if (name === 'chat.ended') {
          const connected = (data as { connected: boolean }).connected;
          this.out.push({ target: 'outcome', params: { code: connected ? 'completed' : 'abandoned' } });
          this.state = 'end';
        } else if (name === 'callback.done') this.state = 'end';
        return;
      case 'end':
        return;
    }
  }
}

function switchRound(): { events: number; ms: number } {
  const machines: SwitchStrategy[] = [];
  for (let i = 0; i < N; i++) machines.push(new SwitchStrategy([]));
  const steps: [string, unknown][] = [
    ['actionable', actionable],
    ['invite.accepted', accepted],
    ['chat.ended', endedData],
  ];
  gc();
  const t0 = process.cpuUsage();
  for (const [name, data] of steps) {
    for (let i = 0; i < N; i++) {
      const m = machines[i]!;
      m.handle(name, data);
      actionsOut += m.out.length;
      m.out.length = 0;
    }
  }
  return { events: N * steps.length, ms: cpuMs(t0) };
}

/** CPU time (user + system) of this process since `start`, in ms: per-core cost, robust to a busy machine. */
function cpuMs(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

function best(run: (round: number) => { events: number; ms: number }): number {
  let top = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const { events, ms } = run(r);
    top = Math.max(top, events / (ms / 1000));
  }
  return Math.round(top);
}

function idleBytes(make: () => unknown): number {
  gc();
  const before = process.memoryUsage().heapUsed;
  const keep = make();
  gc();
  const after = process.memoryUsage().heapUsed;
  if (!keep) throw new Error('unreachable');
  return Math.round((after - before) / N);
}

const eventsPerSec = best(scxmlRound);
const switchPerSec = best(() => switchRound());

pacing.freeProactive = 0; // parks every session in `deciding`, waiting for capacity
const scxmlIdle = idleBytes(() => {
  const system = new SessionSystem();
  const { sessions, outboxes } = makeSessions(system, 99);
  for (const s of sessions)
    s.send('actionable', { ruleId: 'shop/cart', engagement: { channel: 'chat', queue: 'sales' } });
  if (sessions.some((s) => s.atomicIds()[0] !== 'deciding')) throw new Error('sessions not idle in deciding');
  return [sessions, outboxes, system];
});
const switchIdle = idleBytes(() => {
  const machines: SwitchStrategy[] = [];
  for (let i = 0; i < N; i++) {
    const m = new SwitchStrategy([]);
    m.handle('actionable', { ruleId: 'shop/cart', engagement: { channel: 'chat', queue: 'sales' } });
    machines.push(m);
  }
  return machines;
});

const ratio = Number((eventsPerSec / switchPerSec).toFixed(4));
console.log(
  `SCXML default strategy, ${N} sessions: ${eventsPerSec.toLocaleString('en')} events/s (target >= 300,000)`,
);
console.log(`hand-coded switch, same machine:        ${switchPerSec.toLocaleString('en')} events/s`);
console.log(
  `idle session: ${scxmlIdle} B (target <= 4096); switch: ${switchIdle} B; actions produced: ${actionsOut}`,
);
const result = {
  bench: 'scxml',
  sessions: N,
  eventsPerSec,
  bytesPerIdleSession: scxmlIdle,
  baseline: { eventsPerSec: switchPerSec, bytesPerIdleSession: switchIdle },
  ratio,
};
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/scxml.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result));
