/**
 * A small, fully known history for the History API tests: three visits (two of one browser), pages entered and
 * exited, business events, a category, and identities signed in and recognized — each at a known fake-clock time,
 * so filters such as `age` have exact expected answers.
 */
import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import type { IngestResult } from '@beckon/protocol';
import { T0, createTestApp, testVisit } from './test-app.js';
import type { TestApp, TestVisit } from './test-app.js';

export const UA_A = 'Mozilla/5.0 (X11; Linux x86_64) Visit-A';
export const UA_B = 'Mozilla/5.0 (Macintosh) Visit-B';
export const UA_C = 'Mozilla/5.0 (Windows NT 10.0) Visit-C';

/** `userAgentId` as spec/compat.md §12.2 defines it. */
export const userAgentId = (ua: string): string =>
  createHash('sha256').update(ua).digest('hex').slice(0, 32).toUpperCase();

/** Exact field lists of the §12.2 resources, in spec order (the `<X>Truncated` flags only appear when true). */
export const VISIT_FIELDS = [
  'visitId',
  'globalVisitID',
  'userAgentId',
  'startDate',
  'endDate',
  'pageIds',
  'pages',
  'eventIds',
  'events',
  'userAgent',
  'languageCode',
  'referrer',
  'pageCount',
];
export const PAGE_FIELDS = [
  'pageId',
  'visitId',
  'url',
  'title',
  'referrer',
  'startDate',
  'endDate',
  'durationMs',
  'category',
  'identityId',
  'eventIds',
  'events',
];
export const IDENTITY_FIELDS = [
  'identityId',
  'name',
  'location',
  'entityInCS',
  'visitScope',
  'visitIds',
  'visits',
  'pageIds',
  'pages',
  'eventIds',
  'events',
  'verified',
  'firstName',
  'lastName',
  'emailAddress',
  'phoneNumber',
  'attributes',
  'firstSeen',
  'lastSeen',
];
export const EVENT_FIELDS = [
  'eventID',
  'eventType',
  'eventName',
  'pageID',
  'visitID',
  'globalVisitID',
  'timestamp',
  'receivedAt',
  'url',
  'languageCode',
  'category',
  'data',
  'seq',
];

export interface HistoryFixture {
  t: TestApp;
  a: TestVisit;
  b: TestVisit;
  c: TestVisit;
  /** Pages: p1, p2 of visit a; p3 of visit b; p4 of visit c. */
  pages: { p1: string; p2: string; p3: string; p4: string };
  /** eventIDs of visit a in arrival order, by name. */
  eventsA: { name: string; id: string; at: number }[];
}

async function sendAt(t: TestApp, at: number, ua: string, events: Record<string, unknown>[]): Promise<void> {
  t.clock.set(at);
  const res = await t.send(events, { 'user-agent': ua });
  expect(res.statusCode).toBe(202);
  const body = res.json<IngestResult>();
  expect(body.rejected).toStrictEqual([]);
}

/**
 * Builds the fixture; the clock ends at T0 + 300 s. Timeline (seconds after T0):
 * - visit a (UA_A): 0 VisitStarted, PageEntered p1 "/tv" (category Products); 1 AddToCart; 2 SignIn jane;
 *   10 PageExited p1, PageEntered p2 "/checkout"; 20 Purchase "/checkout?step=2".
 * - visit b (UA_B, same browser): 100 VisitStarted, PageEntered p3; 101 UserInfo bob; 102 SignIn jane.
 * - visit c (UA_C, another browser): 200 VisitStarted, PageEntered p4 "/tv/oled".
 */
export async function createHistoryFixture(): Promise<HistoryFixture> {
  const t = await createTestApp();
  const put = await t.api({
    method: 'PUT',
    url: '/server/data/categories/Products',
    payload: { description: 'Product pages', tags: [{ expression: '/tv' }] },
  });
  expect(put.statusCode).toBe(201);

  const a = testVisit();
  const b = testVisit({ globalVisitID: a.globalVisitID });
  const c = testVisit();
  const p1 = a.pageID;
  const eventsA: HistoryFixture['eventsA'] = [];
  const ev = (v: TestVisit, at: number, fields: Record<string, unknown>) => {
    const e = v.event({ timestamp: at > 0 ? at - 50 : T0, ...fields });
    if (v === a) eventsA.push({ name: String(e.eventName), id: String(e.eventID), at });
    return e;
  };
  const sys = (name: string, data: Record<string, unknown> = {}) => ({
    eventType: 'SYSTEM',
    eventName: name,
    data,
  });
  const tv = 'https://shop.example.com/tv';

  await sendAt(t, T0, UA_A, [
    ev(a, T0, { ...sys('VisitStarted', { referrer: 'https://www.google.com/', userAgent: UA_A }), url: tv }),
    ev(a, T0, { ...sys('PageEntered', { title: 'TVs', referrer: 'https://www.google.com/' }), url: tv }),
  ]);
  await sendAt(t, T0 + 1000, UA_A, [ev(a, T0 + 1000, { eventName: 'AddToCart', url: `${tv}/jvb72` })]);
  await sendAt(t, T0 + 2000, UA_A, [
    ev(a, T0 + 2000, {
      ...sys('SignIn', {
        userId: 'jane@example.com',
        firstName: 'Jane',
        lastName: 'Doe',
        emailAddress: 'jane@example.com',
        location: 'Paris',
        tier: 'gold',
      }),
      url: tv,
    }),
  ]);
  const checkout = 'https://shop.example.com/checkout';
  const exit = ev(a, T0 + 10_000, { ...sys('PageExited', { durationMs: 10_000 }), url: tv });
  const p2 = a.newPage();
  await sendAt(t, T0 + 10_000, UA_A, [
    exit,
    ev(a, T0 + 10_000, { ...sys('PageEntered', { title: 'Checkout', referrer: tv }), url: checkout }),
  ]);
  await sendAt(t, T0 + 20_000, UA_A, [
    ev(a, T0 + 20_000, { eventName: 'Purchase', url: `${checkout}?step=2`, data: { total: 1000 } }),
  ]);

  const p3 = b.pageID;
  await sendAt(t, T0 + 100_000, UA_B, [
    ev(b, 0, { ...sys('VisitStarted', { userAgent: UA_B }), url: 'https://shop.example.com/' }),
    ev(b, 0, { ...sys('PageEntered', { title: 'Home' }), url: 'https://shop.example.com/' }),
  ]);
  await sendAt(t, T0 + 101_000, UA_B, [
    ev(b, 0, { ...sys('UserInfo', { userId: 'bob@example.com', firstName: 'Bob', location: 'Lyon' }) }),
  ]);
  await sendAt(t, T0 + 102_000, UA_B, [ev(b, 0, { ...sys('SignIn', { userId: 'jane@example.com' }) })]);

  const p4 = c.pageID;
  await sendAt(t, T0 + 200_000, UA_C, [
    ev(c, 0, { ...sys('VisitStarted', { userAgent: UA_C }), url: `${tv}/oled` }),
    ev(c, 0, { ...sys('PageEntered', { title: 'OLED' }), url: `${tv}/oled` }),
  ]);
  t.clock.set(T0 + 300_000);
  return { t, a, b, c, pages: { p1, p2, p3, p4 }, eventsA };
}
