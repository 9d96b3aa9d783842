/**
 * A clock and timer service that only move when told to: the CLI's `strategy run`, tests and the conformance suite
 * use it to run delayed sends instantly and deterministically.
 */
import type { Clock, TimerService } from './types.js';

interface Entry {
  readonly dueAt: number;
  readonly seq: number;
  readonly fire: () => void;
}

/** Virtual time: `advance`/`runNext` fire due timers in `(dueAt, arming order)`. */
export class VirtualTimers implements Clock, TimerService {
  private time: number;
  private seq = 0;
  private readonly entries = new Set<Entry>();

  /** @param start the initial virtual time in ms (default 0). */
  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  set(dueAt: number, fire: () => void): unknown {
    const e: Entry = { dueAt, seq: this.seq++, fire };
    this.entries.add(e);
    return e;
  }

  clear(handle: unknown): void {
    this.entries.delete(handle as Entry);
  }

  /** Number of armed timers. */
  get size(): number {
    return this.entries.size;
  }

  /** Due time of the earliest timer, if any. */
  nextDue(): number | undefined {
    return this.earliest()?.dueAt;
  }

  private earliest(): Entry | undefined {
    let best: Entry | undefined;
    for (const e of this.entries)
      if (!best || e.dueAt < best.dueAt || (e.dueAt === best.dueAt && e.seq < best.seq)) best = e;
    return best;
  }

  /** Jumps to the earliest timer and fires it; false when none is armed. */
  runNext(): boolean {
    const e = this.earliest();
    if (!e) return false;
    this.entries.delete(e);
    if (e.dueAt > this.time) this.time = e.dueAt;
    e.fire();
    return true;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    const until = this.time + ms;
    for (let e = this.earliest(); e && e.dueAt <= until; e = this.earliest()) {
      this.entries.delete(e);
      this.time = Math.max(this.time, e.dueAt);
      e.fire();
    }
    this.time = until;
  }
}
