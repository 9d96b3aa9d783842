/**
 * The SQLite writer thread: owns one connection, applies each group-commit plan in one transaction
 * (`synchronous=FULL`, so the fsync happens here, off the server's event loop) and answers with its id.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { registerIdFunctions } from './id-codec.js';
import type { SqlExecutor, SqlParam } from './sql-driver.js';
import { applyPlan } from './write-plan.js';
import type { WritePlan } from './write-plan.js';

interface Request {
  id: number;
  /** A WritePlan as JSON. */
  plan?: string;
  /** `[sql, params][]` as JSON, run in order. */
  statements?: string;
}

const { file, synchronous } = workerData as { file: string; synchronous: 'full' | 'normal'; entry: string };
const db = new Database(file);
db.pragma('journal_mode = WAL');
db.pragma(`synchronous = ${synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
db.pragma('busy_timeout = 5000');
registerIdFunctions(db);
const statements = new Map<string, Database.Statement>();
const prepare = (sql: string) => {
  let stmt = statements.get(sql);
  if (!stmt) statements.set(sql, (stmt = db.prepare(sql)));
  return stmt;
};
const tx: SqlExecutor = {
  async all<T>(sql: string, params: readonly SqlParam[] = []) {
    return prepare(sql).all(...params) as T[];
  },
  async run(sql: string, params: readonly SqlParam[] = []) {
    return prepare(sql).run(...params).changes;
  },
};

parentPort!.on('message', (request: Request | 'close') => {
  if (request === 'close') {
    db.close();
    parentPort!.close();
    return;
  }
  void (async () => {
    db.exec('BEGIN IMMEDIATE');
    try {
      if (request.plan !== undefined) await applyPlan(tx, JSON.parse(request.plan) as WritePlan, 'sqlite');
      if (request.statements !== undefined) {
        for (const [sql, params] of JSON.parse(request.statements) as [string, SqlParam[]][])
          await tx.run(sql, params);
      }
      db.exec('COMMIT');
      parentPort!.postMessage({ id: request.id, ok: true });
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      parentPort!.postMessage({ id: request.id, ok: false, message: (error as Error).message });
    }
  })();
});
