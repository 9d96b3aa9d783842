/**
 * Known histories for the Store contract suite, built with the real sessionizer (history-builder.ts). Each fixture
 * returns every write in commit order, so a test can compute the expected answer of any query from the writes
 * themselves (a model of the store) and compare it with what the engine returns.
 */
import type { Category } from '@beckon/protocol';
import type { EventWrites } from '@beckon/core';
import { GOOD_SIGNATURE, HistoryBuilder, T0, testId } from './history-builder.js';

export const UA_A = 'Mozilla/5.0 (X11; Linux x86_64) Fixture-A';
export const UA_B = 'Mozilla/5.0 (Macintosh) Fixture-B';

const tag = (expression: string, caseSensitive = false) => ({
  expression,
  regex: false,
  caseSensitive,
  fields: ['url'],
});

/**
 * `Loans` and `Car Loans` (the first a substring of the second), `TV` (case-sensitive on the URL) and `Other`, a
 * category no event gets.
 */
export const CATEGORIES: Category[] = [
  { name: 'Loans', description: 'loan pages', tags: [tag('/loans/')] },
  { name: 'Car Loans', description: 'car loans', tags: [tag('car-loans')] },
  { name: 'TV', description: 'television', tags: [tag('/TV', true)] },
  { name: 'Other', description: 'never matched', tags: [tag('/never-matched/')] },
];

export interface ListingFixture {
  /** Every write, in the order committed (= arrival order). */
  writes: EventWrites[];
  builder: HistoryBuilder;
  visits: { v1: string; v2: string; v3: string; v4: string; v5: string };
  gvids: { g1: string; g2: string };
  pages: { p1: string; p2: string; p3: string; p4: string; p5: string; p6: string; p7: string };
  /** Receive time shared by the visits v4 and v5 and by the pages p6 and p7 (order ties). */
  tieAt: number;
}

/**
 * Five visits of two browsers (`g1`: v1, v2; `g2`: v3, v4, v5), with interleaved events so that arrival order
 * differs from visit order. v4 and v5 start at the same instant, and v5 enters two pages at one instant.
 */
export function listingFixture(): ListingFixture {
  const b = new HistoryBuilder({ categories: CATEGORIES });
  const visits = {
    v1: testId('VA', 1),
    v2: testId('VA', 2),
    v3: testId('VA', 3),
    v4: testId('VA', 4),
    v5: testId('VA', 5),
  };
  const gvids = { g1: testId('GA', 1), g2: testId('GA', 2) };
  const p = (n: number) => testId('PA', n);
  const pages = { p1: p(1), p2: p(2), p3: p(3), p4: p(4), p5: p(5), p6: p(6), p7: p(7) };
  const site = 'https://bank.example.com';
  const w: EventWrites[] = [];
  const v1 = { visit: visits.v1, globalVisitID: gvids.g1, userAgent: UA_A };
  const v2 = { visit: visits.v2, globalVisitID: gvids.g1, userAgent: UA_B };
  const v3 = { visit: visits.v3, globalVisitID: gvids.g2, userAgent: UA_A };

  w.push(...b.startVisit({ ...v1, page: pages.p1, url: `${site}/`, title: 'Welcome' }));
  w.push(
    b.event({ ...v1, page: pages.p1, eventName: 'AddToCart', url: `${site}/loans/`, data: { amount: 100 } }),
  );
  w.push(...b.startVisit({ ...v2, page: pages.p3, url: `${site}/car-loans-offer`, title: 'Offer' }));
  w.push(b.event({ ...v1, page: pages.p1, eventName: 'PageExited', url: `${site}/` }));
  w.push(
    b.event({
      ...v1,
      page: pages.p2,
      eventName: 'PageEntered',
      url: `${site}/loans/car-loans/`,
      data: { title: 'Car' },
    }),
  );
  w.push(b.event({ ...v2, page: pages.p3, eventName: 'Search', url: `${site}/search?q=100%25_sure&x=a%b` }));
  w.push(b.event({ ...v1, page: pages.p2, eventName: 'Search', url: `${site}/loans/car-loans/?q=TV` }));
  w.push(...b.startVisit({ ...v3, page: pages.p4, url: `${site}/TV/`, title: 'TVs' }));
  w.push(b.event({ ...v3, page: pages.p4, eventName: 'Search', url: `${site}/tv/sale` }));
  w.push(
    b.event({
      ...v2,
      page: pages.p3,
      eventName: 'AddToCart',
      url: `${site}/car-loans-offer`,
      data: { amount: 5 },
    }),
  );

  const tieAt = b.now + 10_000;
  b.now = tieAt + 1000;
  const v4 = { visit: visits.v4, globalVisitID: gvids.g2, userAgent: UA_B, at: tieAt };
  const v5 = { visit: visits.v5, globalVisitID: gvids.g2, userAgent: UA_B, at: tieAt };
  w.push(...b.startVisit({ ...v4, page: pages.p5, url: `${site}/loans/`, title: 'Loans' }));
  w.push(...b.startVisit({ ...v5, page: pages.p7, url: `${site}/a`, title: 'A' }));
  w.push(
    b.event({ ...v5, page: pages.p6, eventName: 'PageEntered', url: `${site}/b`, data: { title: 'B' } }),
  );
  w.push(b.event({ visit: visits.v5, page: pages.p6, eventName: 'Search', url: `${site}/b?q=loans` }));
  return { writes: w, builder: b, visits, gvids, pages, tieAt };
}

