import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { openStore } from '@beckon/server';
import { verifyPassword } from '../../../server/src/contact-center/passwords.js';
import { run } from './agents.js';

/** Each test gets its own empty store, so none depends on the agents another one left behind. */
let dir = '';
let previous: string | undefined;
beforeAll(() => {
  previous = process.env.BECKON_DATA_DIR;
});
afterAll(() => {
  if (previous === undefined) delete process.env.BECKON_DATA_DIR;
  else process.env.BECKON_DATA_DIR = previous;
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'beckon-agents-'));
  process.env.BECKON_DATA_DIR = dir;
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

function capture() {
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  return lines;
}

async function hashOf(agentId: string): Promise<string> {
  const store = await openStore({ dataDir: dir, databaseUrl: '' });
  try {
    const rows = await store.driver.all<{ password_hash: string }>(
      'SELECT password_hash FROM cc_agents WHERE agent_id = ?',
      [agentId],
    );
    return rows[0]!.password_hash;
  } finally {
    await store.close();
  }
}

describe('beckon agents', () => {
  it('adds an agent with groups, skills and capacity, and lists it', async () => {
    const out = capture();
    expect(
      await run([
        'add',
        'jdoe',
        '--name',
        'Jane Doe',
        '--groups',
        'sales,loans',
        '--password',
        'long enough pw',
        '--skills',
        'english=5,loans=3',
        '--chat',
        '2',
        '--callback',
        '0',
      ]),
    ).toBe(0);
    expect(out[0]).toContain('added agent jdoe');
    expect(await verifyPassword('long enough pw', await hashOf('jdoe'))).toBe(true);
    const list = capture();
    expect(await run(['list', '--json'])).toBe(0);
    expect(JSON.parse(list[0]!)).toEqual([
      {
        agentId: 'jdoe',
        name: 'Jane Doe',
        groups: ['sales', 'loans'],
        skills: { english: 5, loans: 3 },
        capacity: { chat: 2, callback: 0 },
        afterChatWorkSec: 0,
        enabled: true,
      },
    ]);
  });

  it('prints a generated password when none is given; passwd replaces it', async () => {
    const out = capture();
    expect(await run(['add', 'gen'])).toBe(0);
    const generated = /password \(shown only once\): (\S+)/.exec(out.join('\n'))![1]!;
    expect(await verifyPassword(generated, await hashOf('gen'))).toBe(true);
    expect(await run(['passwd', 'gen', '--password', 'a new password'])).toBe(0);
    expect(await verifyPassword('a new password', await hashOf('gen'))).toBe(true);
    expect(await verifyPassword(generated, await hashOf('gen'))).toBe(false);
  });

  it('refuses duplicates, bad values and unknown agents; removes', async () => {
    const out = capture();
    expect(await run(['add', 'jdoe', '--password', 'long enough pw'])).toBe(0);
    expect(await run(['add', 'gen'])).toBe(0);
    expect(await run(['add', 'jdoe', '--password', 'long enough pw'])).toBe(1);
    expect(out.at(-1)).toContain('already exists');
    expect(await run(['add', 'x', '--skills', 'english'])).toBe(1);
    expect(await run(['add', 'y', '--password', 'short'])).toBe(1);
    expect(await run(['passwd', 'nobody'])).toBe(1);
    expect(await run(['remove', 'gen'])).toBe(0);
    expect(await run(['remove', 'gen'])).toBe(1);
    expect(await run(['frobnicate'])).toBe(2);
    expect(await run(['add'])).toBe(2);
  });
});
