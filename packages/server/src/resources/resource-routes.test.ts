import { request } from 'node:http';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync, brotliCompressSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BeckonError } from '@beckon/protocol';
import { validateDsl } from '../../../core/src/dsl/validate-dsl.js';
import { createMemoryApplicationStore, type ApplicationStore } from './application-store.js';
import { resourceRoutes } from './resource-routes.js';

const TRACKER = 'console.log("tracker");';
const DSL = `<properties><events><event id="a" name="A"><trigger name="t" element="a" action="click"/></event></events></properties>`;
const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');

let dir = '';
let app: FastifyInstance;
let store: ApplicationStore;
const deployed: string[][] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'beckon-res-'));
  await mkdir(join(dir, 'tracker'));
  await mkdir(join(dir, 'assets', 'css'), { recursive: true });
  await writeFile(join(dir, 'tracker', 'GPE.min.js'), TRACKER);
  await writeFile(join(dir, 'tracker', 'GPE.min.js.gz'), gzipSync(TRACKER));
  await writeFile(join(dir, 'tracker', 'GPE.min.js.br'), brotliCompressSync(TRACKER));
  await writeFile(join(dir, 'tracker', 'GPE.dsl.min.js'), 'dsl()');
  await writeFile(join(dir, 'assets', 'css', 'chat.css'), 'body{}');
  store = createMemoryApplicationStore();
  app = Fastify();
  await app.register(resourceRoutes, {
    store,
    trackerDir: join(dir, 'tracker'),
    assetsDir: join(dir, 'assets'),
    validateDsl,
    now: () => 1700000000000,
    authorize: async (request) => {
      if (request.headers.authorization !== 'Bearer full-key') throw new BeckonError('unauthorized');
    },
    onDeploy: ({ files }) => void deployed.push([...files.keys()]),
  });
});
afterAll(async () => {
  await app.close();
  await rm(dir, { recursive: true, force: true });
});

const deploy = (name: string, files: Record<string, string>, key = 'full-key') =>
  app.inject({
    method: 'PUT',
    url: `/server/data/applications/${name}`,
    headers: { authorization: `Bearer ${key}` },
    payload: { files },
  });

