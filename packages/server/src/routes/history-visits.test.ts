import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PageResource, StoredEvent, VisitResource } from '@beckon/protocol';
import { GENERATED_ID_PATTERN } from '@beckon/protocol';
import { T0, newId } from '../testing/test-app.js';
import {
  EVENT_FIELDS,
  PAGE_FIELDS,
  UA_A,
  UA_B,
  VISIT_FIELDS,
  createHistoryFixture,
  userAgentId,
} from '../testing/history-fixture.js';
import type { HistoryFixture } from '../testing/history-fixture.js';

let f: HistoryFixture;
beforeAll(async () => {
  f = await createHistoryFixture();
});
afterAll(async () => {
  await f.t.close();
});

const get = (path: string) => f.t.get(path);
const ok = async <T>(path: string): Promise<T> => {
  const res = await get(path);
  expect(res.statusCode, `${path}: ${res.body}`).toBe(200);
  expect(res.headers['content-type']).toMatch(/^application\/json; charset=utf-8$/i);
  return res.json<T>();
};
const expectError = async (path: string, status: number, code: string, mentions?: string) => {
  const res = await get(path);
  expect(res.statusCode, `${path}: ${res.body}`).toBe(status);
  expect(Object.keys(res.json()).sort()).toStrictEqual(['code', 'message']);
  expect(res.json().code).toBe(code);
  if (mentions) expect(res.json().message).toContain(mentions);
};
const names = (events: StoredEvent[]) => events.map((e) => e.eventName);

describe('GET /server/data/visits/{visitId}', () => {
  it('returns the §12.2 Visit with exactly its fields and not-requested lists null', async () => {
    const visit = await ok<VisitResource>(`/visits/${f.a.visitID}`);
    expect(Object.keys(visit)).toStrictEqual(VISIT_FIELDS);
    expect(visit).toStrictEqual({
      visitId: f.a.visitID,
      globalVisitID: f.a.globalVisitID,
      userAgentId: userAgentId(UA_A),
      startDate: T0,
      endDate: 0,
      pageIds: null,
      pages: null,
      eventIds: null,
      events: null,
      userAgent: UA_A,
      languageCode: 'en-US',
      referrer: 'https://www.google.com/',
      pageCount: 2,
    });
  });

  it('include_pages fills pageIds only; include_pages_detail fills pages too', async () => {
    const ids = await ok<VisitResource>(`/visits/${f.a.visitID}?include_pages=true`);
    expect(ids.pageIds).toStrictEqual([f.pages.p1, f.pages.p2]);
    expect(ids.pages).toBeNull();
    expect(ids.eventIds).toBeNull();
    const detail = await ok<VisitResource>(
      `/visits/${f.a.visitID}?include_pages=true&include_pages_detail=true`,
    );
    expect(detail.pageIds).toStrictEqual([f.pages.p1, f.pages.p2]);
    expect(detail.pages?.map((p) => p.pageId)).toStrictEqual([f.pages.p1, f.pages.p2]);
    for (const page of detail.pages ?? []) expect(Object.keys(page)).toStrictEqual(PAGE_FIELDS);
    expect(detail.events).toBeNull();
  });

  it('include_events fills eventIds only; include_events_detail fills events too', async () => {
    const ids = await ok<VisitResource>(`/visits/${f.a.visitID}?include_events=true`);
    expect(ids.eventIds).toStrictEqual(f.eventsA.map((e) => e.id));
    expect(ids.events).toBeNull();
    expect(ids.pageIds).toBeNull();
    const detail = await ok<VisitResource>(
      `/visits/${f.a.visitID}?include_events=true&include_events_detail=true`,
    );
    expect(detail.events?.map((e) => e.eventID)).toStrictEqual(f.eventsA.map((e) => e.id));
    for (const event of detail.events ?? []) expect(Object.keys(event)).toStrictEqual(EVENT_FIELDS);
  });

  it('answers 400 invalidParameter to _detail without its plain flag, or to a non-boolean flag', async () => {
    await expectError(
      `/visits/${f.a.visitID}?include_pages_detail=true`,
      400,
      'invalidParameter',
      'include_pages',
    );
    await expectError(
      `/visits/${f.a.visitID}?include_events_detail=true&include_events=false`,
      400,
      'invalidParameter',
      'include_events',
    );
    await expectError(`/visits/${f.a.visitID}?include_pages=maybe`, 400, 'invalidParameter', 'include_pages');
  });

  it('answers 404 notFound to an unknown visit and 400 to a malformed id', async () => {
    await expectError(`/visits/${newId()}`, 404, 'notFound');
    await expectError('/visits/bad%20id', 400, 'invalidParameter', 'visitId');
  });
});

