/**
 * Where the adapter contract suites find their database servers. `scripts/test-servers.sh` starts throwaway
 * PostgreSQL and Redis servers and prints their URLs; a suite whose server is not configured is skipped locally with
 * a printed reason, but fails in CI (`BECKON_REQUIRE_SERVERS=1`), so a missing server is never a silent green run.
 * Test support is the one place outside the config module that reads `process.env`: these are test-only knobs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const HOW_TO = 'run `bash scripts/test-servers.sh start && eval "$(bash scripts/test-servers.sh env)"` first';

function serverUrl(variable: string, what: string): string | null {
  const url = process.env[variable];
  if (url !== undefined && url !== '') return url;
  const reason = `${variable} is not set: the ${what} contract suite needs a ${what} server (${HOW_TO})`;
  if (process.env.BECKON_REQUIRE_SERVERS === '1') throw new Error(`BECKON_REQUIRE_SERVERS=1 but ${reason}`);
  console.warn(`skipping: ${reason}`);
  return null;
}

/**
 * The PostgreSQL test server URL (`BECKON_TEST_PG_URL`), or null when it is not configured (the suite is then
 * skipped). Throws instead when `BECKON_REQUIRE_SERVERS=1`.
 */
export function pgUrl(): string | null {
  return serverUrl('BECKON_TEST_PG_URL', 'PostgreSQL');
}

/** The Redis test server URL (`BECKON_TEST_REDIS_URL`); same rules as {@link pgUrl}. */
export function redisUrl(): string | null {
  return serverUrl('BECKON_TEST_REDIS_URL', 'Redis');
}

/** A database created for one test file (or one test); `drop()` removes it. */
export interface ScratchDatabase {
  /** Connection URL of the new database. */
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** `url` with its database path replaced by `database`. */
function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function admin<T>(baseUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates an empty database `beckon_t_<random>` on the server of `baseUrl` (the URL's own database is only used
 * to connect). Drop it when done; `drop()` first ends the other connections still open to it.
 */
export async function createScratchDatabase(baseUrl: string): Promise<ScratchDatabase> {
  const name = `beckon_t_${randomBytes(6).toString('hex')}`;
  await admin(baseUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  return {
    name,
    url: withDatabase(baseUrl, name),
    async drop() {
      await admin(baseUrl, async (c) => {
        await c.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
          [name],
        );
        await c.query(`DROP DATABASE IF EXISTS ${name}`);
      });
    },
  };
}

/**
 * Creates an empty schema `s_<random>` in the database of `databaseUrl` and returns a URL whose connections use it
 * as their `search_path`, so every table a store creates lands there. Cheaper than a database per test (no
 * template copy); the schemas go away with their scratch database.
 */
export async function createScratchSchema(databaseUrl: string): Promise<{ url: string; schema: string }> {
  const schema = `s_${randomBytes(6).toString('hex')}`;
  await admin(databaseUrl, (c) => c.query(`CREATE SCHEMA ${schema}`));
  const parsed = new URL(databaseUrl);
  parsed.searchParams.set('options', `-c search_path=${schema}`);
  return { url: parsed.toString(), schema };
}

/** A fresh temporary directory (for a SQLite data directory); `remove()` deletes it with its contents. */
export interface ScratchDir {
  dir: string;
  remove(): Promise<void>;
}

export async function createScratchDir(prefix = 'beckon-test-'): Promise<ScratchDir> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
