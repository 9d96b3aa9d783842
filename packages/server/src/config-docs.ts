/**
 * Renders docs/configuration.md from the config schema, so the documentation of every option, its default and its
 * range can never drift from the code (config-docs.test.ts compares them; `npm run docs:config` rewrites the file).
 */
import type { TSchema } from '@sinclair/typebox';
import { ConfigSchema } from './config.js';

interface Described extends Record<string, unknown> {
  type?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  description?: string;
  properties?: Record<string, TSchema>;
  anyOf?: { const?: unknown }[];
}

function rows(schema: Described, prefix: string): string[] {
  const out: string[] = [];
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    const c = child as unknown as Described;
    const name = prefix ? `${prefix}.${key}` : key;
    if (c.type === 'object' && c.properties) {
      out.push(...rows(c, name));
      continue;
    }
    const type = c.anyOf ? c.anyOf.map((a) => JSON.stringify(a.const)).join(' \\| ') : (c.type ?? '');
    const range = c.minimum !== undefined ? `${c.minimum}–${c.maximum}` : '';
    out.push(
      `| \`${name}\` | ${type} | \`${JSON.stringify(c.default)}\` | ${range} | ${c.description ?? ''} |`,
    );
  }
  return out;
}

export function renderConfigDocs(): string {
  return [
    '# Configuration',
    '',
    'Generated from `packages/server/src/config.ts` by `npm run docs:config`; a test fails when it is stale.',
    '',
    'Beckon reads its configuration once at start: defaults, then the file named by `BECKON_CONFIG` (JSON, or YAML',
    'when the name ends in `.yaml`/`.yml`), then environment variables (`BECKON_PORT` → `http.port`, `BECKON_HOST` →',
    '`http.host`, `BECKON_DATA_DIR` → `dataDir`, `BECKON_DATABASE_URL` → `databaseUrl`, `BECKON_LOG_LEVEL` →',
    '`log.level`, `BECKON_APPLICATION_SECRET` → `security.applicationSecret`), then command-line flags. Unknown keys',
    'are rejected with their dotted path. Times are in seconds, as in GWE.',
    '',
    '| Option | Type | Default | Range | Meaning |',
    '|---|---|---|---|---|',
    ...rows(ConfigSchema as unknown as Described, ''),
    '',
  ].join('\n');
}
