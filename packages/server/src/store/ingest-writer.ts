/**
 * Group commit of ingested events: writes from many concurrent requests queue here and are committed together
 * in one transaction (one fsync), then every waiting request is released. A request is answered 202 only after
 * the transaction holding its events has committed. Where the transaction runs is the `CommitPlan`'s business:
 * the driver's own connection, or (SQLite) a writer thread that keeps fsync off the event loop.
 */
import type { EventWrites } from '@beckon/core';
import type { SqlDriver } from './sql-driver.js';
import { applyPlan, planWrites } from './write-plan.js';
import type { WritePlan } from './write-plan.js';

/** Commits one plan durably. */
export type CommitPlan = (plan: WritePlan) => Promise<void>;

interface Pending {
  writes: EventWrites[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

export interface IngestWriterOptions {
  driver: SqlDriver;
  /** Where plans are committed (default: a transaction on `driver`). */
  commitPlan?: CommitPlan;
  /** Most events one transaction commits (default 5000). */
  maxEvents?: number;
  /** Observes each commit: events and seconds. */
  onCommit?: (events: number, seconds: number) => void;
}

export class IngestWriter {
  readonly #commitPlan: CommitPlan;
  readonly #maxEvents: number;
  readonly #onCommit: IngestWriterOptions['onCommit'];
  #queue: Pending[] = [];
  #flushing: Promise<void> | null = null;
  #scheduled = false;
  #commits = 0;

  constructor(options: IngestWriterOptions) {
    const { driver } = options;
    this.#commitPlan =
      options.commitPlan ?? ((plan) => driver.transaction((tx) => applyPlan(tx, plan, driver.dialect)));
    this.#maxEvents = options.maxEvents ?? 5000;
    this.#onCommit = options.onCommit;
  }

  /** Transactions committed so far. */
  get commits(): number {
    return this.#commits;
  }

  /** Resolves once `writes` are durably committed. */
  commit(writes: EventWrites[]): Promise<void> {
    if (writes.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#queue.push({ writes, resolve, reject });
      this.#schedule();
    });
  }

  /** Resolves when everything queued so far is committed (graceful shutdown). */
  async drain(): Promise<void> {
    while (this.#queue.length > 0 || this.#flushing || this.#scheduled) {
      await (this.#flushing ?? new Promise((r) => setImmediate(r)));
    }
  }

  #schedule(): void {
    if (this.#scheduled || this.#flushing) return;
    this.#scheduled = true;
    // setImmediate lets every request parsed in this turn of the event loop join the same transaction.
    setImmediate(() => {
      this.#scheduled = false;
      this.#flushing = this.#flush().finally(() => {
        this.#flushing = null;
        if (this.#queue.length > 0) this.#schedule();
      });
    });
  }

  async #flush(): Promise<void> {
    const batch: Pending[] = [];
    let events = 0;
    while (
      this.#queue.length > 0 &&
      (events === 0 || events + this.#queue[0]!.writes.length <= this.#maxEvents)
    ) {
      const next = this.#queue.shift()!;
      batch.push(next);
      events += next.writes.length;
    }
    const started = performance.now();
    try {
      await this.#commitPlan(planWrites(batch.flatMap((p) => p.writes)));
      this.#commits++;
      this.#onCommit?.(events, (performance.now() - started) / 1000);
      for (const p of batch) p.resolve();
    } catch (error) {
      for (const p of batch) p.reject(error);
    }
  }
}