export interface IdentityFixture {
  writes: EventWrites[];
  builder: HistoryBuilder;
  visits: { v1: string; v2: string; v3: string; anonymous: string };
  /** Receive times of the identity events, by name. */
  at: Record<
    'janeSignIn' | 'janeInfo' | 'bobInfo' | 'aliceInfo' | 'janeVerified' | 'bobSignIn' | 'bobInfoAgain',
    number
  >;
}

/**
 * Identities `alice`, `bob`, `jane` (unverified) and `jane` (verified) over three visits:
 * - v1 (UA_A): SignIn jane (Paris, gold, pets 1) → Authenticated; UserInfo bob → bob Recognized; UserInfo jane
 *   (Janet, silver) → attributes updated.
 * - v2 (UA_B): UserInfo alice → Recognized; SignIn jane signed → verified jane Authenticated, alice stays Recognized.
 * - v3 (UA_B): SignIn bob → Authenticated; UserInfo bob (phone) → attributes updated. Then `anonymous` (UA_A).
 */
export function identityFixture(): IdentityFixture {
  const b = new HistoryBuilder({ start: T0 + 1_000_000 });
  const visits = {
    v1: testId('VI', 1),
    v2: testId('VI', 2),
    v3: testId('VI', 3),
    anonymous: testId('VI', 4),
  };
  const page = (n: number) => testId('PI', n);
  const w: EventWrites[] = [];
  const at = {} as IdentityFixture['at'];
  const mark = (name: keyof IdentityFixture['at'], write: EventWrites) => {
    at[name] = write.event.receivedAt;
    w.push(write);
  };
  const v1 = { visit: visits.v1, page: page(1), userAgent: UA_A };
  const v2 = { visit: visits.v2, page: page(2), userAgent: UA_B };
  const v3 = { visit: visits.v3, page: page(3), userAgent: UA_B };

  w.push(...b.startVisit(v1));
  const janeData = {
    userId: ' jane ',
    firstName: 'Jane',
    lastName: 'Doe',
    location: 'Paris',
    tier: 'gold',
    pets: 1,
  };
  mark('janeSignIn', b.event({ ...v1, eventName: 'SignIn', data: janeData }));
  mark('bobInfo', b.event({ ...v1, eventName: 'UserInfo', data: { userId: 'bob', firstName: 'Bob' } }));
  mark(
    'janeInfo',
    b.event({ ...v1, eventName: 'UserInfo', data: { userId: 'jane', firstName: 'Janet', tier: 'silver' } }),
  );
  w.push(...b.startVisit(v2));
  mark('aliceInfo', b.event({ ...v2, eventName: 'UserInfo', data: { userId: 'alice', location: 'Oslo' } }));
  const signed = { userId: 'jane', userIdSignature: GOOD_SIGNATURE, firstName: 'J-verified', vip: true };
  mark('janeVerified', b.event({ ...v2, eventName: 'SignIn', data: signed }));
  w.push(...b.startVisit(v3));
  mark('bobSignIn', b.event({ ...v3, eventName: 'SignIn', data: { userId: 'bob', lastName: 'Builder' } }));
  mark(
    'bobInfoAgain',
    b.event({ ...v3, eventName: 'UserInfo', data: { userId: 'bob', phoneNumber: '+4712345678' } }),
  );
  w.push(...b.startVisit({ visit: visits.anonymous, page: page(4), userAgent: UA_A }));
  return { writes: w, builder: b, visits, at };
}