describe('non-modifiable resources', () => {
  it('serves the tracker at both paths with CORS, cache headers and a strong ETag', async () => {
    for (const url of ['/server/resources/js/build/GPE.min.js', '/server/resources/js/build/beckon.min.js']) {
      const res = await app.inject({ url });
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe(TRACKER);
      expect(res.headers['content-type']).toBe('application/javascript; charset=utf-8');
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.headers['cache-control']).toBe('public, max-age=300');
      expect(res.headers['vary']).toBe('Accept-Encoding');
      expect(res.headers['etag']).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    }
    expect((await app.inject({ url: '/server/resources/js/build/GPE.dsl.min.js' })).body).toBe('dsl()');
  });

  it('serves .br before .gz when Accept-Encoding allows, identity otherwise', async () => {
    const url = '/server/resources/js/build/GPE.min.js';
    const br = await app.inject({ url, headers: { 'accept-encoding': 'gzip, br' } });
    expect(br.headers['content-encoding']).toBe('br');
    const gz = await app.inject({ url, headers: { 'accept-encoding': 'gzip, br;q=0' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.rawPayload.equals(gzipSync(TRACKER))).toBe(true);
    const plain = await app.inject({ url, headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(new Set([br.headers.etag, gz.headers.etag, plain.headers.etag]).size).toBe(3);
  });

  it('answers If-None-Match with 304', async () => {
    const url = '/server/resources/js/build/GPE.min.js';
    const first = await app.inject({ url });
    const again = await app.inject({ url, headers: { 'if-none-match': `W/"x", ${first.headers.etag}` } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers.etag).toBe(first.headers.etag);
  });

  it('serves other assets and 404s unknown or unsafe paths with {code, message}', async () => {
    expect((await app.inject({ url: '/server/resources/css/chat.css' })).body).toBe('body{}');
    for (const url of [
      '/server/resources/nope.js',
      '/server/resources/css//chat.css',
      '/server/resources/css%5cchat.css',
      '/server/resources/css/chat.css%00',
      '/server/resources/css/%2e%2e%2fcss%2fchat.css',
    ]) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json()).toEqual({ code: 'notFound', message: 'No such resource' });
    }
  });

  it('404s a raw .. that reaches the server unnormalised', async () => {
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = new URL(address);
    const status = await new Promise<number>((resolve, reject) => {
      request({ host: '127.0.0.1', port, path: '/server/resources/css/../css/chat.css' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on('error', reject)
        .end();
    });
    expect(status).toBe(404);
  });

  it('wraps content as JSONP and validates callback and obj', async () => {
    const res = await app.inject({ url: '/server/resources/css/chat.css?obj=a&callback=b' });
    expect(res.body).toBe("a.b('body{}');");
    expect(res.headers['content-type']).toBe('application/javascript; charset=utf-8');
    const plain = await app.inject({
      url: '/server/resources/js/build/GPE.min.js?callback=cb',
      headers: { 'accept-encoding': 'br' },
    });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(`cb('console.log("tracker");');`);
    for (const q of ['callback=alert(1)', 'obj=a', 'obj=a.b&callback=c']) {
      const bad = await app.inject({ url: `/server/resources/css/chat.css?${q}` });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().code).toBe('invalidParameter');
    }
  });

  it('answers CORS preflight', async () => {
    const res = await app.inject({ method: 'OPTIONS', url: '/server/api/resources/v1/invite.html' });
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-methods']).toBe('GET, POST, OPTIONS');
    expect(res.headers['access-control-allow-headers']).toBe('Content-Type, Authorization');
    expect(res.headers['access-control-max-age']).toBe('86400');
  });
});

describe('applications', () => {
  it('serves the default Timeout-30 DSL before any deployment', async () => {
    const res = await app.inject({ url: '/server/resources/dsl/domain-model.xml' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Timeout-30');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(validateDsl(res.body)).toEqual([]);
  });

  it('requires authorization to deploy', async () => {
    const res = await deploy('shop', {}, 'wrong');
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('unauthorized');
  });

  it('rejects an invalid DSL with line/column issues and keeps the previous application', async () => {
    const res = await deploy('shop', {
      'dsl/domain-model.xml': b64('<properties><events>\n<event id="x"/></events></properties>'),
    });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.code).toBe('invalidField');
    expect(body.errors).toEqual([
      { line: 2, column: expect.any(Number), message: '<event> needs the name attribute' },
      { line: 2, column: expect.any(Number), message: 'an event needs at least one <trigger>' },
    ]);
    expect(await store.activeApplication()).toBeUndefined();
  });

  it('rejects bad names, paths, base64 and bodies', async () => {
    expect((await deploy('bad name!', {})).json().code).toBe('invalidParameter');
    expect((await deploy('shop', { 'resources/../x': b64('x') })).json().code).toBe('invalidField');
    expect((await deploy('shop', { 'resources/x': '***' })).json().code).toBe('invalidField');
    const noFiles = await app.inject({
      method: 'PUT',
      url: '/server/data/applications/shop',
      headers: { authorization: 'Bearer full-key' },
      payload: { nope: 1 },
    });
    expect(noFiles.statusCode).toBe(400);
    const notJson = await app.inject({
      method: 'PUT',
      url: '/server/data/applications/shop',
      headers: { authorization: 'Bearer full-key', 'content-type': 'application/json' },
      payload: '{',
    });
    expect(notJson.json().code).toBe('invalidJson');
  });

  it('deploys, serves modifiable resources with no-cache, and replaces them on the next deployment', async () => {
    const res = await deploy('shop', {
      'dsl/domain-model.xml': b64(DSL),
      'resources/invite.html': b64('<p>Hi</p>'),
      'resources/invite.html.gz': b64(gzipSync('<p>Hi</p>')),
      'categories.json': b64('[]'),
      'rules/shop.rules': b64(''),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ name: 'shop', deployedAt: 1700000000000, resources: 3, dsl: true });
    expect(deployed.at(-1)).toEqual(['categories.json', 'rules/shop.rules']);
    expect((await app.inject({ url: '/server/resources/dsl/domain-model.xml' })).body).toBe(DSL);
    expect((await app.inject({ url: '/server/api/resources/v1/dsl/domain-model.xml' })).body).toBe(DSL);
    const invite = await app.inject({ url: '/server/api/resources/v1/invite.html' });
    expect(invite.body).toBe('<p>Hi</p>');
    expect(invite.headers['cache-control']).toBe('no-cache');
    expect(invite.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(invite.headers['access-control-allow-origin']).toBe('*');
    const gz = await app.inject({
      url: '/server/api/resources/v1/invite.html',
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(gz.headers['content-encoding']).toBe('gzip');
    const jsonp = await app.inject({ url: '/server/api/resources/v1/invite.html?callback=show' });
    expect(jsonp.body).toBe("show('<p>Hi<\\/p>');");

    expect((await deploy('loans', { 'resources/offer.html': b64('offer') })).statusCode).toBe(200);
    expect((await app.inject({ url: '/server/api/resources/v1/invite.html' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/server/api/resources/v1/offer.html' })).body).toBe('offer');
    expect((await app.inject({ url: '/server/resources/dsl/domain-model.xml' })).body).toContain(
      'Timeout-30',
    );
  });
});
