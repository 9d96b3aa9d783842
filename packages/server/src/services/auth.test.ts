import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BeckonError } from '@beckon/protocol';
import { createTestApp, newId, testVisit } from '../testing/test-app.js';
import type { TestApp } from '../testing/test-app.js';
import { ApiKeyAuth } from './auth.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const call = (
  method: 'GET' | 'PUT' | 'POST' | 'DELETE',
  url: string,
  authorization?: string,
  payload?: object,
) =>
  t.app.inject({
    method,
    url,
    headers: authorization === undefined ? {} : { authorization },
    ...(payload ? { payload } : {}),
  });

describe('API keys on /server/data (spec/compat.md §12.3)', () => {
  const paths = [
    '/server/data/categories',
    `/server/data/visits/${newId()}`,
    '/server/data/identities',
    `/server/data/visits?globalVisitID=${newId()}`,
  ];

  it('answers 401 unauthorized with WWW-Authenticate: Bearer when the key is missing, malformed or unknown', async () => {
    for (const path of paths) {
      for (const authorization of [
        undefined,
        '',
        'Bearer',
        `Basic ${t.fullKey}`,
        'Bearer bk_unknown_key',
        t.fullKey,
      ]) {
        const res = await call('GET', path, authorization);
        expect(res.statusCode, `${path} ${authorization}`).toBe(401);
        expect(res.headers['www-authenticate']).toBe('Bearer');
        expect(res.json()).toMatchObject({ code: 'unauthorized' });
      }
    }
  });

  it('accepts the Bearer scheme in any case', async () => {
    expect((await call('GET', '/server/data/categories', `bearer ${t.readKey}`)).statusCode).toBe(200);
  });

  it('lets a read key GET but answers 403 forbidden to writes', async () => {
    const read = `Bearer ${t.readKey}`;
    expect((await call('GET', '/server/data/categories', read)).statusCode).toBe(200);
    const writes = [
      call('PUT', '/server/data/categories/Nope', read, { tags: [{ expression: 'x' }] }),
      call('DELETE', '/server/data/categories/Nope', read),
      call('POST', '/server/data/visits', read, { globalVisitID: newId() }),
    ];
    for (const res of await Promise.all(writes)) {
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('forbidden');
      expect(res.json().message).toMatch(/full/);
    }
    expect((await call('GET', '/server/data/categories', `Bearer ${t.fullKey}`)).json()).toStrictEqual([]);
  });

  it('lets a full key write', async () => {
    const res = await call('PUT', '/server/data/categories/Written', `Bearer ${t.fullKey}`, {
      tags: [{ expression: 'x' }],
    });
    expect(res.statusCode).toBe(201);
    expect((await call('DELETE', '/server/data/categories/Written', `Bearer ${t.fullKey}`)).statusCode).toBe(
      204,
    );
  });

  it('stops accepting a revoked key', async () => {
    const { key, record } = await t.store.createApiKey('short-lived', 'full', t.clock.now());
    expect(await t.store.revokeApiKey(record.keyId, t.clock.now())).toBe(true);
    const res = await call('GET', '/server/data/categories', `Bearer ${key}`);
    expect(res.statusCode).toBe(401);
    expect(res.json().message).toMatch(/revoked|unknown/);
  });

  it('cannot be bypassed by percent-encoding the path', async () => {
    for (const url of [
      '/server/%64ata/categories',
      '/server/dat%61/identities',
      `/server/%64ata/visits/${newId()}`,
    ]) {
      const res = await call('GET', url);
      expect(res.statusCode, url).toBe(401);
    }
    const put = await call('PUT', '/server/%64ata/categories/Sneaky', undefined, {
      tags: [{ expression: 'x' }],
    });
    expect(put.statusCode).toBe(401);
    expect((await t.get('/categories')).json()).toStrictEqual([]);
  });

  it('leaves ingestion open', async () => {
    expect((await t.send([testVisit().event()])).statusCode).toBe(202);
  });
});

describe('ApiKeyAuth', () => {
  it('sees a revocation at once when its cache is off, and resolves the key record', async () => {
    const auth = new ApiKeyAuth({ store: t.store, cacheMs: 0 });
    const { key, record } = await t.store.createApiKey('cached', 'read', t.clock.now());
    await expect(auth.authorize(`Bearer ${key}`, 'GET')).resolves.toMatchObject({
      keyId: record.keyId,
      role: 'read',
    });
    await expect(auth.authorize(`Bearer ${key}`, 'HEAD')).resolves.toBeDefined();
    await expect(auth.authorize(`Bearer ${key}`, 'POST')).rejects.toMatchObject({ code: 'forbidden' });
    await t.store.revokeApiKey(record.keyId, t.clock.now());
    const error: unknown = await auth.authorize(`Bearer ${key}`, 'GET').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BeckonError);
    expect(error).toMatchObject({ code: 'unauthorized' });
  });

  it('forgets cached keys on forget()', async () => {
    const auth = new ApiKeyAuth({ store: t.store, cacheMs: 60_000 });
    const { key, record } = await t.store.createApiKey('forgettable', 'full', t.clock.now());
    await auth.authorize(`Bearer ${key}`, 'PUT');
    await t.store.revokeApiKey(record.keyId, t.clock.now());
    await expect(auth.authorize(`Bearer ${key}`, 'PUT')).resolves.toBeDefined(); // cached
    auth.forget();
    await expect(auth.authorize(`Bearer ${key}`, 'PUT')).rejects.toMatchObject({ code: 'unauthorized' });
  });
});
