import { describe, expect, it } from 'vitest';
import { pageBelongsToVisit, parseConnectRequest } from './connect-request.js';

const V = 'A'.repeat(32);
const P = 'B'.repeat(32);
const q = (s: string) => new URLSearchParams(s);

describe('push connection request', () => {
  it('reads both id spellings and lastSeq; Last-Event-ID wins over lastSeq', () => {
    expect(parseConnectRequest(q(`visitID=${V}&pageID=${P}`))).toEqual({
      visitId: V,
      pageId: P,
      lastSeq: undefined,
    });
    expect(parseConnectRequest(q(`visitId=${V}&pageId=${P}&lastSeq=7`))?.lastSeq).toBe(7);
    expect(parseConnectRequest(q(`visitID=${V}&pageID=${P}&lastSeq=7`), '9')?.lastSeq).toBe(9);
    expect(parseConnectRequest(q(`visitID=${V}&pageID=${P}`), ['4'])?.lastSeq).toBe(4);
  });

  it('rejects malformed ids and sequence numbers', () => {
    expect(parseConnectRequest(q(`pageID=${P}`))).toBeNull();
    expect(parseConnectRequest(q(`visitID=short&pageID=${P}`))).toBeNull();
    expect(parseConnectRequest(q(`visitID=${V}&pageID=${P}&lastSeq=-1`))).toBeNull();
    expect(parseConnectRequest(q(`visitID=${V}&pageID=${P}`), 'abc')).toBeNull();
  });

  it('accepts a page only for the visit that owns it', async () => {
    const store = { pageOwners: async (ids: readonly string[]) => new Map(ids.map((id) => [id, V])) };
    expect(await pageBelongsToVisit(store, { visitId: V, pageId: P, lastSeq: undefined })).toBe(true);
    expect(await pageBelongsToVisit(store, { visitId: 'C'.repeat(32), pageId: P, lastSeq: undefined })).toBe(
      false,
    );
    const empty = { pageOwners: async () => new Map<string, string>() };
    expect(await pageBelongsToVisit(empty, { visitId: V, pageId: P, lastSeq: undefined })).toBe(false);
  });
});
