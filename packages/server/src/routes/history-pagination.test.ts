import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { T0, createTestApp, newId, testVisit } from '../testing/test-app.js';
import type { TestApp, TestVisit } from '../testing/test-app.js';

let t: TestApp;
let v: TestVisit;
const eventIds: string[] = [];
const pageIds: string[] = [];
const gvid = newId();
const visitIds: string[] = [];
const identityIds: string[] = [];

beforeAll(async () => {
  t = await createTestApp();
  // One visit with 23 events over 12 pages, some at the same millisecond.
  v = testVisit();
  for (let i = 0; i < 23; i++) {
    if (i % 2 === 0) pageIds.push(v.newPage());
    t.clock.set(T0 + Math.floor(i / 3) * 1000);
    const e = v.event({ eventName: i % 5 === 0 ? 'Special' : 'Plain', eventType: 'BUSINESS' });
    eventIds.push(String(e.eventID));
    expect((await t.send([e])).json().accepted).toBe(1);
  }
  // 13 visits of one browser (two start at the same time), each signing in a different user.
  for (let i = 0; i < 13; i++) {
    t.clock.set(T0 + 100_000 + Math.min(i, 11) * 1000);
    const w = testVisit({ globalVisitID: gvid });
    visitIds.push(w.visitID);
    const user = `user-${String(i).padStart(2, '0')}`;
    identityIds.push(user);
    const res = await t.send([w.event({ eventType: 'SYSTEM', eventName: 'SignIn', data: { userId: user } })]);
    expect(res.json().accepted).toBe(1);
  }
  t.clock.set(T0 + 200_000);
});
afterAll(async () => {
  await t.close();
});

/**
 * Follows the pagination of `path` with `limit`, checking on every page that `Link` and `X-Beckon-Next-Cursor`
 * agree, that pages are full until the last, and that the last page has neither header.
 */
async function collect(path: string, limit: number, key: (item: Record<string, unknown>) => string) {
  const seen: string[] = [];
  let url: string | null = `${path}${path.includes('?') ? '&' : '?'}limit=${limit}`;
  let viaLink = true;
  for (let pageNo = 0; url !== null; pageNo++) {
    expect(pageNo).toBeLessThan(100);
    const res = await t.api({ method: 'GET', url });
    expect(res.statusCode, res.body).toBe(200);
    const items = res.json<Record<string, unknown>[]>();
    expect(Array.isArray(items)).toBe(true);
    seen.push(...items.map(key));
    const cursor = res.headers['x-beckon-next-cursor'];
    const link = res.headers.link;
    if (cursor === undefined) {
      expect(link).toBeUndefined();
      url = null;
      continue;
    }
    expect(items).toHaveLength(limit);
    const match = /^<([^>]+)>; rel="next"$/.exec(String(link));
    expect(match, String(link)).not.toBeNull();
    const next = new URL(match![1]!, 'http://x');
    expect(next.searchParams.get('cursor')).toBe(cursor);
    expect(next.searchParams.get('limit')).toBe(String(limit));
    // Alternate between following the Link and adding the cursor to the first URL by hand.
    url = viaLink
      ? `${next.pathname}${next.search}`
      : `${path}${path.includes('?') ? '&' : '?'}limit=${limit}&cursor=${encodeURIComponent(String(cursor))}`;
    viaLink = !viaLink;
  }
  return seen;
}

describe('History API pagination', () => {
  it('walks events by visit with no gaps or repeats, for every page size', async () => {
    for (const limit of [1, 2, 5, 7, 22, 23, 24, 1000]) {
      expect(
        await collect(`/server/data/visits/${v.visitID}/events`, limit, (e) => String(e.eventID)),
      ).toStrictEqual(eventIds);
    }
  });

  it('keeps filters across pages', async () => {
    const special = eventIds.filter((_, i) => i % 5 === 0);
    expect(
      await collect(`/server/data/visits/${v.visitID}/events?eventName=Special`, 2, (e) => String(e.eventID)),
    ).toStrictEqual(special);
    const lastPage = pageIds.at(-1)!;
    expect(await collect(`/server/data/pages/${lastPage}/events`, 1, (e) => String(e.eventID))).toStrictEqual(
      eventIds.slice(22),
    );
  });

  it('walks pages by visit in time order (pages of the same millisecond by pageId)', async () => {
    const all = await t.get(`/visits/${v.visitID}/pages?limit=1000`);
    const pages = all.json<{ pageId: string; startDate: number }[]>();
    const expected = [...pages]
      .sort((x, y) => x.startDate - y.startDate || (x.pageId < y.pageId ? -1 : 1))
      .map((p) => p.pageId);
    expect(new Set(expected)).toStrictEqual(new Set(pageIds));
    expect(pages.map((p) => p.pageId)).toStrictEqual(expected);
    for (const limit of [1, 5, 11, 12]) {
      expect(
        await collect(`/server/data/visits/${v.visitID}/pages`, limit, (p) => String(p.pageId)),
      ).toStrictEqual(expected);
    }
  });

  it('walks visits newest first, including visits that started at the same millisecond', async () => {
    const all = await collect(`/server/data/visits?globalVisitID=${gvid}`, 1000, (x) => String(x.visitId));
    expect(new Set(all)).toStrictEqual(new Set(visitIds));
    expect(all.slice(2)).toStrictEqual(visitIds.slice(0, 11).reverse());
    for (const limit of [1, 3, 4]) {
      expect(
        await collect(`/server/data/visits?globalVisitID=${gvid}`, limit, (x) => String(x.visitId)),
      ).toStrictEqual(all);
    }
  });

  it('walks identities and the visits of an identity', async () => {
    expect(await collect('/server/data/identities', 4, (i) => String(i.identityId))).toStrictEqual(
      identityIds,
    );
    expect(
      await collect(`/server/data/identities/${identityIds[3]}/visits`, 1, (x) => String(x.visitId)),
    ).toStrictEqual([visitIds[3]]);
    expect(
      await collect(`/server/data/visits/${visitIds[12]}/identities`, 1, (i) => String(i.identityId)),
    ).toStrictEqual([identityIds[12]]);
  });

  it('uses api.defaultLimit when no limit is given', async () => {
    const small = await createTestApp({ config: { api: { defaultLimit: 3 } } });
    try {
      const w = testVisit();
      await small.send([w.event(), w.event(), w.event(), w.event()]);
      const res = await small.get(`/visits/${w.visitID}/events`);
      expect(res.json()).toHaveLength(3);
      expect(res.headers['x-beckon-next-cursor']).toBeDefined();
    } finally {
      await small.close();
    }
  });

  it('answers 400 invalidParameter to a cursor it did not issue', async () => {
    for (const cursor of ['nope', encodeURIComponent('[1]'), 'WyJhIiwiYiJd', 'WyJhIl0', 'x'.repeat(600)]) {
      const res = await t.get(`/visits/${v.visitID}/events?cursor=${cursor}`);
      expect(res.statusCode, cursor).toBe(400);
      expect(res.json()).toMatchObject({ code: 'invalidParameter' });
      expect(res.json().message).toContain('cursor');
    }
  });
});
