import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BeckonError } from '@beckon/protocol';
import { validateDsl } from '../../../core/src/dsl/validate-dsl.js';
import {
  createMemoryApplicationStore,
  type ApplicationStore,
} from '../../../server/src/resources/application-store.js';
import { resourceRoutes } from '../../../server/src/resources/resource-routes.js';
import { run, scaffold } from './app.js';

// Each test gets its own folder, store and server, so none depends on what another one created or deployed.
let dir = '';
let server: FastifyInstance;
let url = '';
let store: ApplicationStore;
let other: string[][] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'beckon-cli-app-'));
  store = createMemoryApplicationStore();
  other = [];
  server = Fastify();
  await server.register(resourceRoutes, {
    store,
    trackerDir: dir,
    validateDsl,
    authorize: async (request) => {
      if (request.headers.authorization !== 'Bearer k1') throw new BeckonError('unauthorized');
    },
    onDeploy: ({ files }) => void other.push([...files.keys()].sort()),
  });
  url = await server.listen({ host: '127.0.0.1', port: 0 });
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
});
afterEach(async () => {
  vi.restoreAllMocks();
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('beckon app', () => {
  it('prints usage for bad arguments', async () => {
    expect(await run([])).toBe(2);
    expect(await run(['remove', 'x'])).toBe(2);
  });

  it('scaffolds an application and refuses a non-empty folder', async () => {
    const app = join(dir, 'shop');
    expect(await run(['create', app])).toBe(0);
    for (const [path, content] of Object.entries(scaffold))
      expect(await readFile(join(app, path), 'utf8')).toBe(content);
    expect(validateDsl(scaffold['dsl/domain-model.xml']!)).toEqual([]);
    expect(await run(['create', app])).toBe(1);
  });

  it('deploys the folder, replacing the active application', async () => {
    const app = join(dir, 'shop');
    expect(await run(['create', app])).toBe(0);
    await writeFile(join(app, '.hidden'), 'x');
    expect(await run(['deploy', app, '--server', url, '--key', 'k1'])).toBe(0);
    expect(await store.activeApplication()).toMatchObject({
      name: 'shop',
      dsl: scaffold['dsl/domain-model.xml'],
    });
    expect((await store.getResource('invite.html'))?.toString()).toBe(scaffold['resources/invite.html']);
    expect(other.at(-1)).toEqual(['categories.json', 'rules/README.md', 'strategies/README.md']);
    const res = await fetch(`${url}/server/api/resources/v1/invite.html`);
    expect(await res.text()).toBe(scaffold['resources/invite.html']);
  });

  it('fails with the server error, listing DSL issues, and on a wrong key', async () => {
    const app = join(dir, 'shop');
    expect(await run(['create', app])).toBe(0);
    expect(await run(['deploy', app, '--server', url, '--key', 'k1'])).toBe(0);
    expect(await run(['deploy', app, '--server', url, '--key', 'nope'])).toBe(1);
    await writeFile(
      join(app, 'dsl', 'domain-model.xml'),
      '<properties><events><event/></events></properties>',
    );
    const errors = vi.mocked(console.error);
    errors.mockClear();
    expect(await run(['deploy', app, '--server', url, '--key', 'k1', '--name', 'broken'])).toBe(1);
    expect(errors.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(
      /dsl\/domain-model\.xml:1:\d+: <event> needs the id attribute/,
    );
    expect((await store.activeApplication())?.name).toBe('shop');
    expect(await run(['deploy', join(dir, 'missing'), '--server', url])).toBe(1);
  });
});
