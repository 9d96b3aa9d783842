/**
 * The Store contract against the embedded SQLite adapter: each test gets a new data directory.
 */
import { afterAll } from 'vitest';
import { createScratchDir } from '../../../../test/support/servers.js';
import type { ScratchDir } from '../../../../test/support/servers.js';
import { openStore } from './open-store.js';
import { describeStoreContract } from './store.contract.js';

const dirs: ScratchDir[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => d.remove()));
});

describeStoreContract('SQLite', async () => {
  const scratch = await createScratchDir('beckon-sqlite-');
  dirs.push(scratch);
  return openStore({ dataDir: scratch.dir, databaseUrl: '' });
});
