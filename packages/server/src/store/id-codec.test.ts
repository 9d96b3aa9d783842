import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { idBytes, idText, registerIdFunctions } from './id-codec.js';

const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
/** Any id ingest accepts: `^[A-Za-z0-9_-]{8,64}$`. */
const anyId = fc
  .array(fc.constantFrom(...ID_CHARS), { minLength: 8, maxLength: 64 })
  .map((chars) => chars.join(''));
const hexId = fc
  .uint8Array({ minLength: 16, maxLength: 16 })
  .map((b) => Buffer.from(b).toString('hex').toUpperCase());

describe('id codec', () => {
  it('stores a tracker id (32 uppercase hex digits) in 16 bytes', () => {
    const id = '44D25DDB78174DEC8F33E28F96428336';
    expect(idBytes(id).toString('hex')).toBe(id.toLowerCase());
    expect(idText(idBytes(id))).toBe(id);
  });

  it('keeps other ids as their characters, and never in 16 bytes', () => {
    expect(idBytes('visit-0001').toString('latin1')).toBe('visit-0001');
    expect(idBytes('44d25ddb78174dec8f33e28f96428336')).toHaveLength(32); // lowercase hex is not the tracker's form
    const sixteen = 'abcdefgh_1234567';
    expect(idBytes(sixteen)).toHaveLength(17);
    expect(idText(idBytes(sixteen))).toBe(sixteen);
  });

  it('round-trips every valid id, and distinct ids stay distinct', () => {
    fc.assert(
      fc.property(fc.oneof(anyId, hexId), fc.oneof(anyId, hexId), (a, b) => {
        expect(idText(idBytes(a))).toBe(a);
        expect(idBytes(a).equals(idBytes(b))).toBe(a === b);
      }),
      { numRuns: 2000 },
    );
  });

  it('gives SQLite the same functions, NULL in and out', () => {
    const db = new Database(':memory:');
    registerIdFunctions(db);
    const row = (sql: string, ...params: unknown[]) =>
      db
        .prepare(sql)
        .pluck()
        .get(...params);
    const id = 'C0FFEE00C0FFEE00C0FFEE00C0FFEE00';
    expect(row('SELECT length(beckon_id(?))', id)).toBe(16);
    expect(row('SELECT beckon_text(beckon_id(?))', id)).toBe(id);
    expect(row('SELECT beckon_text(beckon_id(?))', 'short-id')).toBe('short-id');
    expect(row('SELECT beckon_id(NULL)')).toBeNull();
    expect(row('SELECT beckon_text(NULL)')).toBeNull();
    db.close();
  });
});