describe('POST /server/data/visits', () => {
  const post = (payload: unknown) =>
    f.t.api({ method: 'POST', url: '/server/data/visits', payload: payload as object });

  it('creates a visit (201) and answers 409 conflict when it exists', async () => {
    const visitId = newId();
    const globalVisitID = newId();
    const res = await post({ visitId, globalVisitID, userAgent: 'Integration/1.0', startDate: T0 + 5 });
    expect(res.statusCode).toBe(201);
    const visit = res.json<VisitResource>();
    expect(Object.keys(visit)).toStrictEqual(VISIT_FIELDS);
    expect(visit).toMatchObject({
      visitId,
      globalVisitID,
      userAgent: 'Integration/1.0',
      userAgentId: userAgentId('Integration/1.0'),
      startDate: T0 + 5,
      pageCount: 0,
      pageIds: null,
    });
    expect((await ok<VisitResource>(`/visits/${visitId}`)).visitId).toBe(visitId);
    const again = await post({ visitId, globalVisitID });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('conflict');
  });

  it('generates a visitId when none is given and accepts the visitID spelling', async () => {
    const res = await post({ globalVisitID: newId() });
    expect(res.statusCode).toBe(201);
    expect(res.json().visitId).toMatch(GENERATED_ID_PATTERN);
    const visitID = newId();
    const spelled = await post({ visitID, globalVisitID: newId() });
    expect(spelled.json().visitId).toBe(visitID);
  });

  it('answers 400 naming the field to a body without globalVisitID or with a bad one', async () => {
    const missing = await post({ visitId: newId() });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().code).toBe('missingField');
    expect(missing.json().message).toContain('globalVisitID');
    const bad = await post({ globalVisitID: 'x' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('invalidField');
    expect(bad.json().message).toContain('globalVisitID');
  });
});

describe('GET /server/data/visits?globalVisitID=', () => {
  it('lists the visits of one browser, newest first', async () => {
    const visits = await ok<VisitResource[]>(`/visits?globalVisitID=${f.a.globalVisitID}`);
    expect(visits.map((v) => v.visitId)).toStrictEqual([f.b.visitID, f.a.visitID]);
    for (const v of visits) expect(Object.keys(v)).toStrictEqual(VISIT_FIELDS);
    const withPages = await ok<VisitResource[]>(
      `/visits?globalVisitID=${f.a.globalVisitID}&include_pages=true`,
    );
    expect(withPages.map((v) => v.pageIds)).toStrictEqual([[f.pages.p3], [f.pages.p1, f.pages.p2]]);
  });

  it('answers [] for an unknown browser and 400 naming globalVisitID when it is missing', async () => {
    expect(await ok(`/visits?globalVisitID=${newId()}`)).toStrictEqual([]);
    await expectError('/visits', 400, 'invalidParameter', 'globalVisitID');
  });
});

describe('GET /server/data/visits/{visitId}/events', () => {
  const events = (query = '') => ok<StoredEvent[]>(`/visits/${f.a.visitID}/events${query}`);

  it('lists the events of a visit in arrival order, as §7 events with category and receivedAt', async () => {
    const all = await events();
    expect(all.map((e) => e.eventID)).toStrictEqual(f.eventsA.map((e) => e.id));
    expect(all.map((e) => e.receivedAt)).toStrictEqual(f.eventsA.map((e) => e.at));
    for (const e of all) expect(Object.keys(e)).toStrictEqual(EVENT_FIELDS);
    expect(all[2]).toMatchObject({ eventName: 'AddToCart', category: 'Products', visitID: f.a.visitID });
  });

  it('filters by age (seconds before now, on receivedAt)', async () => {
    // now = T0 + 300 s: age 290 keeps events received at T0 + 10 s and later.
    expect(names(await events('?age=290'))).toStrictEqual(['PageExited', 'PageEntered', 'Purchase']);
    expect(names(await events('?age=280'))).toStrictEqual(['Purchase']);
    expect(await events('?age=0')).toStrictEqual([]);
  });

  it('filters by eventName, eventType, url and browserPageID', async () => {
    expect(names(await events('?eventName=SignIn'))).toStrictEqual(['SignIn']);
    expect(names(await events('?eventType=BUSINESS'))).toStrictEqual(['AddToCart', 'Purchase']);
    expect((await events('?eventType=SYSTEM')).length).toBe(5);
    expect(names(await events('?url=checkout%3Fstep'))).toStrictEqual(['Purchase']);
    expect(await events('?url=CHECKOUT')).toStrictEqual([]); // case-sensitive
    expect(names(await events(`?browserPageID=${f.pages.p2}`))).toStrictEqual(['PageEntered', 'Purchase']);
    expect(names(await events('?eventType=SYSTEM&eventName=PageEntered&age=295'))).toStrictEqual([
      'PageEntered',
    ]);
  });

  it('filters by category name, and `all categories` keeps events with at least one', async () => {
    const products = await events('?category=Products');
    expect(products.length).toBeGreaterThan(0);
    expect(products.every((e) => e.category.split(';').includes('Products'))).toBe(true);
    expect(names(products)).toStrictEqual([
      'VisitStarted',
      'PageEntered',
      'AddToCart',
      'SignIn',
      'PageExited',
    ]);
    expect(names(await events('?category=all%20categories'))).toStrictEqual(names(products));
    expect(await events('?category=Nope')).toStrictEqual([]);
  });

  it('answers 400 invalidParameter naming the parameter to bad values', async () => {
    const base = `/visits/${f.a.visitID}/events`;
    await expectError(`${base}?age=-1`, 400, 'invalidParameter', 'age');
    await expectError(`${base}?age=soon`, 400, 'invalidParameter', 'age');
    await expectError(`${base}?eventType=OTHER`, 400, 'invalidParameter', 'eventType');
    await expectError(`${base}?browserPageID=no`, 400, 'invalidParameter', 'browserPageID');
    await expectError(`${base}?limit=0`, 400, 'invalidParameter', 'limit');
    await expectError(`${base}?limit=1001`, 400, 'invalidParameter', 'limit');
    await expectError(`${base}?cursor=garbage`, 400, 'invalidParameter', 'cursor');
  });

  it('ignores unknown parameters and answers 404 for an unknown visit', async () => {
    expect((await events('?colour=blue')).length).toBe(f.eventsA.length);
    await expectError(`/visits/${newId()}/events`, 404, 'notFound');
  });
});

describe('GET /server/data/visits/{visitId}/pages', () => {
  it('lists pages in time order as §12.2 Pages', async () => {
    const pages = await ok<PageResource[]>(`/visits/${f.a.visitID}/pages`);
    expect(pages.map((p) => Object.keys(p))).toStrictEqual([PAGE_FIELDS, PAGE_FIELDS]);
    expect(pages[0]).toStrictEqual({
      pageId: f.pages.p1,
      visitId: f.a.visitID,
      url: 'https://shop.example.com/tv',
      title: 'TVs',
      referrer: 'https://www.google.com/',
      startDate: T0,
      endDate: T0 + 10_000,
      durationMs: 10_000,
      category: 'Products',
      identityId: null,
      eventIds: null,
      events: null,
    });
    expect(pages[1]).toMatchObject({
      pageId: f.pages.p2,
      title: 'Checkout',
      endDate: 0,
      durationMs: null,
      category: '',
      identityId: 'jane@example.com', // authenticated when the page started
    });
  });

  it('include_events[_detail] fills each page with its events', async () => {
    const ids = await ok<PageResource[]>(`/visits/${f.a.visitID}/pages?include_events=true`);
    expect(ids[1]?.eventIds).toStrictEqual(f.eventsA.slice(5).map((e) => e.id));
    expect(ids[1]?.events).toBeNull();
    const detail = await ok<PageResource[]>(
      `/visits/${f.a.visitID}/pages?include_events=true&include_events_detail=true`,
    );
    expect(detail[0]?.events?.map((e) => e.eventName)).toStrictEqual([
      'VisitStarted',
      'PageEntered',
      'AddToCart',
      'SignIn',
      'PageExited',
    ]);
    await expectError(`/visits/${f.a.visitID}/pages?include_events_detail=true`, 400, 'invalidParameter');
    await expectError(`/visits/${newId()}/pages`, 404, 'notFound');
  });
});

describe('GET /server/data/pages/{pageId}[/events]', () => {
  it('returns one page, with its events on request', async () => {
    const page = await ok<PageResource>(`/pages/${f.pages.p3}?include_events=true`);
    expect(Object.keys(page)).toStrictEqual(PAGE_FIELDS);
    expect(page).toMatchObject({ pageId: f.pages.p3, visitId: f.b.visitID, title: 'Home' });
    expect(page.eventIds).toHaveLength(4);
    await expectError(`/pages/${newId()}`, 404, 'notFound');
  });

  it('lists the events of a page with age, eventName, eventType and category', async () => {
    const base = `/pages/${f.pages.p1}/events`;
    expect(names(await ok(base))).toStrictEqual([
      'VisitStarted',
      'PageEntered',
      'AddToCart',
      'SignIn',
      'PageExited',
    ]);
    expect(names(await ok(`${base}?eventType=BUSINESS`))).toStrictEqual(['AddToCart']);
    expect(names(await ok(`${base}?eventName=PageExited`))).toStrictEqual(['PageExited']);
    expect(names(await ok(`${base}?age=299`))).toStrictEqual(['AddToCart', 'SignIn', 'PageExited']);
    expect(names(await ok(`/pages/${f.pages.p2}/events?category=Products`))).toStrictEqual([]);
    expect(names(await ok(`/pages/${f.pages.p2}/events?category=all%20categories`))).toStrictEqual([]);
    await expectError(`${base}?eventType=business`, 400, 'invalidParameter', 'eventType');
    await expectError(`/pages/${newId()}/events`, 404, 'notFound');
  });
});

describe('GET /server/data/visits/{visitId}/sessions', () => {
  it('answers 501 notImplemented', async () => {
    await expectError(`/visits/${f.a.visitID}/sessions`, 501, 'notImplemented');
  });
});

describe('visit endDate', () => {
  it('is the last receivedAt once the visit is inactive for visit.inactivityTimeout', async () => {
    const before = f.t.clock.now();
    f.t.clock.set(T0 + 20_000 + 1800_000);
    try {
      const a = await ok<VisitResource>(`/visits/${f.a.visitID}`);
      expect(a.endDate).toBe(T0 + 20_000);
      const b = await ok<VisitResource[]>(
        `/visits?globalVisitID=${f.b.globalVisitID}&userAgent=${encodeURIComponent(UA_B)}`,
      );
      expect(b.map((v) => [v.visitId, v.endDate])).toStrictEqual([[f.b.visitID, 0]]);
    } finally {
      f.t.clock.set(before);
    }
  });
});
