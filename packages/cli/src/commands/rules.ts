/**
 * `beckon rules check <files>` compiles rule packages and prints each error as `file:line:col: message`;
 * `beckon rules test <files> --events <recorded.jsonl>` replays a recorded event stream (one StoredEvent per line,
 * e.g. from `beckon events export`) through the packages on a virtual clock — timers fire between events at their
 * deadlines — and prints every actionable event with its rule and triggering events. Lets a rule author test a
 * package before deploying it. `args` are the words after `rules`.
 */
import { readFile } from 'node:fs/promises';
import type { StoredEvent } from '@beckon/protocol';
import type { ActionableEvent, CompiledPackage, RuleDiagnostic, VisitState } from '@beckon/core/rules';
import { compileRules, RuleEngine } from '@beckon/core/rules';
import type { CommandRun } from '../command.js';
import { parseCommandArgs } from '../args.js';

const USAGE = `usage:
  beckon rules check <files...>
  beckon rules test <files...> --events <recorded.jsonl> [--json] [--domain-separation] [--until <ms>]`;

const where = (file: string, d: RuleDiagnostic): string =>
  d.line !== undefined
    ? `${file}:${d.line}:${d.column ?? 1}`
    : `${file}${d.path !== undefined ? `#${d.path}` : ''}`;

/** Compiles every file (text, or JSON AST when it ends in .json); prints diagnostics. */
async function compileAll(files: string[], print: (line: string) => void): Promise<CompiledPackage[] | null> {
  const out: CompiledPackage[] = [];
  let failed = false;
  for (const file of files) {
    let source: string;
    try {
      source = await readFile(file, 'utf8');
    } catch (e) {
      print(`${file}: cannot read: ${(e as Error).message}`);
      failed = true;
      continue;
    }
    let input: unknown = source;
    if (file.endsWith('.json')) {
      try {
        input = JSON.parse(source);
      } catch (e) {
        print(`${file}: invalid JSON: ${(e as Error).message}`);
        failed = true;
        continue;
      }
    }
    const r = compileRules(input);
    for (const e of r.errors) print(`${where(file, e)}: ${e.message}`);
    for (const w of r.warnings) print(`${where(file, w)}: warning: ${w.message}`);
    if (!r.ok || !r.compiled) failed = true;
    else out.push(r.compiled);
  }
  return failed ? null : out;
}

function readEvents(text: string, file: string): StoredEvent[] {
  const events: StoredEvent[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      events.push(JSON.parse(line) as StoredEvent);
    } catch (e) {
      throw new Error(`${file}:${i + 1}: invalid JSON line: ${(e as Error).message}`);
    }
  });
  return events;
}

/**
 * Replays events (per visit, in `receivedAt` order, stable) on a virtual clock: before each event, timers due
 * before it fire at their deadlines; after the last event of a visit, timers up to `until` fire.
 */
export function replayEvents(engine: RuleEngine, events: StoredEvent[], until?: number): ActionableEvent[] {
  const states = new Map<string, VisitState>();
  const out: ActionableEvent[] = [];
  const ordered = events
    .map((e, i) => [e, i] as const)
    .sort((a, b) => a[0].receivedAt - b[0].receivedAt || a[1] - b[1]);
  let last = -Infinity;
  for (const [e] of ordered) {
    last = Math.max(last, e.receivedAt);
    let vs = states.get(e.visitID);
    if (!vs) states.set(e.visitID, (vs = engine.newVisit(e.visitID, e.globalVisitID)));
    // other visits' timers due before this event fire first, so the output is in time order
    for (const other of states.values()) {
      let d = engine.nextDeadline(other);
      while (d !== null && d < e.receivedAt) {
        out.push(...engine.fireTimers(other, d));
        d = engine.nextDeadline(other);
      }
    }
    out.push(...engine.onEvent(vs, e));
  }
  const end = until ?? last + 24 * 3_600_000;
  const rest: ActionableEvent[] = [];
  for (const vs of states.values()) rest.push(...engine.fireTimers(vs, end));
  return out.concat(rest.sort((a, b) => a.timestamp - b.timestamp));
}

export const run: CommandRun = async (args) => {
  const [sub, ...rest] = args;
  if (sub !== 'check' && sub !== 'test') {
    console.error(USAGE);
    return 2;
  }
  let parsed;
  try {
    parsed = parseCommandArgs(rest, {
      events: { type: 'string' },
      json: { type: 'boolean' },
      'domain-separation': { type: 'boolean' },
      until: { type: 'string' },
    });
  } catch (e) {
    console.error(`beckon rules: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (positionals.length === 0) {
    console.error(USAGE);
    return 2;
  }
  const json = values.json === true;
  const packages = await compileAll(positionals, (line) => (json ? console.error(line) : console.log(line)));
  if (packages === null) return 1;
  if (sub === 'check') {
    if (json)
      console.log(
        JSON.stringify({
          ok: true,
          packages: packages.map((p) => ({ name: p.name, rules: p.rules.length })),
        }),
      );
    else console.log(`ok: ${packages.map((p) => `${p.name} (${p.rules.length} rules)`).join(', ')}`);
    return 0;
  }
  if (typeof values.events !== 'string') {
    console.error(`beckon rules test: --events <recorded.jsonl> is required\n${USAGE}`);
    return 2;
  }
  let events: StoredEvent[];
  try {
    events = readEvents(await readFile(values.events, 'utf8'), values.events);
  } catch (e) {
    console.error(`beckon rules test: ${(e as Error).message}`);
    return 1;
  }
  const engine = new RuleEngine({ packages, domainSeparation: values['domain-separation'] === true });
  const until = typeof values.until === 'string' ? Number(values.until) : undefined;
  const out = replayEvents(engine, events, until);
  if (json) {
    for (const a of out) console.log(JSON.stringify(a));
  } else {
    for (const a of out) {
      const what = a.engagement
        ? `engage ${a.engagement.channel} "${a.name}" queue ${a.engagement.queue} priority ${a.engagement.priority}`
        : `emit "${a.name}"`;
      console.log(
        `${new Date(a.timestamp).toISOString()} ${a.visitID} ${a.ruleId}: ${what} data ${JSON.stringify(a.data)} <- ${a.triggeringEventIDs.join(', ')}`,
      );
    }
    console.log(`${out.length} actionable event${out.length === 1 ? '' : 's'} from ${events.length} events`);
  }
  return 0;
};
