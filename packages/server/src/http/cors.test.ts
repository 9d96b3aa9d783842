import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, newId } from '../testing/test-app.js';
import type { TestApp } from '../testing/test-app.js';
import { isPublicPath } from './cors.js';

const ADMIN = 'https://admin.example.com';
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ config: { cors: { apiOrigins: [ADMIN] } } });
});
afterAll(async () => {
  await t.close();
});

const preflight = (url: string, origin = 'https://shop.example.com') =>
  t.app.inject({
    method: 'OPTIONS',
    url,
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type',
    },
  });

const expectPreflightHeaders = (headers: Record<string, unknown>, origin: string) => {
  expect(headers['access-control-allow-origin']).toBe(origin);
  expect(headers['access-control-allow-methods']).toBe('GET, POST, OPTIONS');
  expect(headers['access-control-allow-headers']).toBe('Content-Type, Authorization');
  expect(headers['access-control-max-age']).toBe('86400');
  expect(headers['access-control-allow-credentials']).toBeUndefined();
};

describe('CORS on browser-facing paths (spec/compat.md §5)', () => {
  it('answers Access-Control-Allow-Origin: * on /server/events, with no credentials', async () => {
    const res = await t.send([], { origin: 'https://any-site.example' });
    expect(res.statusCode).toBe(202);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    expect(res.headers.vary ?? '').not.toMatch(/Origin/);
  });

  it('answers preflights with 204 and the §5 header set', async () => {
    for (const url of [
      '/server/events',
      '/server/resources/js/build/GPE.min.js',
      `/server/data/notification/disposition/${newId()}`,
      '/server/data/pacing/reactiveState',
    ]) {
      const res = await preflight(url);
      expect(res.statusCode, url).toBe(204);
      expect(res.body).toBe('');
      expectPreflightHeaders(res.headers, '*');
    }
  });

  it('keeps the header on error answers, so the tracker can read them', async () => {
    const res = await t.send('not json', { origin: 'https://shop.example.com' });
    expect(res.statusCode).toBe(400);
    expect(res.headers['access-control-allow-origin']).toBe('*');
  });

  it('is decided on the decoded path', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/server/%65vents',
      headers: { 'content-type': 'application/json', origin: 'https://shop.example.com' },
      payload: '[]',
    });
    expect(res.statusCode).toBe(202);
    expect(res.headers['access-control-allow-origin']).toBe('*');
  });
});

describe('CORS on the History API', () => {
  it('sends no CORS header to origins outside cors.apiOrigins', async () => {
    const res = await t.api({
      method: 'GET',
      url: '/server/data/categories',
      headers: { origin: 'https://evil.example' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const pre = await preflight('/server/data/categories', 'https://evil.example');
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();
    expect(pre.headers['access-control-allow-methods']).toBeUndefined();
  });

  it('echoes an origin listed in cors.apiOrigins, with Vary: Origin', async () => {
    const res = await t.api({ method: 'GET', url: '/server/data/categories', headers: { origin: ADMIN } });
    expect(res.headers['access-control-allow-origin']).toBe(ADMIN);
    expect(res.headers.vary).toMatch(/Origin/);
    const unauthorized = await t.app.inject({
      method: 'GET',
      url: '/server/data/identities',
      headers: { origin: ADMIN },
    });
    expect(unauthorized.statusCode).toBe(401);
    expect(unauthorized.headers['access-control-allow-origin']).toBe(ADMIN);
  });

  it('answers an allowed preflight with 204 without an API key', async () => {
    const res = await preflight(`/server/data/visits/${newId()}/events`, ADMIN);
    expect(res.statusCode).toBe(204);
    expectPreflightHeaders(res.headers, ADMIN);
  });

  it('sends nothing to any origin by default', async () => {
    const plain = await createTestApp();
    try {
      const res = await plain.api({
        method: 'GET',
        url: '/server/data/categories',
        headers: { origin: ADMIN },
      });
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await plain.close();
    }
  });
});

describe('isPublicPath', () => {
  it('lists the browser-facing paths of §5 and §12.3 only', () => {
    for (const path of [
      '/server/events',
      '/server/resources/js/build/GPE.min.js',
      '/server/api/resources/v1/invite.html',
      '/server/notifications?visitID=x',
      '/server/chat/abc',
      '/server/callback/abc',
      '/server/engagements',
      '/server/data/notification/disposition/ABCDEFGH',
      '/server/data/pacing/reactiveState',
    ]) {
      expect(isPublicPath(path), path).toBe(true);
    }
    for (const path of [
      '/server/data/visits/x',
      '/server/data/categories',
      '/server/data/notification/notify/x',
    ]) {
      expect(isPublicPath(path), path).toBe(false);
    }
  });
});
