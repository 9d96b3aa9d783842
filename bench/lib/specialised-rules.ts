/**
 * The benchmark's 100 rules (`rulesText` in rules-workload.ts) evaluated by code written for exactly them: what a
 * rule-set compiler could emit. Per visit, fixed fields and typed arrays at fixed offsets; category membership as a
 * bit mask; no component dispatch, no packed state, no completion objects. It follows spec/rules.md §8 as the
 * engine does (the same windows, set and sequence matching, consumption, refraction, timers fired before the event
 * that passes their deadline), so both produce the same actionable events; `bench/rules-specialised.ts` checks it.
 * An experiment for the engine's next design, not part of Beckon.
 */
import type { StoredEvent } from '@beckon/protocol';
import type { ActionableEvent } from '@beckon/core/rules';
import { CATS, NAMES } from './rules-workload.js';
import { MIN, NEVER } from './specialised-visit.js';
import type { SpecialisedVisit } from './specialised-visit.js';

export { SpecialisedVisit } from './specialised-visit.js';

type Sha256 = (text: string) => string;
type Channel = 'chat' | 'callback' | 'offer';

const EMPTY: readonly string[] = Object.freeze([]);
/** Whether category bit `c` is in `mask`. */
const has = (mask: number, c: number): boolean => ((mask >> c) & 1) === 1;
const MAX_PAGE_CATEGORIES = 32;
const COUNT_MS = 5 * 60_000;
const SPAN_MS = 10 * 60_000;
const ABSENCE_MS = 5 * 60_000;
const COOLDOWN_MS = 30 * 60_000;
/** Timer rules 90 + k: idle or dwell, duration; each with `where page.categories contains "Cat<k>"`. */
const TIMERS: readonly { idle: boolean; ms: number }[] = [
  { idle: true, ms: 60_000 },
  { idle: true, ms: 120_000 },
  { idle: false, ms: 30_000 },
  { idle: false, ms: 120_000 },
  { idle: true, ms: 300_000 },
];
/** Idle and dwell timers by ascending duration: the first live one of each kind is the earliest. */
const IDLE_ORDER = [0, 1, 4];
const DWELL_ORDER = [2, 3];

export class SpecialisedRules {
  private readonly masks = new Map<string, number>();
  private readonly lists = new Map<string, readonly string[]>();
  private readonly bizIndex = new Map<string, number>(NAMES.map((n, i) => [n, i]));
  private readonly urlIds = new Map<string, number>();
  private out: ActionableEvent[] = [];
  private readonly active = new Uint8Array(100);
  private readonly needles = Array.from({ length: 20 }, (_, i) => `/item${i + 20}`);

  /** Rules of ranks `[from, to)` are deployed (one family, or all). */
  constructor(
    private readonly from: number,
    private readonly to: number,
    private readonly sha256: Sha256,
  ) {
    this.active.fill(1, from, to);
  }

  private on(rank: number): boolean {
    return this.active[rank] === 1;
  }

  private mask(category: string): number {
    let m = this.masks.get(category);
    if (m === undefined) {
      m = 0;
      const list = category.split(';').filter((c) => c !== '');
      for (const c of list) {
        const i = CATS.indexOf(c);
        if (i >= 0) m |= 1 << i;
      }
      this.masks.set(category, m);
      this.lists.set(category, Object.freeze(list));
    }
    return m;
  }

  private fire(
    vs: SpecialisedVisit,
    visitID: string,
    rank: number,
    name: string,
    channel: Channel | null,
    ids: string[],
    t: number,
    pageID: string | null,
  ): void {
    const ruleId = `default/r${rank}`;
    this.out.push({
      id: this.sha256(`${ruleId}\n${visitID}\n${t}\n${ids.join(',')}`)
        .slice(0, 32)
        .toUpperCase(),
      name,
      ruleId,
      rulePackage: 'default',
      visitID,
      globalVisitID: visitID,
      pageID,
      timestamp: t,
      engagement: channel === null ? null : { channel, queue: 'default', priority: 50 },
      data: {},
      triggeringEventIDs: ids,
      identityId: null,
      categories: vs.pgId === null ? [] : vs.pgCats.slice(),
    });
  }

