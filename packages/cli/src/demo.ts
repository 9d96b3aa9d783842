/**
 * Serves the demo site (examples/demo-site) at /demo/ for `npm start`, and deploys its application (DSL,
 * categories, rules) on the first start, so a new user sees the tracker at work against their own server at once.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import { DirectoryStore, createAgent } from '@beckon/server';
import type { BeckonApp } from '@beckon/server';

export async function mountDemo(app: BeckonApp['app'], options: { demoDir: string }): Promise<void> {
  await app.register(fastifyStatic, {
    root: options.demoDir,
    prefix: '/demo/',
    index: ['index.html'],
    decorateReply: false,
  });
  app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/demo/'));
}

async function filesOf(dir: string, prefix = ''): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(path.join(dir, prefix), { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) Object.assign(out, await filesOf(dir, rel));
    else out[rel] = (await readFile(path.join(dir, rel))).toString('base64');
  }
  return out;
}

/** Deploys `appDir` as application `demo` unless an application is already deployed. Returns whether it did. */
export async function deployDemoOnce(
  beckon: BeckonApp,
  appDir: string,
  store: {
    createKey: () => Promise<{ key: string; keyId: string }>;
    revokeKey: (id: string) => Promise<void>;
  },
): Promise<boolean> {
  if (await beckon.services.applications.activeApplication()) return false;
  // Deploy through the real endpoint (validation, hooks), with a key that exists only for this request.
  const { key, keyId } = await store.createKey();
  try {
    const res = await beckon.app.inject({
      method: 'PUT',
      url: '/server/data/applications/demo',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ files: await filesOf(appDir) }),
    });
    if (res.statusCode >= 300)
      throw new Error(`deploying the demo application failed: ${res.statusCode} ${res.body}`);
    return true;
  } finally {
    await store.revokeKey(keyId);
  }
}

/**
 * Creates the demo agent `demo` (group `default`, so it serves the demo's "Chat with us" button) when no agent
 * exists yet, and returns its generated password; null when agents already exist.
 */
export async function createDemoAgentOnce(beckon: BeckonApp): Promise<string | null> {
  const directory = new DirectoryStore(beckon.store.driver);
  if ((await directory.listAgents()).length > 0) return null;
  const { generatedPassword } = await createAgent(
    directory,
    { agentId: 'demo', name: 'Demo Agent', groups: ['default'] },
    Date.now(),
  );
  return generatedPassword ?? null;
}
