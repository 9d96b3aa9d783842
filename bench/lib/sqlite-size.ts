/**
 * Storage cost of events in Beckon's embedded SQLite store, read after the server has stopped: the number of
 * stored events, and the bytes the `events` table and its indexes occupy (SQLite's `dbstat` virtual table when
 * compiled in, else the file size after a WAL checkpoint), divided by the event count.
 */
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { idBytes } from '../../packages/server/src/store/id-codec.js';

// better-sqlite3 is a dependency of @beckon/server; resolve it from there.
const serverRequire = createRequire(
  path.join(path.dirname(new URL(import.meta.url).pathname), '../../packages/server/package.json'),
);
const Database = serverRequire('better-sqlite3') as typeof BetterSqlite3;

export interface StoreSize {
  events: number;
  /** Bytes of the events table and its indexes per event. */
  bytesPerEvent: number;
  /** Bytes of the whole database file (visits, pages, identities too) per event. */
  dbBytesPerEvent: number;
  /** How `bytesPerEvent` was measured. */
  method: 'dbstat' | 'file size';
  /** Bytes per object (table or index) of the events table, when dbstat is available. */
  objects: Record<string, number>;
  visits: number;
  pages: number;
  /** How many of the `lookUp` eventIDs are stored. */
  found: number;
}

/** Measures `<dataDir>/beckon.db` and looks up `lookUp` eventIDs; the server must have stopped. */
export function measureStore(dataDir: string, lookUp: readonly string[] = []): StoreSize {
  const file = path.join(dataDir, 'beckon.db');
  const db = new Database(file);
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
    const count = (table: string) =>
      (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    const events = count('events');
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const pageCount = db.pragma('page_count', { simple: true }) as number;
    const fileBytes = Math.max(pageSize * pageCount, statSync(file).size);
    const objects: Record<string, number> = {};
    let method: StoreSize['method'] = 'dbstat';
    let eventBytes = fileBytes;
    try {
      const names = (
        db.prepare("SELECT name FROM sqlite_master WHERE tbl_name = 'events'").all() as { name: string }[]
      ).map((r) => r.name);
      const rows = db
        .prepare(
          `SELECT name, sum(pgsize) AS bytes FROM dbstat WHERE name IN (${names.map(() => '?').join(',')}) GROUP BY name`,
        )
        .all(...names) as { name: string; bytes: number }[];
      eventBytes = 0;
      for (const row of rows) {
        objects[row.name] = row.bytes;
        eventBytes += row.bytes;
      }
    } catch {
      method = 'file size';
    }
    const exists = db.prepare('SELECT 1 FROM events WHERE event_id = ?').pluck();
    // the events table stores ids as bytes (packages/server/src/store/id-codec.ts)
    const found = lookUp.filter((id) => exists.get(idBytes(id)) !== undefined).length;
    return {
      found,
      events,
      bytesPerEvent: events ? eventBytes / events : 0,
      dbBytesPerEvent: events ? fileBytes / events : 0,
      method,
      objects,
      visits: count('visits'),
      pages: count('pages'),
    };
  } finally {
    db.close();
  }
}
