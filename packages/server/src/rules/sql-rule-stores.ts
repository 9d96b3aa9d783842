/**
 * SQL adapters of the rules host's ports (works on SQLite and PostgreSQL). Rule state is saved at many evaluation
 * points of many visits (when `snapshots.ts` says so), so saves are group-committed: all saves of one event-loop
 * turn go into one durable transaction (on the SQLite writer thread when there is one), and each `save` resolves
 * after it.
 * A visit's state, its next deadline and its actionable events commit together, so a restart never fires twice.
 */
import type { ActionableEvent } from '@beckon/core/rules';
import type { SqlStore } from '../store/sql-store.js';
import type { StatementBatch } from '../store/sqlite-writer-thread.js';
import type {
  DueVisit,
  RulePackageStore,
  RuleStateRecord,
  RuleStateStore,
  StoredRulePackage,
} from './rule-state-store.js';

const UPSERT_STATE = `INSERT INTO rule_states (visit_id, state, next_deadline) VALUES (?, ?, ?)
  ON CONFLICT (visit_id) DO UPDATE SET state = excluded.state, next_deadline = excluded.next_deadline`;
const INSERT_ACTIONABLE = `INSERT INTO actionable_events (actionable_id, visit_id, rule_id, created_at, body)
  VALUES (?, ?, ?, ?, ?) ON CONFLICT (actionable_id) DO NOTHING`;

interface Pending {
  statements: StatementBatch;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class SqlRuleStateStore implements RuleStateStore {
  readonly #store: SqlStore;
  #queue: Pending[] = [];
  #flushing = false;

  constructor(store: SqlStore) {
    this.#store = store;
  }

  async load(visitId: string): Promise<string | null> {
    const [row] = await this.#store.driver.all<{ state: string }>(
      'SELECT state FROM rule_states WHERE visit_id = ?',
      [visitId],
    );
    return row ? row.state : null;
  }

  save(visitId: string, record: RuleStateRecord): Promise<void> {
    const statements: [string, (string | number | null)[]][] = [
      [UPSERT_STATE, [visitId, record.state, record.nextDeadline]],
    ];
    for (const a of record.actionable) {
      statements.push([INSERT_ACTIONABLE, [a.id, a.visitID, a.ruleId, a.timestamp, JSON.stringify(a)]]);
    }
    return new Promise((resolve, reject) => {
      this.#queue.push({ statements, resolve, reject });
      if (!this.#flushing) {
        this.#flushing = true;
        setImmediate(() => void this.#flush());
      }
    });
  }

  async #flush(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue;
      this.#queue = [];
      try {
        await this.#store.commitStatements(batch.flatMap((p) => p.statements));
        for (const p of batch) p.resolve();
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
    }
    this.#flushing = false;
  }

  async delete(visitId: string): Promise<void> {
    await this.#store.commitStatements([['DELETE FROM rule_states WHERE visit_id = ?', [visitId]]]);
  }

  async dueBefore(t: number, limit = 1000): Promise<DueVisit[]> {
    const rows = await this.#store.driver.all<{ visit_id: string; next_deadline: number }>(
      `SELECT visit_id, next_deadline FROM rule_states WHERE next_deadline IS NOT NULL AND next_deadline <= ?
       ORDER BY next_deadline LIMIT ?`,
      [Math.min(t, Number.MAX_SAFE_INTEGER), Math.min(limit, 1_000_000_000)],
    );
    return rows.map((r) => ({ visitId: r.visit_id, deadline: Number(r.next_deadline) }));
  }

  /** Actionable events of a visit, oldest first (History API `/visits/{visitId}/actionable`). */
  async actionable(visitId: string): Promise<ActionableEvent[]> {
    return (await this.#store.listActionable(visitId)) as ActionableEvent[];
  }
}

export class SqlRulePackageStore implements RulePackageStore {
  readonly #store: SqlStore;

  constructor(store: SqlStore) {
    this.#store = store;
  }

  async list(): Promise<StoredRulePackage[]> {
    const rows = await this.#store.driver.all<{ name: string; source: string; deployed_at: number }>(
      'SELECT name, source, deployed_at FROM rule_packages ORDER BY name',
    );
    return rows.map((r) => ({ name: r.name, source: r.source, deployedAt: Number(r.deployed_at) }));
  }

  async put(pkg: StoredRulePackage): Promise<void> {
    await this.#store.driver.transaction((tx) =>
      tx.run(
        `INSERT INTO rule_packages (name, source, deployed_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET source = excluded.source, deployed_at = excluded.deployed_at`,
        [pkg.name, pkg.source, pkg.deployedAt],
      ),
    );
  }

  async delete(name: string): Promise<void> {
    await this.#store.driver.transaction((tx) => tx.run('DELETE FROM rule_packages WHERE name = ?', [name]));
  }
}
