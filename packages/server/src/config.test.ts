import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, buildConfig, loadConfig } from './config.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'beckon-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const message = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('buildConfig', () => {
  it('applies the spec defaults (spec/compat.md §15)', () => {
    const c = buildConfig({});
    expect(c.http.port).toBe(9081);
    expect(c.https.port).toBe(9443);
    expect(c.engagement).toStrictEqual({
      visitExpirationTime: 86400,
      strictEngagementMode: true,
      engagementExpirationTime: 30,
      registrationFormExpirationTime: 120,
      refusalCooldown: 600,
      maxInvitesPerVisit: 3,
    });
    expect(c.domainSeparation).toBe(false);
    expect(c.visit.inactivityTimeout).toBe(1800);
    expect(c.ingest).toStrictEqual({
      maxBatchEvents: 100,
      maxBodyBytes: 262144,
      maxEventBytes: 16384,
      rateLimitPerIpPerMin: 3000,
    });
    expect(c.api.defaultLimit).toBe(100);
    expect(c.api.maxLimit).toBe(1000);
    expect(c.security.applicationSecret).toBe('');
    expect(c.identity.requireSignature).toBe(false);
    expect(c.cors.apiOrigins).toStrictEqual([]);
    expect(c.notifications.bufferSec).toBe(30);
    expect(c.storage.eventRetentionDays).toBe(30);
    expect(c.storage.identityRetentionDays).toBe(90);
    expect(c.databaseUrl).toBe('');
  });

  it('keeps given values next to the defaults of the same section, and freezes the result', () => {
    const c = buildConfig({
      ingest: { rateLimitPerIpPerMin: 5 },
      cors: { apiOrigins: ['https://a.example'] },
    });
    expect(c.ingest.rateLimitPerIpPerMin).toBe(5);
    expect(c.ingest.maxBatchEvents).toBe(100);
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.ingest)).toBe(true);
    expect(Object.isFrozen(c.cors.apiOrigins)).toBe(true);
  });

  it('does not change its input', () => {
    const input = { http: { port: 1234 } };
    buildConfig(input);
    expect(input).toStrictEqual({ http: { port: 1234 } });
  });

  it('rejects unknown keys with their dotted path', () => {
    expect(message(() => buildConfig({ foo: 1 }))).toContain('unknown option "foo"');
    expect(message(() => buildConfig({ http: { portt: 1 } }))).toContain('unknown option "http.portt"');
    expect(message(() => buildConfig({ engagement: { visitExpiration: 5 } }))).toContain(
      'unknown option "engagement.visitExpiration"',
    );
  });

  it('rejects out-of-range and mistyped values, naming the option', () => {
    expect(message(() => buildConfig({ ingest: { maxBatchEvents: 0 } }))).toContain(
      '"ingest.maxBatchEvents"',
    );
    expect(message(() => buildConfig({ engagement: { engagementExpirationTime: 5 } }))).toContain(
      '"engagement.engagementExpirationTime"',
    );
    expect(message(() => buildConfig({ cors: { apiOrigins: 'https://a.example' } }))).toContain(
      '"cors.apiOrigins"',
    );
    expect(message(() => buildConfig({ log: { level: 'loud' } }))).toContain('"log.level"');
    expect(message(() => buildConfig({ http: { port: 70000 } }))).toContain('"http.port"');
  });

  it('rejects a default page size above the largest page size', () => {
    expect(message(() => buildConfig({ api: { defaultLimit: 500, maxLimit: 100 } }))).toContain(
      'api.defaultLimit',
    );
    expect(buildConfig({ api: { defaultLimit: 100, maxLimit: 100 } }).api.maxLimit).toBe(100);
  });
});

describe('loadConfig', () => {
  it('reads environment overrides', () => {
    const c = loadConfig(
      {},
      {
        BECKON_PORT: '8080',
        BECKON_HOST: '127.0.0.1',
        BECKON_DATA_DIR: '/var/lib/beckon',
        BECKON_DATABASE_URL: 'postgres://db/beckon',
        BECKON_LOG_LEVEL: 'debug',
        BECKON_APPLICATION_SECRET: 's3cret',
      },
    );
    expect(c.http).toStrictEqual({ port: 8080, host: '127.0.0.1' });
    expect(c.dataDir).toBe('/var/lib/beckon');
    expect(c.databaseUrl).toBe('postgres://db/beckon');
    expect(c.log.level).toBe('debug');
    expect(c.security.applicationSecret).toBe('s3cret');
  });

  it('rejects bad environment values, naming the variable or option', () => {
    expect(message(() => loadConfig({}, { BECKON_PORT: 'abc' }))).toContain('BECKON_PORT');
    expect(message(() => loadConfig({}, { BECKON_LOG_LEVEL: 'loud' }))).toContain('log.level');
  });

  it('layers file < environment < overrides', async () => {
    const file = path.join(dir, 'beckon.json');
    await writeFile(
      file,
      JSON.stringify({
        http: { port: 7000, host: '10.0.0.1' },
        visit: { inactivityTimeout: 600 },
        dataDir: '/from/file',
      }),
    );
    const c = loadConfig({ dataDir: '/from/override' }, { BECKON_CONFIG: file, BECKON_PORT: '7001' });
    expect(c.http).toStrictEqual({ port: 7001, host: '10.0.0.1' });
    expect(c.visit.inactivityTimeout).toBe(600);
    expect(c.dataDir).toBe('/from/override');
  });

  it('reads YAML files and reports unknown keys in them', async () => {
    const good = path.join(dir, 'beckon.yaml');
    await writeFile(
      good,
      'engagement:\n  visitExpirationTime: 0\ncors:\n  apiOrigins: [https://admin.example]\n',
    );
    const c = loadConfig({}, { BECKON_CONFIG: good });
    expect(c.engagement.visitExpirationTime).toBe(0);
    expect(c.cors.apiOrigins).toStrictEqual(['https://admin.example']);
    const bad = path.join(dir, 'bad.yml');
    await writeFile(bad, 'ingest:\n  maxBatch: 5\n');
    expect(message(() => loadConfig({}, { BECKON_CONFIG: bad }))).toContain(
      'unknown option "ingest.maxBatch"',
    );
  });

  it('reports a missing or malformed config file', async () => {
    expect(message(() => loadConfig({}, { BECKON_CONFIG: path.join(dir, 'missing.json') }))).toMatch(
      /cannot read/,
    );
    const broken = path.join(dir, 'broken.json');
    await writeFile(broken, '{"http":');
    expect(message(() => loadConfig({}, { BECKON_CONFIG: broken }))).toMatch(/not valid JSON/);
    const list = path.join(dir, 'list.json');
    await writeFile(list, '[1,2]');
    expect(message(() => loadConfig({}, { BECKON_CONFIG: list }))).toMatch(/must hold an object/);
  });
});
