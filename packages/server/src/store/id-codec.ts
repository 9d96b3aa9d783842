/**
 * How the events table stores its three ids: as bytes, half the size of their text for the ids the tracker makes
 * (32 uppercase hex digits = 16 bytes), which is most of the row and of both its indexes (docs/ingest.md,
 * "Storage"). Any other valid id (`^[A-Za-z0-9_-]{8,64}$`) is stored as its ASCII bytes; one of 16 characters gets a
 * 0x00 appended, so that 16 bytes always mean hex. Only the events table is encoded: visits and pages keep text,
 * and queries convert at the join.
 *
 * SQL sees two functions with the same meaning on both engines: `beckon_id(text) → bytes` and
 * `beckon_text(bytes) → text`. SQLite gets them from {@link registerIdFunctions} on every connection; PostgreSQL
 * from migration 10 (SQL functions the planner inlines). Migration 9 rewrites SQLite rows stored before. The two
 * hot paths, the insert of each event and the dedupe look-up, encode in JavaScript instead ({@link idBytes}): a
 * SQLite function call costs about 1 µs, against about 0.3 µs here.
 */
import type Database from 'better-sqlite3';

const HEX32 = /^[0-9A-F]{32}$/;

/** The stored form of an id. */
export function idBytes(id: string): Buffer {
  if (HEX32.test(id)) return Buffer.from(id, 'hex');
  const ascii = Buffer.from(id, 'latin1');
  return ascii.length === 16 ? Buffer.concat([ascii, Buffer.alloc(1)]) : ascii;
}

/** The id of a stored form (text passes through: a row written before migration 9). */
export function idText(stored: Uint8Array | string): string {
  if (typeof stored === 'string') return stored;
  const b = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
  if (b.length === 16) return b.toString('hex').toUpperCase();
  return b.toString('latin1', 0, b.length === 17 && b[16] === 0 ? 16 : b.length);
}

/** Defines `beckon_id` and `beckon_text` on a SQLite connection (NULL in, NULL out). */
export function registerIdFunctions(db: Database.Database): void {
  const options = { deterministic: true, varargs: false };
  db.function('beckon_id', options, (id: unknown) =>
    id === null ? null : typeof id === 'string' ? idBytes(id) : (id as Buffer),
  );
  db.function('beckon_text', options, (stored: unknown) =>
    stored === null ? null : idText(stored as Uint8Array | string),
  );
}
