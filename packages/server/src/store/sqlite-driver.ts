/**
 * SQLite adapter of the SQL port (better-sqlite3, WAL, `synchronous=FULL` so a committed transaction survives
 * a crash). Two connections: one writer for transactions, one reader for queries, so a read never sees a
 * transaction that has not committed yet. Prepared statements are cached per SQL text.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { registerIdFunctions } from './id-codec.js';
import type { SqlDriver, SqlExecutor, SqlParam } from './sql-driver.js';

type Db = Database.Database;
type Stmt = Database.Statement;

function executor(db: Db): SqlExecutor & { cache: Map<string, Stmt> } {
  const cache = new Map<string, Stmt>();
  const prepare = (sql: string): Stmt => {
    let stmt = cache.get(sql);
    if (!stmt) {
      stmt = db.prepare(sql);
      cache.set(sql, stmt);
    }
    return stmt;
  };
  const bind = (params: readonly SqlParam[]) => params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p));
  return {
    cache,
    async all<T>(sql: string, params: readonly SqlParam[] = []) {
      return prepare(sql).all(...bind(params)) as T[];
    },
    async run(sql: string, params: readonly SqlParam[] = []) {
      return prepare(sql).run(...bind(params)).changes;
    },
  };
}

/**
 * `full` (default): a commit waits for fsync, so an acknowledged event survives power loss. `normal`: in WAL mode
 * a commit survives a crash of Beckon (kill -9) but the last transactions may roll back on power loss or an OS
 * crash; ingest of single-event requests is then bounded by CPU instead of fsync latency (docs/benchmarks.md).
 */
export type SqliteSynchronous = 'full' | 'normal';

/** The database file of a data directory. */
export const sqliteFile = (dataDir: string, file = 'beckon.db'): string => path.join(dataDir, file);

/** Opens (creating if needed) `<dataDir>/beckon.db`. */
export function openSqlite(options: {
  dataDir: string;
  file?: string;
  synchronous?: SqliteSynchronous;
}): SqlDriver {
  mkdirSync(options.dataDir, { recursive: true });
  const file = sqliteFile(options.dataDir, options.file);
  const writer = new Database(file);
  writer.pragma('journal_mode = WAL');
  writer.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
  writer.pragma('busy_timeout = 5000');
  writer.pragma('foreign_keys = OFF');
  registerIdFunctions(writer);
  const reader = new Database(file);
  reader.pragma('busy_timeout = 5000');
  registerIdFunctions(reader);
  const write = executor(writer);
  const read = executor(reader);
  let chain: Promise<unknown> = Promise.resolve();

  return {
    dialect: 'sqlite',
    all: read.all,
    run: write.run,
    async exec(sql) {
      writer.exec(sql);
    },
    transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      // Transactions on the one writer connection must not interleave: chain them.
      const next = chain.then(async () => {
        writer.exec('BEGIN IMMEDIATE');
        try {
          const result = await fn(write);
          writer.exec('COMMIT');
          return result;
        } catch (error) {
          if (writer.inTransaction) writer.exec('ROLLBACK');
          throw error;
        }
      });
      chain = next.catch(() => undefined);
      return next;
    },
    async close() {
      await chain;
      reader.close();
      writer.close();
    },
  };
}
