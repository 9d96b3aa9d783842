import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { consoleRoutes } from './console-static.js';

const dir = mkdtempSync(path.join(tmpdir(), 'beckon-console-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('console static routes', () => {
  it('serves index.html and hashed assets with their cache policy and a CSP', async () => {
    mkdirSync(path.join(dir, 'assets'));
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Beckon</title>');
    writeFileSync(path.join(dir, 'assets', 'index-abc.js'), 'console.log(1)');
    const app = Fastify();
    expect(await consoleRoutes(app, { dir })).toBe(true);
    const page = await app.inject('/console/');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<title>Beckon</title>');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.headers['cache-control']).toBe('no-cache');
    const asset = await app.inject('/console/assets/index-abc.js');
    expect(asset.headers['cache-control']).toContain('immutable');
    expect((await app.inject('/console')).statusCode).toBe(302);
    expect((await app.inject('/console/../package.json')).statusCode).toBe(404);
  });

  it('mounts nothing when the console is not built', async () => {
    const app = Fastify();
    expect(await consoleRoutes(app, { dir: path.join(dir, 'missing') })).toBe(false);
    expect((await app.inject('/console/')).statusCode).toBe(404);
  });
});
