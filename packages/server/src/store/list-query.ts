/**
 * Building blocks of the list queries: a `WHERE` assembled from optional clauses, the case-sensitive substring
 * test of each engine, and the cut of `limit + 1` rows into one page and the cursor of the next.
 */
import { encodeCursor } from './cursor.js';
import type { ListPage } from './records.js';
import type { SqlDriver, SqlParam } from './sql-driver.js';

/** Builds `WHERE a AND b ...` from optional clauses. */
export class Where {
  readonly clauses: string[] = [];
  readonly params: SqlParam[] = [];
  add(clause: string, ...params: SqlParam[]): this {
    this.clauses.push(clause);
    this.params.push(...params);
    return this;
  }
  toString(): string {
    return this.clauses.length ? `WHERE ${this.clauses.join(' AND ')}` : '';
  }
}

/** A clause true when `column` contains the `?` parameter. */
export function containsClause(dialect: SqlDriver['dialect'], column: string): string {
  // Case-sensitive substring test; SQLite's LIKE ignores ASCII case, so neither engine uses LIKE.
  return dialect === 'sqlite' ? `instr(${column}, ?) > 0` : `strpos(${column}, ?) > 0`;
}

/** One page of `rows` (fetched with `LIMIT limit + 1`); the next cursor is the sort key of its last item. */
export function toListPage<T>(
  rows: T[],
  limit: number,
  key: (item: T, index: number) => (string | number)[],
): ListPage<T> {
  if (rows.length <= limit) return { items: rows, next: null };
  const items = rows.slice(0, limit);
  return { items, next: encodeCursor(key(items[limit - 1]!, limit - 1)) };
}
