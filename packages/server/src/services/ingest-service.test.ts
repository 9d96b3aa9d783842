import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '@beckon/protocol';
import { createTestApp, testVisit } from '../testing/test-app.js';
import { storeDouble } from '../testing/store-doubles.js';

describe('IngestService under a store with latency (as PostgreSQL)', () => {
  it('accepts an eventID once when concurrent requests race through slow look-ups', async () => {
    const stored: StoredEvent[] = [];
    const t = await createTestApp({
      wrapStore: (store) =>
        storeDouble(store, { slow: ['existingEventIds', 'pageOwners', 'loadVisitState'], maxDelayMs: 8 }),
      onStored: (events) => stored.push(...events),
    });
    try {
      for (let round = 0; round < 8; round++) {
        const v = testVisit();
        const shared = v.event();
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            t.services.ingest.ingest(i % 2 ? [shared] : [testVisit().event(), shared], { userAgent: 'UA' }),
          ),
        );
        expect(
          results.reduce((n, r) => n + r.accepted, 0),
          `round ${round}`,
        ).toBe(1 + 5);
        expect(
          results.reduce((n, r) => n + r.duplicates, 0),
          `round ${round}`,
        ).toBe(9);
        expect(stored.filter((e) => e.eventID === shared.eventID)).toHaveLength(1);
        const events = await t.store.listEvents({ visitId: v.visitID }, { limit: 100 });
        expect(events.items).toHaveLength(1);
      }
    } finally {
      await t.close();
    }
  });

  it('keeps the arrival order of one visit when its requests overlap', async () => {
    const t = await createTestApp({
      wrapStore: (store) => storeDouble(store, { slow: ['existingEventIds', 'pageOwners'], maxDelayMs: 5 }),
    });
    try {
      const v = testVisit();
      const batches = Array.from({ length: 6 }, () => [v.event(), v.event()]);
      const results = await Promise.all(batches.map((b) => t.services.ingest.ingest(b, { userAgent: 'UA' })));
      expect(results.every((r) => r.accepted === 2)).toBe(true);
      const visit = await t.store.getVisit(v.visitID);
      expect(visit?.pageCount).toBe(1);
      const events = await t.store.listEvents({ visitId: v.visitID }, { limit: 100 });
      expect(new Set(events.items.map((e) => e.eventID)).size).toBe(12);
    } finally {
      await t.close();
    }
  });
});

describe('IngestService when the store fails', () => {
  it('answers 503 unavailable with Retry-After, and takes the same batch once the store is back', async () => {
    let down = true;
    const t = await createTestApp({
      wrapStore: (store) => storeDouble(store, { fail: ['commit'], failing: () => down }),
    });
    try {
      const v = testVisit();
      const batch = [v.event({ eventType: 'SYSTEM', eventName: 'VisitStarted' }), v.event()];
      const res = await t.send(batch);
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ code: 'unavailable' });
      expect(res.headers['retry-after']).toBe('5');
      down = false;
      const retry = await t.send(batch);
      expect(retry.statusCode).toBe(202);
      expect(retry.json()).toStrictEqual({ accepted: 2, duplicates: 0, rejected: [] });
      const visit = await t.get(`/visits/${v.visitID}`);
      expect(visit.json()).toMatchObject({ pageCount: 1 });
    } finally {
      await t.close();
    }
  });

  it('answers 503, not 500, when a look-up fails', async () => {
    let down = true;
    const t = await createTestApp({
      wrapStore: (store) => storeDouble(store, { fail: ['existingEventIds'], failing: () => down }),
    });
    try {
      const v = testVisit();
      const res = await t.send([v.event()]);
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ code: 'unavailable' });
      down = false;
      expect((await t.send([v.event()])).statusCode).toBe(202);
    } finally {
      await t.close();
    }
  });
});
