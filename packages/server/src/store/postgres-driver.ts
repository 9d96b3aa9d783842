/**
 * PostgreSQL adapter of the SQL port (`pg`). Converts `?` placeholders to `$n` once per SQL text and parses
 * BIGINT columns as numbers (all Beckon BIGINTs are millisecond times or counters well inside 2^53).
 */
import pg from 'pg';
import type { SqlDriver, SqlExecutor, SqlParam } from './sql-driver.js';

const converted = new Map<string, string>();
function toPg(sql: string): string {
  let out = converted.get(sql);
  if (out === undefined) {
    let n = 0;
    out = sql.replace(/\?/g, () => `$${++n}`);
    converted.set(sql, out);
  }
  return out;
}

const BIGINT_OID = 20;
const types = {
  getTypeParser: (oid: number, format?: string) =>
    oid === BIGINT_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text'),
};

interface Queryable {
  query(config: { text: string; values: unknown[]; types: typeof types }): Promise<pg.QueryResult>;
}

function executor(client: Queryable): SqlExecutor {
  const bind = (params: readonly SqlParam[]) =>
    params.map((p) => (p instanceof Uint8Array ? Buffer.from(p) : p));
  return {
    async all<T>(sql: string, params: readonly SqlParam[] = []) {
      return (await client.query({ text: toPg(sql), values: bind(params), types })).rows as T[];
    },
    async run(sql: string, params: readonly SqlParam[] = []) {
      return (await client.query({ text: toPg(sql), values: bind(params), types })).rowCount ?? 0;
    },
  };
}

export function openPostgres(options: { url: string; poolSize?: number }): SqlDriver {
  const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10 });
  pool.on('error', () => undefined); // idle client errors surface on the next query instead of crashing
  const base = executor(pool);
  return {
    dialect: 'postgres',
    ...base,
    async exec(sql) {
      await pool.query(sql);
    },
    async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(executor(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}
