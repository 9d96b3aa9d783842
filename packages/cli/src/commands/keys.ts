/**
 * `beckon keys create --role read|full [--name N] | list | revoke <keyId>`: manages History API keys directly in
 * the configured store. The secret is printed once at creation; only its hash is stored.
 */
import { loadConfig, openStore } from '@beckon/server';
import type { ApiKeyRole } from '@beckon/server';
import type { CommandRun } from '../command.js';
import { parseCommandArgs } from '../args.js';

export const run: CommandRun = async (args) => {
  const [action, ...rest] = args;
  const { values, positionals } = parseCommandArgs(rest, {
    role: { type: 'string' },
    name: { type: 'string' },
    json: { type: 'boolean' },
  });
  const config = loadConfig();
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  try {
    switch (action) {
      case 'create': {
        const role = (values.role ?? 'read') as string;
        if (role !== 'read' && role !== 'full') {
          console.error('--role must be read or full');
          return 1;
        }
        const { key, record } = await store.createApiKey(
          String(values.name ?? 'cli'),
          role as ApiKeyRole,
          Date.now(),
        );
        if (values.json) console.log(JSON.stringify({ ...record, key }));
        else
          console.log(
            `created key ${record.keyId} (role ${record.role}); keep it, it is shown only once:\n${key}`,
          );
        return 0;
      }
      case 'list': {
        const keys = await store.listApiKeys();
        if (values.json) console.log(JSON.stringify(keys));
        else
          for (const k of keys) {
            const state = k.revokedAt ? `revoked ${new Date(k.revokedAt).toISOString()}` : 'active';
            console.log(`${k.keyId}  ${k.role.padEnd(4)}  ${state.padEnd(32)}  ${k.name}`);
          }
        return 0;
      }
      case 'revoke': {
        const keyId = positionals[0];
        if (!keyId) {
          console.error('usage: beckon keys revoke <keyId>');
          return 1;
        }
        if (!(await store.revokeApiKey(keyId, Date.now()))) {
          console.error(`no active key ${keyId}`);
          return 1;
        }
        console.log(`revoked ${keyId}`);
        return 0;
      }
      default:
        console.error('usage: beckon keys create --role read|full [--name N] | list | revoke <keyId>');
        return 1;
    }
  } finally {
    await store.close();
  }
};
