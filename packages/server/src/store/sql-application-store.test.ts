import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openStore } from './open-store.js';
import type { SqlStore } from './sql-store.js';
import { createSqlApplicationStore } from './sql-application-store.js';

let store: SqlStore | undefined;
let dir = '';
afterEach(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SQL application store (SQLite)', () => {
  it('deploying replaces the previous application and all of its resources', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'beckon-apps-'));
    store = await openStore({ dataDir: dir, databaseUrl: '' });
    const apps = createSqlApplicationStore(store.driver, { cacheMs: 0 });
    expect(await apps.activeApplication()).toBeUndefined();
    await apps.deploy({
      name: 'shop',
      deployedAt: 1000,
      dsl: '<properties><events/></properties>',
      resources: new Map([
        ['invite.html', Buffer.from('<p>hi</p>')],
        ['img/logo.png', Buffer.from([1, 2, 3])],
      ]),
    });
    expect(await apps.activeApplication()).toEqual({
      name: 'shop',
      dsl: '<properties><events/></properties>',
      deployedAt: 1000,
    });
    expect((await apps.getResource('img/logo.png'))?.equals(Buffer.from([1, 2, 3]))).toBe(true);

    await apps.deploy({
      name: 'loans',
      deployedAt: 2000,
      resources: new Map([['offer.html', Buffer.from('x')]]),
    });
    expect(await apps.activeApplication()).toEqual({ name: 'loans', dsl: null, deployedAt: 2000 });
    expect(await apps.getResource('invite.html')).toBeUndefined();
    expect((await apps.getResource('offer.html'))?.toString()).toBe('x');
  });
});
