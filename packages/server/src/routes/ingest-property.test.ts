/**
 * Property test of `POST /server/events` (spec/compat.md §10): random batches mixing valid events, duplicates,
 * junk values, events with one wrong field and oversized events. Whatever the mix, the server never answers 5xx,
 * stores every valid event exactly once, and reports every invalid one with its index and a catalogued code.
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventRejectionCatalog } from '@beckon/protocol';
import type { IngestResult, StoredEvent } from '@beckon/protocol';
import { T0, createTestApp } from '../testing/test-app.js';
import type { TestApp } from '../testing/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

/** One field made wrong, and the code the server must give. */
const mutations: readonly { field: string; value: unknown; code: string }[] = [
  { field: 'eventType', value: 7, code: 'invalidField' },
  { field: 'eventType', value: 'system', code: 'invalidField' },
  { field: 'eventType', value: undefined, code: 'missingField' },
  { field: 'eventName', value: '', code: 'invalidField' },
  { field: 'eventName', value: 42, code: 'invalidField' },
  { field: 'eventName', value: 'n'.repeat(129), code: 'invalidField' },
  { field: 'eventName', value: undefined, code: 'missingField' },
  { field: 'eventID', value: 'short', code: 'invalidField' },
  { field: 'eventID', value: 12345678, code: 'invalidField' },
  { field: 'eventID', value: null, code: 'missingField' },
  { field: 'pageID', value: 'has spaces in it', code: 'invalidField' },
  { field: 'visitID', value: undefined, code: 'missingField' },
  { field: 'globalVisitID', value: { id: 1 }, code: 'invalidField' },
  { field: 'timestamp', value: '1700000000000', code: 'invalidField' },
  { field: 'timestamp', value: -1, code: 'invalidField' },
  { field: 'timestamp', value: 1.5, code: 'invalidField' },
  { field: 'url', value: 5, code: 'invalidField' },
  { field: 'url', value: `https://x.example/${'u'.repeat(2048)}`, code: 'invalidField' },
  { field: 'data', value: [1, 2], code: 'invalidField' },
  { field: 'data', value: 'text', code: 'invalidField' },
  { field: 'seq', value: 0, code: 'invalidField' },
  { field: 'languageCode', value: 12, code: 'invalidField' },
  { field: 'data', value: { blob: 'z'.repeat(16_500) }, code: 'tooLarge' },
];

/** What the generator asks for; turned into JSON with a per-run prefix so runs never share IDs. */
type Item =
  | {
      kind: 'valid';
      key: number;
      visit: number;
      page: number;
      system: string | null;
      data: Record<string, unknown>;
    }
  | { kind: 'mutated'; key: number; visit: number; page: number; mutation: number }
  | { kind: 'unknownSystem'; key: number; visit: number; page: number }
  | { kind: 'signInWithoutUserId'; key: number; visit: number; page: number }
  | { kind: 'junk'; value: unknown };

const where = { key: fc.nat(11), visit: fc.nat(2), page: fc.nat(2) };
const itemArb: fc.Arbitrary<Item> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('valid' as const),
      ...where,
      system: fc.constantFrom(
        null,
        'VisitStarted',
        'PageEntered',
        'PageExited',
        'SignIn',
        'SignOut',
        'UserInfo',
      ),
      data: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('mutated' as const),
      ...where,
      mutation: fc.nat(mutations.length - 1),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('unknownSystem' as const), ...where }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('signInWithoutUserId' as const), ...where }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('junk' as const),
      value: fc.oneof(
        fc.jsonValue({ maxDepth: 2 }),
        fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
      ),
    }),
  },
);

/** A request: a batch, sent as JSON or text/plain; some are over 100 events or over 256 KB on purpose. */
const requestArb = fc.record({
  items: fc.oneof(
    { weight: 8, arbitrary: fc.array(itemArb, { maxLength: 25 }) },
    { weight: 1, arbitrary: fc.array(itemArb, { minLength: 101, maxLength: 110 }) },
  ),
  oversized: fc.nat(5).map((n) => n === 0),
  textPlain: fc.boolean(),
});

