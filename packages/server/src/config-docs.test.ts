import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderConfigDocs } from './config-docs.js';

describe('docs/configuration.md', () => {
  it('matches the config schema (run `npm run docs:config` after changing options)', () => {
    const file = path.resolve(import.meta.dirname, '../../../docs/configuration.md');
    expect(readFileSync(file, 'utf8')).toBe(renderConfigDocs());
  });

  it('documents the GWE option names with their GWE defaults', () => {
    const docs = renderConfigDocs();
    expect(docs).toContain('| `engagement.visitExpirationTime` | integer | `86400` |');
    expect(docs).toContain('| `engagement.engagementExpirationTime` | integer | `30` | 10–1800 |');
    expect(docs).toContain('| `http.port` | integer | `9081` |');
  });
});
