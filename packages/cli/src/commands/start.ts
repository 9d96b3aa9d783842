/**
 * `beckon start [--port N] [--data-dir D] [--demo]`: starts the server with the embedded store (or PostgreSQL
 * when BECKON_DATABASE_URL is a postgres:// URL). `--demo` also serves the demo site at /demo/ when it exists.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, startServer } from '@beckon/server';
import type { CommandRun } from '../command.js';
import { parseCommandArgs } from '../args.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

export const run: CommandRun = async (args) => {
  const { values } = parseCommandArgs(args, {
    port: { type: 'string', short: 'p' },
    'data-dir': { type: 'string' },
    demo: { type: 'boolean' },
  });
  const overrides: Record<string, unknown> = {};
  if (values.port !== undefined) overrides.http = { port: Number(values.port) };
  if (values['data-dir'] !== undefined) overrides.dataDir = values['data-dir'];
  if (values.demo) overrides.demo = true;
  const config = loadConfig(overrides);
  const demoDir = path.join(repoRoot, 'examples/demo-site');
  const server = await startServer({
    config,
    extend: async (beckon) => {
      if (!config.demo || !existsSync(demoDir)) return;
      const { mountDemo, deployDemoOnce, createDemoAgentOnce } = await import('../demo.js');
      await mountDemo(beckon.app, { demoDir });
      const deployed = await deployDemoOnce(beckon, path.join(demoDir, 'app'), {
        createKey: async () => {
          const { key, record } = await beckon.store.createApiKey(
            'demo deploy (revoked)',
            'full',
            Date.now(),
          );
          return { key, keyId: record.keyId };
        },
        revokeKey: async (keyId) => {
          await beckon.store.revokeApiKey(keyId, Date.now());
        },
      });
      if (deployed)
        console.log('Deployed the demo application (DSL, categories) from examples/demo-site/app');
      const password = await createDemoAgentOnce(beckon);
      if (password) {
        console.log(
          `Created the demo agent: sign in at /console/ as "demo" with password ${password} (shown once)`,
        );
      }
    },
  });
  const store = config.databaseUrl ? 'PostgreSQL' : `SQLite in ${path.resolve(config.dataDir)}`;
  console.log(`Beckon listening on ${server.url} (store: ${store})`);
  if (config.demo && existsSync(demoDir)) console.log(`Demo site: ${server.url}/demo/index.html`);
  // Keep running until a signal stops the server.
  await new Promise<never>(() => undefined);
  return 0;
};