  onEvent(vs: SpecialisedVisit, visitID: string, ev: StoredEvent): ActionableEvent[] {
    this.out = [];
    if (vs.n === 0) vs.t0 = ev.receivedAt;
    const since = (ev.receivedAt - vs.t0) | 0;
    const rt = since > vs.t ? since : vs.t;
    if (vs.nx < rt) this.timers(vs, visitID, rt);
    // tracking
    const n = ++vs.n;
    vs.t = rt;
    const mask = this.mask(ev.category);
    const cats = ev.category ? (this.lists.get(ev.category) as readonly string[]) : EMPTY;
    const samePage = vs.pgId === ev.pageID;
    vs.li = ev.eventID;
    vs.lt = rt;
    const name = ev.eventName;
    const entered = name === 'PageEntered';
    if (entered) {
      vs.pgId = ev.pageID;
      vs.pgCats = cats;
      vs.pgAt = rt;
      vs.pgEi = ev.eventID;
      vs.pgEn = n;
      vs.openPage(ev.pageID);
    } else if (name === 'PageExited') vs.closePage(ev.pageID);
    else if (samePage)
      for (const c of cats)
        if (!vs.pgCats.includes(c) && vs.pgCats.length < MAX_PAGE_CATEGORIES)
          vs.pgCats = vs.pgCats.concat([c]);
    const biz = entered ? -1 : (this.bizIndex.get(name) ?? -1);
    const t = vs.t0 + rt;
    const id = ev.eventID;
    if (biz >= 0 && this.on(biz) && vs.fired[biz] === 0 && has(mask, (biz * 7) % 20)) {
      vs.fired[biz] = 1;
      this.fire(vs, visitID, biz, `N${biz}`, 'chat', [id], t, ev.pageID);
    }
    if (entered && mask !== 0) {
      for (let i = 0; i < 20; i++) {
        const rank = 20 + i;
        if (
          !has(mask, i) ||
          !this.on(rank) ||
          vs.fired[rank] === 1 ||
          !ev.url.includes(this.needles[i] as string)
        )
          continue;
        vs.fired[rank] = 1;
        this.fire(vs, visitID, rank, `C${i}`, null, [id], t, ev.pageID);
      }
      for (let r = 0; r < 25; r++)
        if (has(mask, r % 20) && this.on(40 + r)) this.count(vs, visitID, r, ev, rt, t);
    }
    for (let i = 0; i < 10; i++) {
      if (this.on(65 + i) && vs.fired[65 + i] === 0) {
        const m0 = entered && has(mask, i);
        const m1 = biz === i + 5;
        const m2 = entered && has(mask, i + 10);
        if (m0 || m1 || m2) this.sequence(vs, visitID, i, m0, m1, m2, ev, rt, t);
      }
      if (this.on(75 + i) && vs.fired[75 + i] === 0) {
        const m0 = entered && has(mask, i + 3);
        const m1 = entered && has(mask, (i + 7) % 20);
        const m2 = biz === i;
        if (m0 || m1 || m2) this.set(vs, visitID, i, m0, m1, m2, ev, rt, t);
      }
    }
    for (let i = 0; i < 5; i++) {
      if (!this.on(85 + i) || vs.fired[85 + i] === 1) continue;
      if (vs.xt[i] !== NEVER && biz === i + 15) vs.xt[i] = NEVER;
      if (biz === i + 10) {
        vs.xt[i] = rt;
        vs.xid[i] = id;
      }
    }
    if (biz === 2 && this.on(95)) vs.f0 = true;
    if (biz === 3 && this.on(96)) vs.f1 = true;
    if (entered)
      for (let i = 0; i < 3; i++) {
        const rank = 97 + i;
        if (!this.on(rank) || vs.fired[rank] === 1 || !has(mask, 15 + i) || !(i % 2 === 0 ? vs.f0 : vs.f1))
          continue;
        vs.fired[rank] = 1;
        this.fire(vs, visitID, rank, `F${i}`, 'chat', [id], t, ev.pageID);
      }
    vs.nx = this.next(vs);
    return this.out;
  }

