/**
 * One timer for all visits (spec/rules.md §8.10): a min-heap of (deadline, visit) and a single clock timer set
 * for the earliest entry. Entries are never removed in place; a visit whose deadline moved simply gets a new
 * entry and the host ignores stale ones when they come due. The clock is injected so tests run on fake time.
 */

/** The host's clock: real (`systemClock`) or fake in tests. */
export interface HostClock {
  now(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

export const systemClock: HostClock = {
  now: () => Date.now(),
  setTimer: (fn, ms) => {
    const h = setTimeout(fn, ms);
    h.unref?.();
    return h;
  },
  clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

interface Entry {
  deadline: number;
  visitId: string;
}

/** Longest single wait, so far deadlines do not overflow the platform timer. */
const MAX_WAIT = 60_000;

export class TimerWheel {
  private heap: Entry[] = [];
  private handle: unknown = null;
  private armedFor = Infinity;

  constructor(
    private readonly clock: HostClock,
    private readonly onDue: (visitIds: string[], now: number) => void,
  ) {}

  /** Schedules `visitId` at `deadline` (ms). */
  add(visitId: string, deadline: number): void {
    const h = this.heap;
    h.push({ visitId, deadline });
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if ((h[p] as Entry).deadline <= (h[i] as Entry).deadline) break;
      [h[p], h[i]] = [h[i] as Entry, h[p] as Entry];
      i = p;
    }
    if (deadline < this.armedFor) this.arm();
  }

  get size(): number {
    return this.heap.length;
  }

  stop(): void {
    if (this.handle !== null) this.clock.clearTimer(this.handle);
    this.handle = null;
    this.armedFor = Infinity;
  }

  private pop(): Entry | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && (h[l] as Entry).deadline < (h[m] as Entry).deadline) m = l;
        if (r < h.length && (h[r] as Entry).deadline < (h[m] as Entry).deadline) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i] as Entry, h[m] as Entry];
        i = m;
      }
    }
    return top;
  }

  private arm(): void {
    if (this.handle !== null) this.clock.clearTimer(this.handle);
    this.handle = null;
    const first = this.heap[0];
    if (!first) {
      this.armedFor = Infinity;
      return;
    }
    this.armedFor = first.deadline;
    const wait = Math.min(MAX_WAIT, Math.max(0, first.deadline - this.clock.now()));
    this.handle = this.clock.setTimer(() => this.tick(), wait);
  }

  private tick(): void {
    this.handle = null;
    this.armedFor = Infinity;
    const now = this.clock.now();
    const due = new Set<string>();
    while (this.heap.length > 0 && (this.heap[0] as Entry).deadline <= now)
      due.add((this.pop() as Entry).visitId);
    this.arm();
    if (due.size > 0) this.onDue([...due], now);
  }
}
