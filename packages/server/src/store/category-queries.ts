/**
 * Categories in the database: the ordered list every node categorizes with, edits that keep a category's
 * position, the CLI's replace-all import, and the version token nodes poll to notice changes.
 */
import { createHash } from 'node:crypto';
import type { Category } from '@beckon/protocol';
import { n, s } from './row-mappers.js';
import type { Row } from './row-mappers.js';
import type { SqlDriver } from './sql-driver.js';

export async function listCategories(driver: SqlDriver): Promise<Category[]> {
  const rows = await driver.all<Row>('SELECT body FROM categories ORDER BY position, name');
  return rows.map((r) => JSON.parse(s(r.body)) as Category);
}

export async function putCategory(driver: SqlDriver, category: Category, now: number): Promise<boolean> {
  return driver.transaction(async (tx) => {
    const body = JSON.stringify(category);
    const changed = await tx.run('UPDATE categories SET body = ?, updated_at = ? WHERE name = ?', [
      body,
      now,
      category.name,
    ]);
    if (changed > 0) return false;
    const [max] = await tx.all<Row>('SELECT COALESCE(MAX(position), 0) AS m FROM categories');
    await tx.run('INSERT INTO categories (name, position, body, updated_at) VALUES (?, ?, ?, ?)', [
      category.name,
      n(max?.m ?? 0) + 1,
      body,
      now,
    ]);
    return true;
  });
}

export async function deleteCategory(driver: SqlDriver, name: string): Promise<boolean> {
  return (await driver.transaction((tx) => tx.run('DELETE FROM categories WHERE name = ?', [name]))) > 0;
}

export async function replaceCategories(
  driver: SqlDriver,
  categories: readonly Category[],
  now: number,
): Promise<void> {
  await driver.transaction(async (tx) => {
    await tx.run('DELETE FROM categories');
    let position = 0;
    for (const c of categories) {
      await tx.run('INSERT INTO categories (name, position, body, updated_at) VALUES (?, ?, ?, ?)', [
        c.name,
        ++position,
        JSON.stringify(c),
        now,
      ]);
    }
  });
}

/**
 * The version token hashes the rows themselves: a count and latest `updated_at` missed changes made in the same
 * millisecond or by a node whose clock lags. Categories are few, so reading them on each poll is cheap.
 */
export async function categoriesVersion(driver: SqlDriver): Promise<string> {
  const rows = await driver.all<Row>('SELECT name, position, body FROM categories ORDER BY position, name');
  const hash = createHash('sha256');
  for (const r of rows) hash.update(JSON.stringify([s(r.name), n(r.position), s(r.body)]));
  return `${rows.length}:${hash.digest('hex').slice(0, 32)}`;
}
