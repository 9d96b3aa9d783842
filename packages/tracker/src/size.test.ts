import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, CORE_BUDGET_GZIP } from '../build.mjs';

describe('tracker build', () => {
  // One build for the file, made before any test, which only read it: each test passes alone and in any order.
  let dir = '';
  let report: Awaited<ReturnType<typeof build>>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'beckon-tracker-'));
    report = await build({ outDir: dir, quiet: true });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('keeps the monitoring core within 5 KB gzipped and writes matching .gz/.br siblings', async () => {
    const core = report.find((r) => r.file === 'GPE.min.js');
    expect(core).toBeDefined();
    expect(core!.gzip).toBeLessThanOrEqual(CORE_BUDGET_GZIP);
    for (const r of report) {
      const js = await readFile(join(dir, r.file));
      expect(gunzipSync(await readFile(join(dir, r.file + '.gz'))).equals(js)).toBe(true);
      expect(brotliDecompressSync(await readFile(join(dir, r.file + '.br'))).equals(js)).toBe(true);
    }
    expect(report.map((r) => r.file)).toEqual([
      'GPE.min.js',
      'GPE.dsl.min.js',
      'GPE.notify.min.js',
      'GPE.chat.min.js',
      'GPE.invite.min.js',
    ]);
  });

  it('emits ES2017 code only (no optional chaining or nullish coalescing)', async () => {
    for (const file of [
      'GPE.min.js',
      'GPE.dsl.min.js',
      'GPE.notify.min.js',
      'GPE.chat.min.js',
      'GPE.invite.min.js',
    ]) {
      const js = await readFile(join(dir, file), 'utf8');
      expect(js).not.toMatch(/\?\.[a-zA-Z_$(]|\?\?/);
    }
  });
});
