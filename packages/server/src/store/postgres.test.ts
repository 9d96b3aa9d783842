/**
 * The Store contract against the PostgreSQL adapter. Needs `BECKON_TEST_PG_URL` (scripts/test-servers.sh); without
 * it the suite is skipped with a printed reason, except in CI (`BECKON_REQUIRE_SERVERS=1`) where that is an error.
 * The file works in its own scratch database, each test in a new schema of it.
 */
import { afterAll, beforeAll, describe } from 'vitest';
import { createScratchDatabase, createScratchSchema, pgUrl } from '../../../../test/support/servers.js';
import type { ScratchDatabase } from '../../../../test/support/servers.js';
import { openStore } from './open-store.js';
import { describeStoreContract } from './store.contract.js';

const url = pgUrl();

describe.skipIf(url === null)('PostgreSQL', () => {
  let database: ScratchDatabase;
  beforeAll(async () => {
    database = await createScratchDatabase(url!);
  });
  afterAll(async () => {
    await database?.drop();
  });

  describeStoreContract('PostgreSQL', async () => {
    const { url: schemaUrl } = await createScratchSchema(database.url);
    return openStore({ dataDir: '/nonexistent-unused', databaseUrl: schemaUrl });
  });
});
