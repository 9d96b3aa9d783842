/**
 * Runs SQLite group commits on a worker thread. With `synchronous=FULL` every commit waits for an fsync; on the
 * event loop that wait would stall every request, and it is the largest single cost of single-event ingest. The
 * thread commits one plan at a time (the IngestWriter never sends the next before the last resolves), and a
 * crash of the process takes the thread with it, so "202 after commit" still holds.
 */
import { Worker } from 'node:worker_threads';
import type { CommitPlan } from './ingest-writer.js';
import type { WritePlan } from './write-plan.js';
import type { SqliteSynchronous } from './sqlite-driver.js';
import type { SqlParam } from './sql-driver.js';

/** Statements committed together, in order, in one transaction. */
export type StatementBatch = readonly (readonly [sql: string, params: readonly SqlParam[]])[];

export interface SqliteWriterThread {
  commitPlan: CommitPlan;
  commitStatements(statements: StatementBatch): Promise<void>;
  close(): Promise<void>;
}

export function startSqliteWriterThread(
  file: string,
  synchronous: SqliteSynchronous = 'full',
): SqliteWriterThread {
  const worker = new Worker(new URL('./worker-boot.mjs', import.meta.url), {
    workerData: { file, synchronous, entry: new URL('./sqlite-writer-worker.ts', import.meta.url).href },
  });
  const waiting = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let failed: Error | null = null;
  const failAll = (error: Error) => {
    failed = error;
    for (const w of waiting.values()) w.reject(error);
    waiting.clear();
  };
  worker.on('message', (reply: { id: number; ok: boolean; message?: string }) => {
    const w = waiting.get(reply.id);
    if (!w) return;
    waiting.delete(reply.id);
    if (reply.ok) w.resolve();
    else w.reject(new Error(reply.message ?? 'commit failed'));
  });
  worker.on('error', (error) => failAll(error));
  worker.on('exit', (code) => failAll(new Error(`the SQLite writer thread exited (${code})`)));
  // The thread must not keep the process alive on its own.
  worker.unref();

  const send = (message: { plan?: string; statements?: string }) => {
    if (failed) return Promise.reject(failed);
    const id = nextId++;
    // Referenced while a commit is outstanding, so an awaited commit always completes.
    if (waiting.size === 0) worker.ref();
    return new Promise<void>((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      worker.postMessage({ id, ...message });
    }).finally(() => {
      if (waiting.size === 0) worker.unref();
    });
  };

  return {
    // One string crosses the thread boundary far cheaper than a structured clone of thousands of row arrays.
    commitPlan: (plan: WritePlan) => send({ plan: JSON.stringify(plan) }),
    commitStatements: (statements: StatementBatch) => send({ statements: JSON.stringify(statements) }),
    async close() {
      if (failed) return;
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.ref(); // keep the process alive until the thread has closed its connection
      worker.postMessage('close');
      await exited;
    },
  };
}
