import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventRejectionCatalog } from '@beckon/protocol';
import type { IngestResult, StoredEvent } from '@beckon/protocol';
import { createTestApp, newId, testVisit } from '../testing/test-app.js';
import type { TestApp } from '../testing/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const storedEvents = async (visitId: string): Promise<StoredEvent[]> => {
  const res = await t.get(`/visits/${visitId}/events?limit=1000`);
  expect(res.statusCode).toBe(200);
  return res.json<StoredEvent[]>();
};

describe('POST /server/events', () => {
  it('answers 202 with exactly {accepted, duplicates, rejected}', async () => {
    const v = testVisit();
    const res = await t.send([v.event({ eventType: 'SYSTEM', eventName: 'VisitStarted' }), v.event()]);
    expect(res.statusCode).toBe(202);
    expect(res.json()).toStrictEqual({ accepted: 2, duplicates: 0, rejected: [] });
  });

  it('accepts an empty batch', async () => {
    const res = await t.send([]);
    expect(res.statusCode).toBe(202);
    expect(res.json()).toStrictEqual({ accepted: 0, duplicates: 0, rejected: [] });
  });

  it('accepts text/plain bodies as JSON (sendBeacon)', async () => {
    const v = testVisit();
    const res = await t.send([v.event()], { 'content-type': 'text/plain;charset=UTF-8' });
    expect(res.statusCode).toBe(202);
    expect(res.json<IngestResult>().accepted).toBe(1);
    expect(await storedEvents(v.visitID)).toHaveLength(1);
  });

  it('answers 400 invalidJson to a body that is not JSON, or not an array', async () => {
    for (const body of ['{"eventType":', 'not json', '{"a":1}', '42', 'null', '']) {
      const res = await t.send(body);
      expect(res.statusCode, body).toBe(400);
      expect(res.json(), body).toMatchObject({ code: 'invalidJson' });
      expect(typeof res.json().message).toBe('string');
    }
  });

  it('takes 100 events but answers 400 batchTooLarge to 101', async () => {
    const v = testVisit();
    const ok = await t.send(Array.from({ length: 100 }, () => v.event()));
    expect(ok.statusCode).toBe(202);
    expect(ok.json<IngestResult>().accepted).toBe(100);
    const w = testVisit();
    const res = await t.send(Array.from({ length: 101 }, () => w.event()));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'batchTooLarge' });
    expect(res.json().message).toMatch(/101/);
    const visit = await t.get(`/visits/${w.visitID}`);
    expect(visit.statusCode).toBe(404); // nothing of the refused batch was stored
  });

  it('answers 413 payloadTooLarge to a body over 256 KB', async () => {
    const v = testVisit();
    const big = v.event({ data: { blob: 'x'.repeat(270_000) } });
    const res = await t.send([big]);
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ code: 'payloadTooLarge' });
  });

  it('answers 415 unsupportedMediaType to other content types', async () => {
    for (const type of [
      'application/xml',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ]) {
      const res = await t.send('[]', { 'content-type': type });
      expect(res.statusCode, type).toBe(415);
      expect(res.json(), type).toMatchObject({ code: 'unsupportedMediaType' });
    }
  });

  it('rejects bad events one by one with their index and a catalogued code', async () => {
    const v = testVisit();
    const batch = [
      v.event(), // 0 ok
      42, // 1 invalidEvent
      v.event({ eventName: undefined }), // 2 missingField
      v.event({ eventType: 'OTHER' }), // 3 invalidField
      v.event({ eventType: 'SYSTEM', eventName: 'Nope' }), // 4 unknownSystemEvent
      v.event({ data: { blob: 'y'.repeat(17_000) } }), // 5 tooLarge
      v.event({ eventType: 'SYSTEM', eventName: 'SignIn', data: {} }), // 6 missingField (userId)
      v.event({ timestamp: 'yesterday' }), // 7 invalidField
      v.event({ pageID: 'short' }), // 8 invalidField
      null, // 9 invalidEvent
      ['an', 'array'], // 10 invalidEvent
      v.event(), // 11 ok
    ];
    const res = await t.send(batch);
    expect(res.statusCode).toBe(202);
    const body = res.json<IngestResult>();
    expect(body.accepted).toBe(2);
    expect(body.duplicates).toBe(0);
    expect(body.rejected.map((r) => [r.index, r.code])).toStrictEqual([
      [1, 'invalidEvent'],
      [2, 'missingField'],
      [3, 'invalidField'],
      [4, 'unknownSystemEvent'],
      [5, 'tooLarge'],
      [6, 'missingField'],
      [7, 'invalidField'],
      [8, 'invalidField'],
      [9, 'invalidEvent'],
      [10, 'invalidEvent'],
    ]);
    expect(body.rejected.find((r) => r.index === 2)?.message).toMatch(/eventName/);
    expect(body.rejected.find((r) => r.index === 6)?.message).toMatch(/userId/);
    for (const r of body.rejected) {
      expect(Object.keys(eventRejectionCatalog)).toContain(r.code);
      expect(Object.keys(r).sort()).toStrictEqual(['code', 'index', 'message']);
    }
    expect((await storedEvents(v.visitID)).map((e) => e.eventID)).toStrictEqual([
      batch[0] && (batch[0] as { eventID: string }).eventID,
      (batch[11] as { eventID: string }).eventID,
    ]);
  });

  it('stores an eventID once when it repeats in one batch', async () => {
    const v = testVisit();
    const e = v.event();
    const res = await t.send([e, { ...e, eventName: 'Other' }, v.event()]);
    expect(res.json()).toStrictEqual({ accepted: 2, duplicates: 1, rejected: [] });
    const stored = await storedEvents(v.visitID);
    expect(stored.filter((s) => s.eventID === e.eventID)).toHaveLength(1);
    expect(stored.find((s) => s.eventID === e.eventID)?.eventName).toBe('AddToCart'); // the first one wins
  });

  it('counts an eventID already stored as a duplicate, whatever its content', async () => {
    const v = testVisit();
    const e = v.event();
    await t.send([e]);
    const again = await t.send([{ ...e, eventName: 'Changed', data: { x: 1 } }]);
    expect(again.json()).toStrictEqual({ accepted: 0, duplicates: 1, rejected: [] });
    const stored = await storedEvents(v.visitID);
    expect(stored).toHaveLength(1);
    expect(stored[0]?.eventName).toBe('AddToCart');
  });

  it('stores an eventID once when concurrent requests carry it', async () => {
    const v = testVisit();
    const shared = v.event();
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => t.send(i % 3 === 0 ? [shared] : [v.event(), shared])),
    );
    const bodies = results.map((r) => r.json<IngestResult>());
    const accepted = bodies.reduce((n, b) => n + b.accepted, 0);
    const duplicates = bodies.reduce((n, b) => n + b.duplicates, 0);
    expect(duplicates).toBe(11);
    expect(accepted).toBe(1 + 8);
    const stored = await storedEvents(v.visitID);
    expect(stored.filter((e) => e.eventID === shared.eventID)).toHaveLength(1);
    expect(stored).toHaveLength(9);
  });

  it('rejects with idConflict an event whose pageID belongs to another visit', async () => {
    const a = testVisit();
    const b = testVisit({ pageID: a.pageID });
    await t.send([a.event()]);
    const res = await t.send([b.event(), a.event()]);
    expect(res.json()).toMatchObject({
      accepted: 1,
      duplicates: 0,
      rejected: [{ index: 0, code: 'idConflict' }],
    });
    expect((await t.get(`/visits/${b.visitID}`)).statusCode).toBe(404);
  });

  it('rejects with visitExpired events after inactivity or the maximum visit age', async () => {
    const v = testVisit();
    await t.send([v.event()]);
    t.clock.advance(1799_000);
    expect((await t.send([v.event()])).json<IngestResult>().accepted).toBe(1);
    t.clock.advance(1800_000);
    const res = await t.send([v.event(), testVisit().event()]);
    expect(res.json()).toMatchObject({ accepted: 1, rejected: [{ index: 0, code: 'visitExpired' }] });
    const visit = await t.get(`/visits/${v.visitID}`);
    expect(visit.json().endDate).toBeGreaterThan(0);

    // Active all along, but older than engagement.visitExpirationTime (86400 s).
    const w = testVisit();
    await t.send([w.event()]);
    for (let i = 0; i < 60; i++) {
      t.clock.advance(1790_000);
      const step = await t.send([w.event()]);
      if (step.json<IngestResult>().rejected.length > 0) {
        expect(step.json().rejected[0].code).toBe('visitExpired');
        expect(i).toBe(48); // 49 × 1790 s > 86400 s
        return;
      }
    }
    throw new Error('the visit never expired');
  });

  it('stamps receivedAt with the server clock, not the browser timestamp', async () => {
    const v = testVisit();
    t.clock.advance(5_000);
    const at = t.clock.now();
    await t.send([v.event({ timestamp: 12345 })]);
    const [stored] = await storedEvents(v.visitID);
    expect(stored?.receivedAt).toBe(at);
    expect(stored?.timestamp).toBe(12345);
  });

  it('categorizes at ingest and never re-categorizes stored events', async () => {
    const put = await t.api({
      method: 'PUT',
      url: '/server/data/categories/Televisions',
      payload: { description: 'TV pages', tags: [{ expression: '/tv/' }] },
    });
    expect(put.statusCode).toBe(201);
    const v = testVisit();
    const tv = v.event({ category: 'IgnoredClientCategory' });
    const other = v.event({ url: 'https://shop.example.com/phones' });
    await t.send([tv, other]);
    await t.api({
      method: 'PUT',
      url: '/server/data/categories/Televisions',
      payload: { tags: [{ expression: '/phones' }] },
    });
    const later = v.event({ url: 'https://shop.example.com/phones/x' });
    await t.send([later]);
    const byId = new Map((await storedEvents(v.visitID)).map((e) => [e.eventID, e.category]));
    expect(byId.get(tv.eventID as string)).toBe('Televisions');
    expect(byId.get(other.eventID as string)).toBe('');
    expect(byId.get(later.eventID as string)).toBe('Televisions');
    await t.api({ method: 'DELETE', url: '/server/data/categories/Televisions' });
  });

  it('sends Access-Control-Allow-Origin: * to any site', async () => {
    const res = await t.send([], { origin: 'https://shop.example.com' });
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  });
});

