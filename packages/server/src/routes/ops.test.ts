import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, testVisit } from '../testing/test-app.js';
import type { TestApp } from '../testing/test-app.js';
import { storeDouble } from '../testing/store-doubles.js';

let t: TestApp;
let storeDown = false;
beforeAll(async () => {
  t = await createTestApp({
    wrapStore: (store) => storeDouble(store, { fail: ['ping'], failing: () => storeDown }),
  });
});
afterAll(async () => {
  await t.close();
});

describe('operations endpoints', () => {
  it('/healthz answers 200 while the process runs', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toStrictEqual({ status: 'ok' });
  });

  it('/readyz answers 200 when the store answers, 503 unavailable when it does not', async () => {
    const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toStrictEqual({ status: 'ready' });
    storeDown = true;
    try {
      const down = await t.app.inject({ method: 'GET', url: '/readyz' });
      expect(down.statusCode).toBe(503);
      expect(down.json()).toMatchObject({ code: 'unavailable' });
      expect(down.json().message).toMatch(/store/);
      // Liveness does not depend on the store.
      expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    } finally {
      storeDown = false;
    }
  });

  it('/metrics exposes the ingest counters in Prometheus text format', async () => {
    const v = testVisit();
    const e = v.event();
    await t.send([e, e, 7, v.event({ eventType: 'SYSTEM', eventName: 'Bogus' })]);
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const text = res.body;
    expect(text).toMatch(/^beckon_events_accepted_total 1$/m);
    expect(text).toMatch(/^beckon_events_duplicate_total 1$/m);
    expect(text).toMatch(/^beckon_events_rejected_total\{code="invalidEvent"\} 1$/m);
    expect(text).toMatch(/^beckon_events_rejected_total\{code="unknownSystemEvent"\} 1$/m);
    expect(text).toMatch(/^beckon_ingest_duration_seconds_count 1$/m);
    expect(text).toMatch(/^# TYPE beckon_store_commit_duration_seconds histogram$/m);
  });

  it('/server/docs/openapi.json is an OpenAPI 3 document with every History API path, without a key', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/server/docs/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = JSON.parse(res.body) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toMatch(/^3\./);
    const expected: [string, string][] = [
      ['/server/events', 'post'],
      ['/server/data/visits/{visitId}', 'get'],
      ['/server/data/visits', 'post'],
      ['/server/data/visits', 'get'],
      ['/server/data/visits/{visitId}/events', 'get'],
      ['/server/data/visits/{visitId}/events', 'post'],
      ['/server/data/visits/{visitId}/pages', 'get'],
      ['/server/data/pages/{pageId}/events', 'get'],
      ['/server/data/pages/{pageId}', 'get'],
      ['/server/data/visits/{visitId}/identities', 'get'],
      ['/server/data/identities', 'get'],
      ['/server/data/identities/{identityId}', 'get'],
      ['/server/data/identities/{identityId}/visits', 'get'],
      ['/server/data/visits/{visitId}/sessions', 'get'],
      ['/server/data/categories', 'get'],
      ['/server/data/categories/{name}', 'put'],
      ['/server/data/categories/{name}', 'delete'],
    ];
    for (const [path, method] of expected)
      expect(doc.paths[path]?.[method], `${method} ${path}`).toBeDefined();
    // Operational routes stay out of the public document.
    expect(doc.paths['/healthz']).toBeUndefined();
    expect(doc.paths['/metrics']).toBeUndefined();
  });

  it('answers unknown routes with 404 notFound in the catalogue shape', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/server/nothing-here?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toStrictEqual({ code: 'notFound', message: 'no route for GET /server/nothing-here' });
  });
});

describe('shutdown', () => {
  it('lets an in-flight ingest request finish and commit before the store closes', async () => {
    let reached: () => void = () => undefined;
    const inLookup = new Promise<void>((resolve) => (reached = resolve));
    const s = await createTestApp({
      wrapStore: (store) =>
        storeDouble(store, {
          slow: ['existingEventIds', 'commit'],
          maxDelayMs: 40,
          random: () => 1,
          onCall: (method) => method === 'existingEventIds' && reached(),
        }),
    });
    await s.app.listen({ port: 0, host: '127.0.0.1' });
    const address = s.app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    const v = testVisit();
    const pending = fetch(`http://127.0.0.1:${address.port}/server/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([v.event(), v.event()]),
    });
    await inLookup; // the batch is now in its store look-ups
    const closing = s.shutdown();
    const res = await pending;
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ accepted: 2 });
    expect(res.headers.get('connection')).toBe('close');
    await closing;
    await s.close().catch(() => undefined);
  });
});