  /** `count(event PageEntered in "Cat<r % 20>"[ distinct url]) within 5m >= 3`, cooldown 30m (rule 40 + r). */
  private count(
    vs: SpecialisedVisit,
    visitID: string,
    r: number,
    ev: StoredEvent,
    rt: number,
    t: number,
  ): void {
    const b = r * MIN;
    let u = -1;
    if (r < 10) {
      const known = this.urlIds.get(ev.url);
      if (known === undefined) this.urlIds.set(ev.url, (u = this.urlIds.size));
      else u = known;
    }
    let n = 0;
    for (let x = 0; x < (vs.cl[r] as number); x++) {
      if ((vs.ct[b + x] as number) < rt - COUNT_MS || (u >= 0 && vs.cu[b + x] === u)) continue;
      vs.ct[b + n] = vs.ct[b + x] as number;
      vs.cu[b + n] = vs.cu[b + x] as number;
      vs.cid[b + n++] = vs.cid[b + x] as string;
    }
    if (n === MIN) {
      // without distinct the window keeps the last 3 (§8.9); with it, the same url never repeats
      for (let x = 1; x < MIN; x++) {
        vs.ct[b + x - 1] = vs.ct[b + x] as number;
        vs.cu[b + x - 1] = vs.cu[b + x] as number;
        vs.cid[b + x - 1] = vs.cid[b + x] as string;
      }
      n--;
    }
    vs.ct[b + n] = rt;
    vs.cu[b + n] = u;
    vs.cid[b + n++] = ev.eventID;
    if (n < MIN) {
      vs.cl[r] = n;
      return;
    }
    const ids = [vs.cid[b], vs.cid[b + 1], vs.cid[b + 2]] as string[];
    if (rt - (vs.cf[r] as number) >= COOLDOWN_MS) {
      vs.cf[r] = rt;
      this.fire(vs, visitID, 40 + r, `K${r}`, 'callback', ids, t, ev.pageID);
    }
    vs.cid.fill(null, b, b + MIN);
    vs.cl[r] = 0;
  }

  /** `sequence(PageEntered in Cat<i>, Biz<i + 5>, PageEntered in Cat<i + 10>) within 10m`, once (rule 65 + i). */
  private sequence(
    vs: SpecialisedVisit,
    visitID: string,
    i: number,
    m0: boolean,
    m1: boolean,
    m2: boolean,
    ev: StoredEvent,
    rt: number,
    t: number,
  ): void {
    const from = rt - SPAN_MS;
    const p = i * 2;
    const q = i * 3;
    // partial matches that left the window go first
    if (vs.s1[p] !== -1 && (vs.s1[p] as number) < from) vs.s1[p] = -1;
    if (vs.s2[p] !== -1 && (vs.s2[p] as number) < from) vs.s2[p] = -1;
    if (m2 && vs.s2[p] !== -1) {
      vs.fired[65 + i] = 1;
      this.fire(
        vs,
        visitID,
        65 + i,
        `S${i}`,
        'chat',
        [vs.sid[q], vs.sid[q + 1], ev.eventID] as string[],
        t,
        ev.pageID,
      );
      return;
    }
    if (m1 && vs.s1[p] !== -1) {
      // the step-1 match advances; at step 2 the newer start wins (it completes whenever the older would)
      if (vs.s2[p] === -1 || (vs.s2[p + 1] as number) < (vs.s1[p + 1] as number)) {
        vs.s2[p] = vs.s1[p] as number;
        vs.s2[p + 1] = vs.s1[p + 1] as number;
        vs.sid[q] = vs.sid[q + 2] as string;
        vs.sid[q + 1] = ev.eventID;
      }
      vs.s1[p] = -1;
    }
    if (m0) {
      vs.s1[p] = rt;
      vs.s1[p + 1] = vs.n;
      vs.sid[q + 2] = ev.eventID;
    }
  }

  /** `all(PageEntered in Cat<i + 3>, PageEntered in Cat<(i + 7) % 20>, Biz<i>) within 10m`, once (rule 75 + i). */
  private set(
    vs: SpecialisedVisit,
    visitID: string,
    i: number,
    m0: boolean,
    m1: boolean,
    m2: boolean,
    ev: StoredEvent,
    rt: number,
    t: number,
  ): void {
    const b = i * 3;
    let len = vs.al[i] as number;
    if (len > 0 && (vs.at[b] as number) < rt - SPAN_MS) {
      let o = 0;
      for (let x = 0; x < len; x++) {
        if ((vs.at[b + x] as number) < rt - SPAN_MS) continue;
        vs.am[b + o] = vs.am[b + x] as number;
        vs.at[b + o] = vs.at[b + x] as number;
        vs.aid[b + o++] = vs.aid[b + x] as string;
      }
      len = o;
    }
    let have = 0;
    for (let x = 0; x < len; x++) have |= 1 << (vs.am[b + x] as number);
    const match = (m0 ? 1 : 0) | (m1 ? 2 : 0) | (m2 ? 4 : 0);
    const needed = match & ~have;
    // the first member that matches and still needs its event; else the first that matches takes it in place
    const target = needed !== 0 ? 31 - Math.clz32(needed & -needed) : 31 - Math.clz32(match & -match);
    if ((have >> target) & 1) {
      let o = 0;
      for (let x = 0; x < len; x++) {
        if (vs.am[b + x] === target) continue;
        vs.am[b + o] = vs.am[b + x] as number;
        vs.at[b + o] = vs.at[b + x] as number;
        vs.aid[b + o++] = vs.aid[b + x] as string;
      }
      len = o;
    }
    vs.am[b + len] = target;
    vs.at[b + len] = rt;
    vs.aid[b + len++] = ev.eventID;
    vs.al[i] = len;
    if (len < 3) return;
    vs.fired[75 + i] = 1;
    this.fire(
      vs,
      visitID,
      75 + i,
      `A${i}`,
      'offer',
      [vs.aid[b], vs.aid[b + 1], vs.aid[b + 2]] as string[],
      t,
      ev.pageID,
    );
    vs.aid.fill(null, b, b + 3);
    vs.al[i] = 0;
  }

