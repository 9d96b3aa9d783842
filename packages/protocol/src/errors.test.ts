import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BeckonError, errorCatalog, eventRejectionCatalog } from './errors.js';

const doc = readFileSync(path.resolve(import.meta.dirname, '../../../docs/errors.md'), 'utf8');
const section = (title: string) => doc.split(/^## /m).find((s) => s.startsWith(title)) ?? '';
const rows = (text: string) =>
  [...text.matchAll(/^\| `(\w+)` \|(?: (\d{3}) \|)?/gm)].map((m) => ({
    code: m[1]!,
    status: m[2] ? Number(m[2]) : null,
  }));

describe('error catalogue', () => {
  it('docs/errors.md lists exactly the response codes of the catalogue, with the same statuses', () => {
    const documented = rows(section('Response errors'));
    expect(documented.map((r) => r.code).sort()).toEqual(Object.keys(errorCatalog).sort());
    for (const row of documented)
      expect(row.status).toBe(errorCatalog[row.code as keyof typeof errorCatalog].status);
  });

  it('docs/errors.md lists exactly the per-event rejection codes', () => {
    const documented = rows(section('Per-event rejections')).map((r) => r.code);
    expect(documented.sort()).toEqual(Object.keys(eventRejectionCatalog).sort());
  });

  it('a BeckonError carries its catalogued status and serializes to {code, message}', () => {
    const error = new BeckonError('invalidParameter', 'limit must be <= 1000');
    expect(error.status).toBe(400);
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      code: 'invalidParameter',
      message: 'limit must be <= 1000',
    });
    expect(new BeckonError('notFound').message).toBe(errorCatalog.notFound.message);
  });
});