describe('POST /server/data/visits/{visitId}/events', () => {
  const post = (visitId: string, payload: unknown, key = t.fullKey) =>
    t.app.inject({
      method: 'POST',
      url: `/server/data/visits/${visitId}/events`,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      payload: JSON.stringify(payload),
    });

  it('takes one event object', async () => {
    const v = testVisit();
    const res = await post(v.visitID, v.event());
    expect(res.statusCode).toBe(202);
    expect(res.json()).toStrictEqual({ accepted: 1, duplicates: 0, rejected: [] });
    expect(await storedEvents(v.visitID)).toHaveLength(1);
  });

  it('takes an array, filling in an absent visitID and rejecting a different one', async () => {
    const v = testVisit();
    const other = newId();
    const res = await post(v.visitID, [
      v.event(),
      v.event({ visitID: undefined }),
      v.event({ visitID: other }),
      v.event({ visitID: undefined, visitId: v.visitID }),
    ]);
    expect(res.statusCode).toBe(202);
    const body = res.json<IngestResult>();
    expect(body.accepted).toBe(3);
    expect(body.rejected).toHaveLength(1);
    expect(body.rejected[0]).toMatchObject({ index: 2, code: 'invalidField' });
    expect(body.rejected[0]?.message).toMatch(/visitID/);
    expect(await storedEvents(v.visitID)).toHaveLength(3);
    expect((await t.get(`/visits/${other}`)).statusCode).toBe(404);
  });

  it('needs a key of role full', async () => {
    const v = testVisit();
    expect((await post(v.visitID, v.event(), t.readKey)).statusCode).toBe(403);
    expect((await post(v.visitID, v.event(), 'nope')).statusCode).toBe(401);
  });

  it('answers 400 batchTooLarge past the batch limit, and 400 invalidParameter to a bad visitId', async () => {
    const v = testVisit();
    const res = await post(
      v.visitID,
      Array.from({ length: 101 }, () => v.event()),
    );
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'batchTooLarge' });
    const bad = await post('bad!', v.event());
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'invalidParameter' });
    expect(bad.json().message).toMatch(/visitId/);
  });
});

describe('ingest rate limit', () => {
  it('answers 429 rateLimited with Retry-After past ingest.rateLimitPerIpPerMin', async () => {
    const limited = await createTestApp({ config: { ingest: { rateLimitPerIpPerMin: 3 } } });
    try {
      for (let i = 0; i < 3; i++) expect((await limited.send([])).statusCode).toBe(202);
      const res = await limited.send([]);
      expect(res.statusCode).toBe(429);
      expect(res.json()).toMatchObject({ code: 'rateLimited' });
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      // Spelling the path differently does not get around the limit.
      for (const url of ['/server/%65vents', '/%73erver/events']) {
        const encoded = await limited.app.inject({
          method: 'POST',
          url,
          headers: { 'content-type': 'application/json' },
          payload: '[]',
        });
        expect(encoded.statusCode, url).toBe(429);
      }
      // Another client IP has its own budget.
      const other = await limited.app.inject({
        method: 'POST',
        url: '/server/events',
        remoteAddress: '10.1.2.3',
        headers: { 'content-type': 'application/json' },
        payload: '[]',
      });
      expect(other.statusCode).toBe(202);
    } finally {
      await limited.close();
    }
  });
});