  /** Fires the absences (85–89) and idle/dwell timers (90–94) due strictly before `limit`, earliest first. */
  private timers(vs: SpecialisedVisit, visitID: string, limit: number): void {
    for (;;) {
      let best = Infinity;
      for (let i = 0; i < 10; i++) {
        const d = this.deadline(vs, i);
        if (d < best) best = d;
      }
      if (!(best < limit)) return;
      if (best > vs.t) vs.t = best;
      const t = vs.t0 + best;
      for (let i = 0; i < 10; i++) {
        if (this.deadline(vs, i) !== best) continue;
        if (i < 5) {
          vs.fired[85 + i] = 1;
          this.fire(vs, visitID, 85 + i, `X${i}`, 'chat', [vs.xid[i] as string], t, vs.pgId);
          vs.xt[i] = NEVER;
          continue;
        }
        const k = i - 5;
        const idle = (TIMERS[k] as { idle: boolean }).idle;
        // a false guard marks the timer done for the event that started it, as a firing does
        if (vs.pgCats.includes(CATS[k] as string)) {
          vs.fired[90 + k] = 1;
          this.fire(vs, visitID, 90 + k, `T${k}`, 'chat', [idle ? vs.li : vs.pgEi], t, vs.pgId);
        }
        vs.tm[k] = idle ? vs.n : vs.pgEn;
      }
    }
  }

  /** The earliest deadline: pending absences, the first live idle (60s, 2m, 5m) and dwell (30s, 2m) timer. */
  private next(vs: SpecialisedVisit): number {
    let best = Infinity;
    for (let i = 0; i < 5; i++)
      if (vs.xt[i] !== NEVER && vs.fired[85 + i] === 0 && this.on(85 + i)) {
        const d = (vs.xt[i] as number) + ABSENCE_MS;
        if (d < best) best = d;
      }
    if (vs.o1 !== null)
      for (const k of IDLE_ORDER)
        if (this.on(90 + k) && vs.fired[90 + k] === 0 && vs.n > (vs.tm[k] as number)) {
          const d = vs.lt + (TIMERS[k] as { ms: number }).ms;
          if (d < best) best = d;
          break;
        }
    const page = vs.pgId;
    if (page !== null && vs.pgAt < best && vs.isOpen(page))
      for (const k of DWELL_ORDER)
        if (this.on(90 + k) && vs.fired[90 + k] === 0 && vs.pgEn > (vs.tm[k] as number)) {
          const d = vs.pgAt + (TIMERS[k] as { ms: number }).ms;
          if (d < best) best = d;
          break;
        }
    return best;
  }

  /** Deadline of timer `i` (absences 0–4, then idle/dwell rules 90–94); Infinity when none is pending. */
  private deadline(vs: SpecialisedVisit, i: number): number {
    if (i < 5)
      return this.on(85 + i) && vs.fired[85 + i] === 0 && vs.xt[i] !== NEVER
        ? (vs.xt[i] as number) + ABSENCE_MS
        : Infinity;
    const k = i - 5;
    if (!this.on(90 + k) || vs.fired[90 + k] === 1) return Infinity;
    const timer = TIMERS[k] as { idle: boolean; ms: number };
    const mark = vs.tm[k] as number;
    if (timer.idle) return vs.n > mark && vs.o1 !== null ? vs.lt + timer.ms : Infinity;
    const page = vs.pgId;
    return page !== null && vs.pgEn > mark && vs.isOpen(page) ? vs.pgAt + timer.ms : Infinity;
  }
}
