/**
 * Chooses the store adapter from the configuration: a `postgres://` URL selects PostgreSQL, anything else the
 * embedded SQLite store in `dataDir`. Runs the migrations before returning.
 */
import { openPostgres } from './postgres-driver.js';
import { openSqlite } from './sqlite-driver.js';
import { SqlStore } from './sql-store.js';

export interface OpenStoreOptions {
  dataDir: string;
  databaseUrl: string;
  maxEventsPerCommit?: number;
  onCommit?: (events: number, seconds: number) => void;
}

export async function openStore(options: OpenStoreOptions): Promise<SqlStore> {
  const driver = /^postgres(ql)?:\/\//.test(options.databaseUrl)
    ? openPostgres({ url: options.databaseUrl })
    : openSqlite({ dataDir: options.dataDir });
  const storeOptions: ConstructorParameters<typeof SqlStore>[1] = {};
  if (options.maxEventsPerCommit !== undefined) storeOptions.maxEventsPerCommit = options.maxEventsPerCommit;
  if (options.onCommit !== undefined) storeOptions.onCommit = options.onCommit;
  const store = new SqlStore(driver, storeOptions);
  try {
    await store.migrate();
  } catch (error) {
    await driver.close().catch(() => undefined);
    throw error;
  }
  return store;
}
