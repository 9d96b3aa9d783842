/**
 * The rules benchmark's workload (spec/rules.md §12), shared by `bench/rules.ts` and the experiments beside it: the
 * 100 rules by family, and 2^20 events pre-generated with a fixed seed (45 % PageEntered, 35 % PageExited, 20 %
 * business events over 20 names; 20 categories, 0–2 per event). Visits take the events round-robin; the caller sets
 * each event's `receivedAt` (one event per visit per 10 s of virtual time).
 */
import type { StoredEvent } from '@beckon/protocol';

/** Rule ranges of {@link rulesText} by family, to run one family alone. */
export const FAMILIES: Record<string, [number, number]> = {
  none: [0, 0],
  'biz-filters': [0, 20],
  'page-filters': [20, 40],
  counts: [40, 65],
  sequences: [65, 75],
  sets: [75, 85],
  absences: [85, 90],
  timers: [90, 95],
  facts: [95, 100],
};
/** The number after `--name` on the command line, or `def`. */
export const numberArg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};

/** The `--family` argument (a key of {@link FAMILIES}), or `undefined` for all rules. */
export function familyArg(): string | undefined {
  const i = process.argv.indexOf('--family');
  const family = i > 0 ? process.argv[i + 1] : undefined;
  if (family !== undefined && !(family in FAMILIES))
    throw new Error(`--family must be one of ${Object.keys(FAMILIES).join(', ')}`);
  return family;
}

/** Largest window or timer of the rules. */
export const MAX_WINDOW_MS = 10 * 60_000;
export const TEMPLATES = 1 << 20;
/** Event `i` is on page `i % PAGES` of its visit. */
const PAGES = 64;
export const T0 = 1_700_000_000_000;
const SEED = 0x5eed;

// deterministic generator (mulberry32)
let seed = SEED;
const rnd = (): number => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)] as T;
export const CATS = Array.from({ length: 20 }, (_, i) => `Cat${i}`);
export const NAMES = Array.from({ length: 20 }, (_, i) => `Biz${i}`);
const URLS = Array.from({ length: 50 }, (_, i) => `https://shop.example.com/section${i % 7}/item${i}`);

/** The 100 rules (or one family of them), plus `extraRules` on event names that never occur. */
export function rulesText(family?: string, extraRules = 0): string {
  const r: string[] = [];
  let k = 0;
  const rule = (head: string, body: string): void => void r.push(`rule "r${k++}" ${head}\nwhen ${body}\nend`);
  // filters: a business event on pages of one category, a page view of one product; rare, as engagement rules are
  for (let i = 0; i < 20; i++)
    rule('once per visit', `event ${NAMES[i]} in "${CATS[(i * 7) % 20]}"\nthen engage chat "N${i}"`);
  for (let i = 0; i < 20; i++)
    rule(
      'once per visit',
      `event PageEntered in "${CATS[i]}" with (url contains "/item${i + 20}")\nthen emit "C${i}"`,
    );
  for (let i = 0; i < 25; i++) {
    const d = i < 10 ? ' distinct url' : '';
    rule(
      'cooldown 30m',
      `count(event PageEntered in "${CATS[i % 20]}"${d}) within 5m >= 3\nthen engage callback "K${i}"`,
    );
  }
  for (let i = 0; i < 10; i++) {
    rule(
      'once per visit',
      `sequence(event PageEntered in "${CATS[i]}", event ${NAMES[i + 5]}, event PageEntered in "${CATS[i + 10]}") within 10m\nthen engage chat "S${i}"`,
    );
  }
  for (let i = 0; i < 10; i++) {
    rule(
      'once per visit',
      `all(event PageEntered in "${CATS[i + 3]}", event PageEntered in "${CATS[(i + 7) % 20]}", event ${NAMES[i]}) within 10m\nthen engage offer "A${i}"`,
    );
  }
  for (let i = 0; i < 5; i++)
    rule(
      'once per visit',
      `event ${NAMES[i + 10]} followed by no event ${NAMES[i + 15]} for 5m\nthen engage chat "X${i}"`,
    );
  const timers = ['idle 60s', 'idle 2m', 'dwell 30s', 'dwell 2m', 'idle 5m'];
  for (let i = 0; i < 5; i++)
    rule(
      'once per visit',
      `${timers[i]}\nwhere page.categories contains "${CATS[i]}"\nthen engage chat "T${i}"`,
    );
  for (let i = 0; i < 2; i++) rule('', `event ${NAMES[i + 2]}\nthen set fact f${i} = true`);
  for (let i = 0; i < 3; i++)
    rule(
      'once per visit',
      `event PageEntered in "${CATS[i + 15]}"\nwhere fact.f${i % 2} == true\nthen engage chat "F${i}"`,
    );
  if (family !== undefined) {
    const [from, to] = FAMILIES[family] as [number, number];
    r.splice(0, r.length, ...r.slice(from, to));
  }
  for (let i = 0; i < extraRules; i++)
    rule('once per visit', `count(event Never${i} in "${CATS[i % 20]}") within 5m >= 2\nthen emit "Z${i}"`);
  return `package default\n\n${r.join('\n\n')}\n`;
}

