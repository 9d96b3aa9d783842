/**
 * `beckon strategy check <file.scxml>` and `beckon strategy run <file> [--events <file>] [--json]`.
 *
 * `check` prints every diagnostic with its line and exits 1 when there is an error. `run` executes the strategy
 * offline on a virtual clock, with the server's evaluator and a recording `beckon` processor, printing each
 * macrostep's configuration and sends; with `--json` each macrostep is a JSON line and the last line is
 * `{"configuration": [...], "done": true|false}`, written once the session is final, or idle with no delayed send.
 *
 * Events file: a JSON array (or JSON lines) of `{"name", "data"?, "after"?}` where `after` is the virtual delay in ms
 * before the event (timers falling due meanwhile fire first). An object `{"pacing": {...}, "events": [...]}` also
 * sets what `_x.beckon.pacing()` returns (default: one free proactive seat).
 */
import { readFile } from 'node:fs/promises';
import {
  BeckonOutbox,
  checkStrategy,
  createSession,
  VirtualTimers,
  type BeckonPlatform,
  type PacingView,
  type ScxmlSession,
} from '@beckon/core/scxml';
import { STRATEGY_LIMITS, STRATEGY_SESSION_LIMITS, createVmEvaluator } from '@beckon/server';
import type { CommandRun } from '../command.js';

const USAGE =
  'usage: beckon strategy check <file.scxml>\n       beckon strategy run <file.scxml> [--events <file>] [--json]';

/** Entry point of `beckon strategy`. */
export const run: CommandRun = async (args) => {
  const [sub, file, ...rest] = args;
  if (!file || (sub !== 'check' && sub !== 'run')) {
    console.error(USAGE);
    return 2;
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    console.error(`${file}: ${(err as Error).message}`);
    return 1;
  }
  return sub === 'check' ? check(file, text) : runStrategy(file, text, rest);
};

function check(file: string, text: string): number {
  const { diagnostics } = checkStrategy(text);
  for (const d of diagnostics) console.log(`${file}:${d.line}:${d.column}: ${d.severity}: ${d.message}`);
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  if (diagnostics.length === 0) console.log(`${file}: ok`);
  return errors > 0 ? 1 : 0;
}

interface ScriptedEvent {
  readonly name: string;
  readonly data?: unknown;
  readonly after?: number;
}

async function readEvents(file: string): Promise<{ events: ScriptedEvent[]; pacing?: Partial<PacingView> }> {
  const text = (await readFile(file, 'utf8')).trim();
  if (text === '') return { events: [] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as unknown);
  }
  if (Array.isArray(parsed)) return { events: parsed as ScriptedEvent[] };
  const obj = parsed as { events?: ScriptedEvent[]; pacing?: Partial<PacingView> };
  return { events: obj.events ?? [], pacing: obj.pacing };
}

async function runStrategy(file: string, text: string, rest: string[]): Promise<number> {
  const json = rest.includes('--json');
  const eventsAt = rest.indexOf('--events');
  const eventsFile = eventsAt >= 0 ? rest[eventsAt + 1] : undefined;
  const { document, diagnostics } = checkStrategy(text, { deployed: false });
  if (!document) {
    for (const d of diagnostics) console.error(`${file}:${d.line}:${d.column}: ${d.severity}: ${d.message}`);
    return 1;
  }
  let script: Awaited<ReturnType<typeof readEvents>>;
  try {
    script = eventsFile ? await readEvents(eventsFile) : { events: [] };
  } catch (err) {
    console.error(`${eventsFile}: ${(err as Error).message}`);
    return 1;
  }
  const pacing: PacingView = {
    freeProactive: 1,
    free: 1,
    readyAgents: 1,
    queued: 0,
    reactiveState: 1,
    ...script.pacing,
  };
  const timers = new VirtualTimers(0);
  const platform: BeckonPlatform = {
    beckon: { engagement: {}, visit: {}, pacing: () => pacing, now: () => timers.now() },
  };
  const outbox = new BeckonOutbox('cli');
  let current = 'start';
  const print = (s: ScxmlSession) => {
    const sends = outbox.take().map((a) => ({ target: a.target, params: a.params }));
    const configuration = s.configurationIds();
    if (json) console.log(JSON.stringify({ t: timers.now(), event: current, configuration, sends }));
    else {
      console.log(`[${timers.now()} ms] ${current} -> ${configuration.join(', ') || '(none)'}`);
      for (const x of sends) console.log(`    send beckon ${x.target} ${JSON.stringify(x.params)}`);
    }
  };
  const session = createSession({
    document,
    evaluator: createVmEvaluator({ timeoutMs: STRATEGY_LIMITS.evaluationTimeoutMs }),
    clock: timers,
    timers,
    sessionId: 'cli',
    ...STRATEGY_SESSION_LIMITS,
    onFault: (_s, message) => console.error(`strategy stopped: ${message}`),
    ioProcessors: { beckon: outbox },
    platform,
    onMacrostep: (s) => {
      if (s.sessionId === 'cli') print(s);
    },
    log: (label, value, line) => {
      if (!json) console.log(`    log${label ? ` ${label}` : ''} (line ${line}): ${JSON.stringify(value)}`);
    },
  });
  session.start();
  for (const ev of script.events) {
    if (!session.running) break;
    current = 'timer';
    const until = timers.now() + (ev.after ?? 0);
    for (
      let due = timers.nextDue();
      session.running && due !== undefined && due <= until;
      due = timers.nextDue()
    )
      timers.runNext();
    timers.advance(Math.max(0, until - timers.now()));
    current = ev.name;
    session.send(ev.name, ev.data);
  }
  current = 'timer';
  for (let i = 0; i < 10_000 && session.running && timers.runNext(); i++);
  const done = session.status === 'done';
  if (json) console.log(JSON.stringify({ configuration: session.configurationIds(), done }));
  else console.log(done ? 'final' : 'idle: waiting for an event, no delayed send pending');
  return 0;
}
