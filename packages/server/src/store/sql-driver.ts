/**
 * The narrow port under the store: run SQL with `?` placeholders, in or out of a transaction. One SQL text
 * serves both engines; each driver adapts placeholders and types. The store logic is written once on top
 * (sql-store.ts and its query modules), so no query file switches on the database.
 */

export type SqlParam = string | number | boolean | null | Uint8Array;

export interface SqlExecutor {
  /** Rows of a SELECT (or of a statement with RETURNING). */
  all<T = Record<string, unknown>>(sql: string, params?: readonly SqlParam[]): Promise<T[]>;
  /** Runs a statement; resolves to the number of rows changed. */
  run(sql: string, params?: readonly SqlParam[]): Promise<number>;
}

export interface SqlDriver extends SqlExecutor {
  readonly dialect: 'sqlite' | 'postgres';
  /** Runs `fn` in one transaction, committed durably before the promise resolves. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Runs DDL (several statements). */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}
