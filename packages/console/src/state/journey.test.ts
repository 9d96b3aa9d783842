// @vitest-environment node
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Journey } from '@beckon/client';
import type { StoredEvent } from '@beckon/protocol';
import { applyActivity, currentPage, emptyJourney, mergeJourney, visitCategories } from './journey.js';
import type { JourneyView } from './journey.js';

const stored = (
  eventName: string,
  eventID: string,
  pageID: string,
  timestamp: number,
  extra: Record<string, unknown> = {},
): StoredEvent => ({
  eventID,
  eventType: 'SYSTEM',
  eventName,
  pageID,
  visitID: 'V1',
  globalVisitID: 'G1',
  timestamp,
  receivedAt: timestamp,
  url: `https://shop/${pageID}`,
  languageCode: null,
  category: '',
  data: {},
  seq: null,
  ...(extra as Partial<StoredEvent>),
});

const journey: Journey = {
  visit: {
    visitId: 'V1',
    globalVisitID: 'G1',
    userAgentId: 'U',
    startDate: 1000,
    endDate: 5000,
    pageIds: null,
    eventIds: null,
    events: null,
    userAgent: 'Firefox',
    languageCode: 'en',
    referrer: 'https://search',
    pageCount: 2,
    pages: [
      {
        pageId: 'P1',
        visitId: 'V1',
        url: 'https://shop/',
        title: 'Home',
        referrer: '',
        startDate: 1000,
        endDate: 3000,
        durationMs: 2000,
        category: 'Home',
        identityId: null,
        eventIds: null,
        events: [
          stored('PageEntered', 'e1', 'P1', 1000),
          {
            ...stored('AddToCart', 'e2', 'P1', 1500, { data: { sku: 'TV-1' }, category: 'Cart;Promo' }),
            eventType: 'BUSINESS' as const,
          },
        ],
      },
      {
        pageId: 'P2',
        visitId: 'V1',
        url: 'https://shop/tv',
        title: 'TVs',
        referrer: '',
        startDate: 3000,
        endDate: 0,
        durationMs: null,
        category: 'TV',
        identityId: null,
        eventIds: null,
        events: null,
      },
    ],
  },
  identities: [{ identityId: 'ID1', verified: false, visitScope: 'Recognized', firstName: 'Bob' } as never],
  previousVisits: [{ visitId: 'V0', startDate: 1 } as never, { visitId: 'V1', startDate: 1000 } as never],
  chats: [],
  actionable: [
    {
      id: 'A1',
      name: 'CartHelp',
      ruleId: 'shop/cart',
      timestamp: 1600,
      data: {},
      triggeringEventIDs: ['e2'],
      engagement: { channel: 'chat' },
    },
  ],
};

describe('journey', () => {
  it('reads the REST journey: pages, business events only, identity, rule hits, other visits', () => {
    const j = mergeJourney(emptyJourney, journey);
    expect(j.pages.map((p) => [p.pageId, p.exitedAt])).toEqual([
      ['P1', 3000],
      ['P2', null],
    ]);
    expect(j.events.map((e) => e.name)).toEqual(['AddToCart']);
    expect(j.events[0]!.categories).toEqual(['Cart', 'Promo']);
    expect(j.identities[0]).toMatchObject({ identityId: 'ID1', verified: false });
    expect(j.ruleHits[0]).toMatchObject({ id: 'A1', engagement: true, triggeringEventIds: ['e2'] });
    expect(j.previousVisits.map((v) => v.visitId)).toEqual(['V0']);
    expect(currentPage(j)!.pageId).toBe('P2');
    expect(visitCategories(j)).toEqual(['Home', 'Cart', 'Promo', 'TV']);
  });

  it('follows the visitor live: page exit, new page, business event', () => {
    let j = mergeJourney(emptyJourney, journey);
    j = applyActivity(j, 'pageExit', stored('PageExited', 'e3', 'P2', 7000, { data: { durationMs: 4000 } }));
    j = applyActivity(
      j,
      'page',
      stored('PageEntered', 'e4', 'P3', 7001, { data: { title: 'Checkout' }, category: 'Checkout' }),
    );
    j = applyActivity(j, 'event', {
      ...stored('Search', 'e5', 'P3', 7100, { data: { q: '<b>tv</b>' } }),
      eventType: 'BUSINESS',
    });
    expect(j.pages.map((p) => [p.pageId, p.durationMs])).toEqual([
      ['P1', 2000],
      ['P2', 4000],
      ['P3', null],
    ]);
    expect(currentPage(j)).toMatchObject({
      pageId: 'P3',
      title: 'Checkout',
      categories: ['Checkout'],
      receivedAt: 7001,
    });
    expect(j.events.map((e) => e.name)).toEqual(['AddToCart', 'Search']);
  });

  it('accepts resource-shaped items (PageResource, IdentityResource, engagement record)', () => {
    let j = applyActivity(emptyJourney, 'page', {
      pageId: 'P9',
      url: 'u',
      title: 'T',
      startDate: 5,
      endDate: 0,
      durationMs: null,
      category: 'A',
    });
    j = applyActivity(j, 'pageExit', { pageId: 'P9', endDate: 15, durationMs: 10 });
    j = applyActivity(j, 'identity', { identityId: 'ID1', verified: true, visitScope: 'Authenticated' });
    j = applyActivity(j, 'engagement', {
      engagementId: 'E1',
      name: 'CartHelp',
      state: 'invited',
      history: [{ state: 'invited', at: 20 }],
    });
    j = applyActivity(j, 'engagement', {
      engagementId: 'E1',
      state: 'accepted',
      history: [{ state: 'accepted', at: 30 }],
    });
    j = applyActivity(j, 'engagement', {
      engagementId: 'E1',
      state: 'qualified',
      history: [{ state: 'qualified', at: 10 }],
    });
    expect(j.pages[0]).toMatchObject({ exitedAt: 15, durationMs: 10 });
    expect(j.identities[0]).toMatchObject({ verified: true });
    expect(j.engagements).toEqual([{ engagementId: 'E1', name: 'CartHelp', state: 'accepted', at: 30 }]);
    expect(applyActivity(j, 'event', 'nonsense')).toBe(j);
  });

  it('gives the same journey whether live items come before or after the REST read, repeated or not', () => {
    const live: [Parameters<typeof applyActivity>[1], unknown][] = [
      ['page', stored('PageEntered', 'e4', 'P3', 7001)],
      ['event', { ...stored('Buy', 'e6', 'P3', 7200), eventType: 'BUSINESS' }],
      ['pageExit', stored('PageExited', 'e7', 'P3', 8000, { data: { durationMs: 999 } })],
      ['ruleHit', { id: 'A2', name: 'x', ruleId: 'r', timestamp: 7300 }],
    ];
    const norm = (j: JourneyView) =>
      JSON.stringify({ ...j, pages: j.pages, events: j.events, ruleHits: j.ruleHits });
    const reference = norm(
      live.reduce((j, [k, i]) => applyActivity(j, k, i), mergeJourney(emptyJourney, journey)),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: live.length }),
        fc.integer({ min: 0, max: live.length - 1 }),
        (split, repeat) => {
          let j = live.slice(0, split).reduce((acc, [k, i]) => applyActivity(acc, k, i), emptyJourney);
          j = mergeJourney(j, journey);
          j = live.slice(split).reduce((acc, [k, i]) => applyActivity(acc, k, i), j);
          const [k, i] = live[repeat]!;
          j = applyActivity(j, k, i);
          expect(norm(j)).toBe(reference);
        },
      ),
    );
  });
});
