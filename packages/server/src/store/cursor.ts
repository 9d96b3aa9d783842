/**
 * Opaque pagination cursors: the sort key of the last item of a page, as base64url JSON. A cursor that does not
 * decode is an `invalidParameter` error naming `cursor`.
 */
import { BeckonError } from '@beckon/protocol';

export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** Decodes a cursor whose key has exactly the given element types, e.g. `['number', 'string']`. */
export function decodeCursor(cursor: string, types: readonly ('string' | 'number')[]): (string | number)[] {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(key) &&
      key.length === types.length &&
      key.every((k, i) => typeof k === types[i] && (typeof k !== 'number' || Number.isFinite(k)))
    ) {
      return key as (string | number)[];
    }
  } catch {
    // fall through to the error below
  }
  throw new BeckonError('invalidParameter', 'cursor is not a cursor returned by this API');
}
