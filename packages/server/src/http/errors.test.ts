import Fastify from 'fastify';
import { Type } from '@sinclair/typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BeckonError, errorCatalog } from '@beckon/protocol';
import { installErrorHandling, toBeckonError } from './errors.js';

const app = Fastify({ logger: false });
beforeAll(async () => {
  installErrorHandling(app);
  app.get('/boom', async () => {
    throw new Error('password=hunter2 at db.internal:5432');
  });
  app.get('/busy', async () => {
    throw new BeckonError('unavailable', 'the store is unavailable', { 'Retry-After': '5' });
  });
  app.get('/who', async () => {
    throw new BeckonError('unauthorized');
  });
  app.get(
    '/q',
    { schema: { querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1 })) }) } },
    async () => ({ ok: true }),
  );
  app.post(
    '/b',
    {
      schema: {
        body: Type.Object({ name: Type.String(), nested: Type.Optional(Type.Object({ n: Type.Integer() })) }),
      },
    },
    async () => ({ ok: true }),
  );
  await app.ready();
});
afterAll(async () => {
  await app.close();
});

describe('error mapping (spec/compat.md §12.4)', () => {
  it('answers an unexpected error with 500 internal and no detail', async () => {
    const res = await app.inject({ method: 'GET', url: '/boom' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toStrictEqual({ code: 'internal', message: 'internal error' });
    expect(res.body).not.toContain('hunter2');
  });

  it('keeps a BeckonError code, status, message and headers', async () => {
    const res = await app.inject({ method: 'GET', url: '/busy' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toStrictEqual({ code: 'unavailable', message: 'the store is unavailable' });
    expect(res.headers['retry-after']).toBe('5');
  });

  it('adds WWW-Authenticate: Bearer to 401 and uses the catalogue message by default', async () => {
    const res = await app.inject({ method: 'GET', url: '/who' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(res.json()).toStrictEqual({ code: 'unauthorized', message: errorCatalog.unauthorized.message });
  });

  it('turns query validation errors into invalidParameter naming the parameter', async () => {
    const res = await app.inject({ method: 'GET', url: '/q?limit=0' });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('invalidParameter');
    expect(res.json().message).toMatch(/^limit /);
  });

  it('turns body validation errors into missingField / invalidField naming the field', async () => {
    const missing = await app.inject({ method: 'POST', url: '/b', payload: {} });
    expect(missing.json()).toStrictEqual({ code: 'missingField', message: 'name is required' });
    const invalid = await app.inject({
      method: 'POST',
      url: '/b',
      payload: { name: 'x', nested: { n: 'one' } },
    });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().code).toBe('invalidField');
    expect(invalid.json().message).toMatch(/^nested\.n /);
  });

  it('maps Fastify body errors to catalogued codes', async () => {
    const badJson = await app.inject({
      method: 'POST',
      url: '/b',
      headers: { 'content-type': 'application/json' },
      payload: '{"name":',
    });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json().code).toBe('invalidJson');
    const media = await app.inject({
      method: 'POST',
      url: '/b',
      headers: { 'content-type': 'application/xml' },
      payload: '<a/>',
    });
    expect(media.statusCode).toBe(415);
    expect(media.json().code).toBe('unsupportedMediaType');
  });

  it('answers unknown routes with 404 notFound', async () => {
    const res = await app.inject({ method: 'DELETE', url: '/nowhere?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toStrictEqual({ code: 'notFound', message: 'no route for DELETE /nowhere' });
  });
});

describe('toBeckonError', () => {
  it('maps by Fastify code, then by status, else returns null', () => {
    expect(toBeckonError({ code: 'FST_ERR_CTP_BODY_TOO_LARGE', message: 'x' })?.code).toBe('payloadTooLarge');
    expect(toBeckonError({ statusCode: 429, message: 'x' })?.code).toBe('rateLimited');
    expect(toBeckonError({ statusCode: 413, message: 'x' })?.code).toBe('payloadTooLarge');
    expect(toBeckonError(new Error('x'))).toBeNull();
    expect(toBeckonError(undefined)).toBeNull();
    const own = new BeckonError('conflict');
    expect(toBeckonError(own)).toBe(own);
  });
});
