/**
 * API keys: created with a random secret that is returned once (only its SHA-256 is stored), looked up by that
 * hash when a request presents the key, listed, and revoked.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { ApiKeyRecord, ApiKeyRole } from './records.js';
import { n, s } from './row-mappers.js';
import type { Row } from './row-mappers.js';
import type { SqlDriver } from './sql-driver.js';

export const hashApiKey = (key: string): string => createHash('sha256').update(key).digest('hex');

export async function createApiKey(
  driver: SqlDriver,
  name: string,
  role: ApiKeyRole,
  now: number,
): Promise<{ key: string; record: ApiKeyRecord }> {
  const keyId = randomBytes(8).toString('hex').toUpperCase();
  const key = `bk_${keyId}_${randomBytes(24).toString('base64url')}`;
  await driver.transaction((tx) =>
    tx.run('INSERT INTO api_keys (key_id, name, key_hash, role, created_at) VALUES (?, ?, ?, ?, ?)', [
      keyId,
      name,
      hashApiKey(key),
      role,
      now,
    ]),
  );
  return { key, record: { keyId, name, role, createdAt: now, revokedAt: null } };
}

export async function findApiKey(driver: SqlDriver, key: string): Promise<ApiKeyRecord | null> {
  const [row] = await driver.all<Row>(
    'SELECT key_id, name, role, created_at, revoked_at FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL',
    [hashApiKey(key)],
  );
  return row ? apiKeyRecord(row) : null;
}

export async function listApiKeys(driver: SqlDriver): Promise<ApiKeyRecord[]> {
  const rows = await driver.all<Row>(
    'SELECT key_id, name, role, created_at, revoked_at FROM api_keys ORDER BY created_at',
  );
  return rows.map(apiKeyRecord);
}

export async function revokeApiKey(driver: SqlDriver, keyId: string, now: number): Promise<boolean> {
  const changed = await driver.transaction((tx) =>
    tx.run('UPDATE api_keys SET revoked_at = ? WHERE key_id = ? AND revoked_at IS NULL', [now, keyId]),
  );
  return changed > 0;
}

function apiKeyRecord(r: Row): ApiKeyRecord {
  return {
    keyId: s(r.key_id),
    name: s(r.name),
    role: s(r.role) as ApiKeyRole,
    createdAt: n(r.created_at),
    revokedAt: r.revoked_at === null ? null : n(r.revoked_at),
  };
}
