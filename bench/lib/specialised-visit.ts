/**
 * The per-visit state of the specialised-code experiment (`specialised-rules.ts`): fixed fields for tracking and
 * facts, typed arrays at fixed offsets for each rule family, and the open pages as the engine keeps them.
 */
const MAX_OPEN = 16;
/** "Nothing here" for times and positions in the typed arrays. */
export const NEVER = -(2 ** 30);
/** Entries a count window keeps: the `>= 3` of the benchmark's counts. */
export const MIN = 3;
const NO_CATEGORIES: readonly string[] = Object.freeze([]);

export class SpecialisedVisit {
  t0 = 0;
  n = 0;
  t = 0;
  lt = 0;
  li = '';
  pgId: string | null = null;
  pgAt = 0;
  pgEn = 0;
  pgEi = '';
  pgCats: readonly string[] = NO_CATEGORIES;
  o1: string | null = null;
  om: string[] | null = null;
  f0 = false;
  f1 = false;
  /** Earliest timer deadline (relative), or Infinity. */
  nx = Infinity;
  /** Once-per-visit rules that fired, by rank. */
  readonly fired = new Uint8Array(100);
  /** Counts: last 3 entries per rule (time, url id, event id), their number, last firing (cooldown). */
  readonly ct = new Int32Array(25 * MIN);
  readonly cu = new Int32Array(25 * MIN);
  readonly cid: (string | null)[] = new Array<string | null>(25 * MIN).fill(null);
  readonly cl = new Uint8Array(25);
  readonly cf = new Int32Array(25).fill(NEVER);
  /** Sequences: the newest partial match at step 1 and at step 2 (start time, start position, ids). */
  readonly s1 = new Int32Array(10 * 2).fill(-1);
  readonly s2 = new Int32Array(10 * 2).fill(-1);
  readonly sid: (string | null)[] = new Array<string | null>(10 * 3).fill(null);
  /** Sets: up to 3 records per rule in arrival order (member, time, event id). */
  readonly am = new Int8Array(10 * 3);
  readonly at = new Int32Array(10 * 3);
  readonly aid: (string | null)[] = new Array<string | null>(10 * 3).fill(null);
  readonly al = new Uint8Array(10);
  /** Absences: pending `F` time (or NEVER) and id. */
  readonly xt = new Int32Array(5).fill(NEVER);
  readonly xid: (string | null)[] = [null, null, null, null, null];
  /** Idle/dwell: the event position each last fired or was rejected for. */
  readonly tm = new Int32Array(5);

  isOpen(id: string): boolean {
    return this.o1 === id || (this.om !== null && this.om.includes(id));
  }

  openPage(id: string): void {
    if (this.o1 === null) {
      this.o1 = id;
      return;
    }
    if (this.isOpen(id)) return;
    const om = this.om;
    if (om === null) this.om = [id];
    else if (om.length + 1 >= MAX_OPEN) {
      this.o1 = om[0] as string;
      for (let j = 1; j < om.length; j++) om[j - 1] = om[j] as string;
      om[om.length - 1] = id;
    } else this.om = om.concat([id]);
  }

  closePage(id: string): void {
    const om = this.om;
    if (this.o1 === id) {
      if (om === null) this.o1 = null;
      else {
        this.o1 = om[0] as string;
        this.om = om.length > 1 ? om.slice(1) : null;
      }
      return;
    }
    if (om === null) return;
    const i = om.indexOf(id);
    if (i < 0) return;
    this.om = om.length === 1 ? null : om.filter((_, j) => j !== i);
  }
}
