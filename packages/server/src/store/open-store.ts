/**
 * Chooses the store adapter from the configuration: a `postgres://` URL selects PostgreSQL, anything else the
 * embedded SQLite store in `dataDir`. Runs the migrations before returning.
 */
import { openPostgres } from './postgres-driver.js';
import { openSqlite, sqliteFile } from './sqlite-driver.js';
import type { SqliteSynchronous } from './sqlite-driver.js';
import { startSqliteWriterThread } from './sqlite-writer-thread.js';
import { SqlStore } from './sql-store.js';

export interface OpenStoreOptions {
  dataDir: string;
  databaseUrl: string;
  maxEventsPerCommit?: number;
  onCommit?: (events: number, seconds: number) => void;
  /** SQLite durability of a commit (default `full`). */
  sqliteSynchronous?: SqliteSynchronous;
  /** SQLite: commit ingest on a writer thread, off the event loop (default true). */
  writerThread?: boolean;
}

export async function openStore(options: OpenStoreOptions): Promise<SqlStore> {
  const driver = /^postgres(ql)?:\/\//.test(options.databaseUrl)
    ? openPostgres({ url: options.databaseUrl })
    : openSqlite({ dataDir: options.dataDir, synchronous: options.sqliteSynchronous ?? 'full' });
  const storeOptions: ConstructorParameters<typeof SqlStore>[1] = {};
  if (options.maxEventsPerCommit !== undefined) storeOptions.maxEventsPerCommit = options.maxEventsPerCommit;
  if (options.onCommit !== undefined) storeOptions.onCommit = options.onCommit;
  if (driver.dialect === 'sqlite' && (options.writerThread ?? true)) {
    const thread = startSqliteWriterThread(sqliteFile(options.dataDir), options.sqliteSynchronous ?? 'full');
    storeOptions.commitPlan = thread.commitPlan;
    storeOptions.commitStatements = thread.commitStatements;
    storeOptions.closeCommitter = thread.close;
  }
  const store = new SqlStore(driver, storeOptions);
  try {
    await store.migrate();
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  return store;
}
