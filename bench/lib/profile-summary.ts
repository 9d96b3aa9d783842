/**
 * Summarizes a V8 `.cpuprofile` (from `node --cpu-prof`, e.g. `BENCH_PROFILE=1 npm run bench:ingest`): self
 * time per function and per package or area, so "where the time goes" can be written down from numbers.
 * Usage: `node --import tsx bench/lib/profile-summary.ts <file.cpuprofile> [top=25] [fromFunction]`; with
 * `fromFunction` (e.g. `ingest`), samples before that function first runs (start-up) are left out.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileLine {
  name: string;
  ms: number;
  percent: number;
}

/** Where a frame's code lives, coarsely: a package, a Beckon package, Node internals, or V8 / GC / idle. */
export function areaOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const beckon = /packages\/([^/]+)\/src\/(.+)$/.exec(url);
  if (beckon) return `@beckon/${beckon[1]}`;
  if (url.startsWith('node:')) return url.split('/')[0]!;
  return url.replace(/^file:\/\//, '');
}

const frameName = (frame: ProfileNode['callFrame']): string => {
  const file = frame.url.replace(/^.*\/(node_modules|packages)\//, '$1/');
  return `${frame.functionName || '(anonymous)'} ${file}`.trim();
};

/**
 * Self time per function and per area, and inclusive time per function (time with the function anywhere on
 * the stack), largest first. Percentages are of busy time: idle samples are left out.
 */
export function summarizeProfile(
  profile: CpuProfile,
  /** Ignore samples before the first one with this function on its stack (e.g. skip start-up). */
  from?: string,
): {
  busyMs: number;
  idleMs: number;
  functions: ProfileLine[];
  areas: ProfileLine[];
  inclusive: ProfileLine[];
} {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const functions = new Map<string, number>();
  const areas = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const add = (m: Map<string, number>, key: string, micros: number) => m.set(key, (m.get(key) ?? 0) + micros);
  let busy = 0;
  let idle = 0;
  const stackOf = (id: number): string[] => {
    const names: string[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      names.push(byId.get(at)!.callFrame.functionName);
    }
    return names;
  };
  let started = from === undefined;
  profile.samples.forEach((id, i) => {
    if (!started) started = stackOf(id).includes(from!);
    if (!started) return;
    const dt = profile.timeDeltas[i] ?? 0;
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)') {
      idle += dt;
      return;
    }
    busy += dt;
    add(functions, frameName(frame), dt);
    add(areas, areaOf(frame.url, frame.functionName), dt);
    const onStack = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      onStack.add(frameName(byId.get(at)!.callFrame));
    }
    for (const name of onStack) add(inclusive, name, dt);
  });
  const lines = (m: Map<string, number>) =>
    [...m]
      .map(([name, micros]) => ({ name, ms: micros / 1000, percent: (micros / busy) * 100 }))
      .sort((a, b) => b.ms - a.ms);
  return {
    busyMs: busy / 1000,
    idleMs: idle / 1000,
    functions: lines(functions),
    areas: lines(areas),
    inclusive: lines(inclusive),
  };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, ''))) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: profile-summary.ts <file.cpuprofile> [top]');
  const top = Number(process.argv[3] ?? 25);
  const summary = summarizeProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, process.argv[4]);
  const { functions, areas, inclusive } = summary;
  console.log(
    `busy ${summary.busyMs.toFixed(0)} ms, idle ${summary.idleMs.toFixed(0)} ms (percentages: of busy time)`,
  );
  const show = (title: string, list: ProfileLine[]) => {
    console.log(title);
    for (const l of list.slice(0, top))
      console.log(`${l.percent.toFixed(1).padStart(6)} %  ${l.ms.toFixed(0).padStart(7)} ms  ${l.name}`);
  };
  show('self time by area', areas);
  show('\nself time by function', functions);
  show('\ninclusive time by function', inclusive);
}
