/**
 * The SQL adapter of the resource plugin's `ApplicationStore` port: the active application, its DSL and its
 * modifiable resources live in the database, so every node serves the same bytes. Deploying replaces the previous
 * application and all of its resources in one transaction (GWE semantics, spec/compat.md §5). Reads are cached
 * per process for a second, because every resource request asks for them.
 */
import { createHash } from 'node:crypto';
import type {
  ActiveApplication,
  ApplicationDeployment,
  ApplicationStore,
} from '../resources/application-store.js';
import type { SqlDriver } from './sql-driver.js';

export function createSqlApplicationStore(
  driver: SqlDriver,
  options: { cacheMs?: number } = {},
): ApplicationStore {
  const cacheMs = options.cacheMs ?? 1000;
  let active: { value: ActiveApplication | undefined; until: number } | null = null;
  const resources = new Map<string, { value: Buffer | undefined; until: number }>();

  return {
    async deploy(app: ApplicationDeployment) {
      await driver.transaction(async (tx) => {
        await tx.run('DELETE FROM app_resources');
        await tx.run('DELETE FROM applications');
        await tx.run('INSERT INTO applications (name, active, deployed_at, dsl) VALUES (?, 1, ?, ?)', [
          app.name,
          app.deployedAt,
          app.dsl ?? null,
        ]);
        for (const [path, content] of app.resources) {
          const etag = createHash('sha256').update(content).digest('base64url').slice(0, 27);
          await tx.run('INSERT INTO app_resources (app_name, path, content, etag) VALUES (?, ?, ?, ?)', [
            app.name,
            path,
            content,
            etag,
          ]);
        }
      });
      active = null;
      resources.clear();
    },
    async getResource(path: string) {
      const now = performance.now();
      const cached = resources.get(path);
      if (cached && cached.until > now) return cached.value;
      const [row] = await driver.all<{ content: Uint8Array }>(
        'SELECT r.content FROM app_resources r JOIN applications a ON a.name = r.app_name AND a.active = 1 WHERE r.path = ?',
        [path],
      );
      const value = row ? Buffer.from(row.content) : undefined;
      if (resources.size > 1000) resources.clear();
      resources.set(path, { value, until: now + cacheMs });
      return value;
    },
    async activeApplication() {
      const now = performance.now();
      if (active && active.until > now) return active.value;
      const [row] = await driver.all<{ name: string; dsl: string | null; deployed_at: number }>(
        'SELECT name, dsl, deployed_at FROM applications WHERE active = 1',
      );
      const value = row ? { name: row.name, dsl: row.dsl, deployedAt: Number(row.deployed_at) } : undefined;
      active = { value, until: now + cacheMs };
      return value;
    },
  };
}
