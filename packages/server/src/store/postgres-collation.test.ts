/**
 * Text order on PostgreSQL is byte order whatever the database's locale (migration 8), so lists and keyset cursors
 * order as on SQLite and as JavaScript sorts. The test server is initialised with a C locale, which would hide a
 * linguistic order: this file creates its own database whose default collation is ICU `en-US` ('a' < 'B',
 * '_' < '-') and opens a store on it. Needs `BECKON_TEST_PG_URL`, like postgres.test.ts; and ICU in the server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { pgUrl } from '../../../../test/support/servers.js';
import type { ListPage } from './records.js';
import { openStore } from './open-store.js';
import type { SqlStore } from './sql-store.js';

const url = pgUrl();

async function admin<T>(connectionString: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Follows `next` cursors to the end. */
async function collect<T>(fetch: (cursor: string | undefined) => Promise<ListPage<T>>): Promise<T[]> {
  const all: T[] = [];
  let cursor: string | undefined;
  for (let guard = 0; guard < 100; guard++) {
    const page = await fetch(cursor);
    all.push(...page.items);
    if (page.next === null) return all;
    cursor = page.next;
  }
  throw new Error('pagination did not end');
}

/** Valid ids (`^[A-Za-z0-9_-]{8,64}$`) whose byte order differs from their en-US order in several places. */
const idsOf = (tail: string) => ['a', 'B', '_', '-', '0', 'z', 'Z'].map((c) => c.repeat(8) + tail);
/** JavaScript's default sort: by UTF-16 code unit, which for these ASCII ids is byte order. */
const byteOrder = (ids: readonly string[]) => [...ids].sort();

describe.skipIf(url === null)('PostgreSQL text collation', () => {
  const name = `beckon_t_icu_${randomBytes(6).toString('hex')}`;
  let store: SqlStore | undefined;

  beforeAll(async () => {
    await admin(url!, (c) =>
      c.query(
        `CREATE DATABASE ${name} TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' ENCODING 'UTF8' LOCALE 'C'`,
      ),
    );
    const parsed = new URL(url!);
    parsed.pathname = `/${name}`;
    store = await openStore({ dataDir: '/nonexistent-unused', databaseUrl: parsed.toString() });
  });

  afterAll(async () => {
    await store?.close();
    await admin(url!, async (c) => {
      await c.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [name],
      );
      await c.query(`DROP DATABASE IF EXISTS ${name}`);
    });
  });

  it('runs on a database whose default collation is not byte order', async () => {
    // Guards the test itself: on a C-locale database everything below would pass without migration 8.
    const [row] = await store!.driver.all<{ linguistic: boolean }>(
      `SELECT 'aaaaaaaa' < 'BBBBBBBB' AS linguistic`,
    );
    expect(row!.linguistic).toBe(true);
  });

  it('declares every text column of the schema COLLATE "C"', async () => {
    const rows = await store!.driver.all<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns
        WHERE table_schema = current_schema() AND data_type = 'text' AND collation_name IS DISTINCT FROM 'C'
        ORDER BY table_name, column_name`,
    );
    expect(rows.map((r) => `${r.table_name}.${r.column_name}`)).toEqual([]);
  });

  it('lists pages with equal start times by page id in byte order, in one page and through cursors', async () => {
    const visitId = 'V'.repeat(32);
    const pageIds = idsOf('page');
    for (const pageId of pageIds) {
      await store!.driver.run(
        `INSERT INTO pages (page_id, visit_id, url, title, referrer, start_date, end_date, duration_ms, category,
           identity_id) VALUES (?, ?, 'https://shop.example.com/', 'Home', '', ?, 0, NULL, '', NULL)`,
        [pageId, visitId, 1_700_000_000_000],
      );
    }
    const expected = byteOrder(pageIds);
    expect(expected.slice(0, 3)).toEqual(['--------page', '00000000page', 'BBBBBBBBpage']);
    const whole = await store!.listPages({ visitId }, { limit: 100 });
    expect.soft(whole.items.map((p) => p.pageId)).toEqual(expected);
    for (const limit of [1, 2]) {
      const paged = await collect((cursor) => store!.listPages({ visitId }, { limit, cursor }));
      expect
        .soft(
          paged.map((p) => p.pageId),
          `limit ${limit}`,
        )
        .toEqual(expected);
    }
  });

  it('lists visits with equal start times by visit id in reverse byte order, through cursors too', async () => {
    const visitIds = idsOf('visit');
    for (const visitId of visitIds) {
      await store!.createVisit({
        visitId,
        globalVisitID: 'G'.repeat(32),
        userAgent: 'Mozilla/5.0',
        userAgentId: 'UA11',
        languageCode: null,
        referrer: null,
        startDate: 1_700_000_000_000,
        lastEventAt: 1_700_000_000_000,
        endedAt: 0,
        pageCount: 0,
      });
    }
    const expected = byteOrder(visitIds).reverse();
    for (const limit of [1, 100]) {
      const got = await collect((cursor) => store!.listVisits({}, { limit, cursor }));
      expect
        .soft(
          got.map((v) => v.visitId),
          `limit ${limit}`,
        )
        .toEqual(expected);
    }
  });
});