/** Visit ids as the tracker makes them (32 hex chars after a letter). */
export const visitIdsFor = (visits: number): string[] =>
  Array.from({ length: visits }, (_, i) => `V${i.toString(16).padStart(31, '0').toUpperCase()}`);

const HEX = '0123456789ABCDEF';

/**
 * Fresh id strings for the events of one round, because the server's JSON parsing hands the engine a new string
 * for every event: an engine that keeps ids in its windows keeps those strings, and ids shared between templates
 * would hide that memory (about 0.9 KB per visit at steady state). Event ids are numbered by the event's index in
 * the run, page ids by visit and page (so a `PageExited` names its page with an equal, not the same, string).
 * Both are flat one-byte strings of 32 hex digits, like the tracker's ids.
 */
export class FreshIds {
  readonly eventIds: string[];
  readonly pageIds: string[];
  readonly #buf = Buffer.alloc(32);

  constructor(readonly visits: number) {
    this.eventIds = new Array<string>(visits).fill('');
    this.pageIds = new Array<string>(visits).fill('');
  }

  /** Fills the ids of round `round`, for visit `v` the ids of event `round * visits + v` (its page: see {@link makeEvents}). */
  fill(round: number): void {
    for (let v = 0; v < this.visits; v++) {
      const i = round * this.visits + v;
      this.eventIds[v] = this.#id(0xe, i);
      this.pageIds[v] = this.#id(0xd, v * PAGES + (i % PAGES));
    }
  }

  /** Lets go of the last round's strings. */
  clear(): void {
    this.eventIds.fill('');
    this.pageIds.fill('');
  }

  /** `kind` as the first hex digit, `n` in the last 13, zeros between. */
  #id(kind: number, n: number): string {
    const b = this.#buf;
    b.fill(48);
    b[0] = HEX.charCodeAt(kind);
    for (let j = 31; n > 0 && j > 18; j--, n = Math.floor(n / 16)) b[j] = HEX.charCodeAt(n % 16);
    return b.toString('latin1', 0, 32);
  }
}

/** One id for every template until {@link FreshIds} gives each event its own (see `bench/rules.ts`). */
export const SHARED_ID = '0'.repeat(32);

/** The {@link TEMPLATES} events, the same on every call (the generator restarts from its seed). */
export function makeEvents(): StoredEvent[] {
  seed = SEED;
  const pageIds = Array.from(
    { length: PAGES },
    (_, i) => `P${i.toString(16).padStart(31, '0').toUpperCase()}`,
  );
  const events: StoredEvent[] = [];
  for (let i = 0; i < TEMPLATES; i++) {
    const x = rnd();
    const name = x < 0.45 ? 'PageEntered' : x < 0.8 ? 'PageExited' : pick(NAMES);
    const nc = Math.floor(rnd() * 3);
    const cats = new Set<string>();
    for (let c = 0; c < nc; c++) cats.add(pick(CATS));
    events.push({
      eventID: `E${i.toString(16).padStart(31, '0').toUpperCase()}`,
      eventType: name.startsWith('Page') ? 'SYSTEM' : 'BUSINESS',
      eventName: name,
      pageID: pageIds[i % PAGES] as string,
      visitID: '',
      globalVisitID: '',
      // doubles from the start: writing a double into a field that held a small integer would migrate every object
      timestamp: T0,
      receivedAt: T0,
      url: pick(URLS),
      languageCode: null,
      category: [...cats].join(';'),
      data: {},
      seq: null,
    });
  }
  return events;
}