function toJson(item: Item, prefix: string, index: number): unknown {
  if (item.kind === 'junk') {
    // A junk object could by chance hold a valid eventID; these never reach the store anyway.
    return item.value;
  }
  const id = (part: string) => `${prefix}${part}`.padEnd(32, '0');
  const event: Record<string, unknown> = {
    eventType: 'BUSINESS',
    eventName: 'Viewed',
    eventID: id(`E${item.key}`),
    pageID: id(`V${item.visit}P${item.page}`),
    visitID: id(`V${item.visit}`),
    globalVisitID: id('G'),
    timestamp: T0 + index,
    url: `https://shop.example.com/p/${item.page}`,
    languageCode: 'en-US',
    data: {},
  };
  if (item.kind === 'valid') {
    event.data = { ...item.data };
    if (item.system !== null) {
      event.eventType = 'SYSTEM';
      event.eventName = item.system;
      // An identity event with userIdSignature but no configured secret is still valid (unverified).
      delete (event.data as Record<string, unknown>).userIdSignature;
      if (item.system === 'SignIn' || item.system === 'UserInfo')
        (event.data as Record<string, unknown>).userId = `user-${item.key}`;
    }
  } else if (item.kind === 'mutated') {
    const m = mutations[item.mutation]!;
    if (m.value === undefined) delete event[m.field];
    else event[m.field] = m.value;
  } else if (item.kind === 'unknownSystem') {
    event.eventType = 'SYSTEM';
    event.eventName = 'NotASystemEvent';
  } else {
    event.eventType = 'SYSTEM';
    event.eventName = 'SignIn';
    event.data = { firstName: 'No user id' };
  }
  return event;
}

function expectedCode(item: Item): string | null {
  switch (item.kind) {
    case 'valid':
      return null;
    case 'mutated':
      return mutations[item.mutation]!.code;
    case 'unknownSystem':
      return 'unknownSystemEvent';
    case 'signInWithoutUserId':
      return 'missingField';
    case 'junk':
      return 'junk';
  }
}

describe('POST /server/events with random batches (property)', () => {
  it('never fails, stores each valid event once and reports each invalid one by index', async () => {
    const catalogue = new Set(Object.keys(eventRejectionCatalog));
    await fc.assert(
      fc.asyncProperty(fc.array(requestArb, { minLength: 1, maxLength: 4 }), async (requests) => {
        const prefix = randomBytes(6).toString('hex').toUpperCase();
        const stored = new Map<string, string>(); // eventID → visitID, the model of the store
        for (const request of requests) {
          const batch = request.items.map((item, i) => toJson(item, prefix, i));
          if (request.oversized) batch.push({ padding: 'p'.repeat(270_000) });
          const payload = JSON.stringify(batch);
          const res = await t.send(payload, request.textPlain ? { 'content-type': 'text/plain' } : {});
          expect(res.statusCode).toBeLessThan(500);

          if (Buffer.byteLength(payload) > t.config.ingest.maxBodyBytes) {
            expect(res.statusCode).toBe(413);
            expect(res.json().code).toBe('payloadTooLarge');
            continue;
          }
          if (batch.length > t.config.ingest.maxBatchEvents) {
            expect(res.statusCode).toBe(400);
            expect(res.json().code).toBe('batchTooLarge');
            continue;
          }
          expect(res.statusCode).toBe(202);
          const body = res.json<IngestResult>();
          let accepted = 0;
          let duplicates = 0;
          const rejectedAt = new Map(body.rejected.map((r) => [r.index, r]));
          expect(rejectedAt.size).toBe(body.rejected.length); // one report per index
          request.items.forEach((item, index) => {
            const code = expectedCode(item);
            const report = rejectedAt.get(index);
            if (code === null) {
              expect(report, `index ${index} is valid`).toBeUndefined();
              const event = batch[index] as { eventID: string; visitID: string };
              if (stored.has(event.eventID)) duplicates++;
              else {
                accepted++;
                stored.set(event.eventID, event.visitID);
              }
              return;
            }
            expect(report, `index ${index} (${item.kind}) is reported`).toBeDefined();
            expect(catalogue.has(report!.code)).toBe(true);
            expect(report!.message.length).toBeGreaterThan(0);
            if (code !== 'junk') expect(report!.code, JSON.stringify(item)).toBe(code);
          });
          for (const r of body.rejected) expect(r.index).toBeLessThan(batch.length);
          expect(body.accepted).toBe(accepted);
          expect(body.duplicates).toBe(duplicates);
        }

        // The History API holds exactly the model's events, each once.
        const visits = new Set(stored.values());
        for (const visitId of visits) {
          const res = await t.get(`/visits/${visitId}/events?limit=1000`);
          expect(res.statusCode).toBe(200);
          const ids = res.json<StoredEvent[]>().map((e) => e.eventID);
          expect(new Set(ids).size).toBe(ids.length);
          const expected = [...stored].filter(([, v]) => v === visitId).map(([e]) => e);
          expect(ids.sort()).toStrictEqual(expected.sort());
        }
      }),
      { numRuns: 40 },
    );
  });
});
