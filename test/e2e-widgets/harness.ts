/**
 * A real Beckon app (SQLite store, ingest) with the notifications feature, listening on loopback, plus what a
 * widget test needs around it: the freshly built tracker and its lazy chunks under `/server/resources/js/build/`,
 * test pages under `/site/`, and — because the chat server is another feature — fake chat, engagement and
 * disposition endpoints that record what the browser sent and let the test answer.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { build } from '../../packages/tracker/build.mjs';
import { createTestApp, type TestApp } from '../../packages/server/src/testing/test-app.js';
import type { NotificationsService } from '../../packages/server/src/notifications/notifications-feature.js';
import { launch, page as snippetPage } from '../e2e-tracker/harness.js';

/** One request the fake endpoints received. */
export interface Received {
  method: string;
  url: string;
  authorization: string | undefined;
  body: unknown;
}

export interface WidgetHarness {
  t: TestApp;
  hub: NotificationsService;
  base: string;
  browser: Browser;
  /** Test pages by path under /site/. */
  pages: Map<string, string>;
  /** Requests to the fake /server/engagements, /server/chat, /server/callback and disposition endpoints. */
  received: Received[];
  /** Answers of the fake endpoints: `engage` status, messages for `afterSeq` queries. */
  fake: { engageStatus: number; after: unknown[] };
  /** A page with the GWE snippet (and `before` commands queued ahead of the loader). */
  snippet(opts: { before?: string; body?: string; head?: string; config?: Record<string, unknown> }): string;
  /** Opens a page and waits for its ids; returns them once the push connection is up. */
  open(tab: Page, path: string): Promise<{ visitID: string; pageID: string }>;
  close(): Promise<void>;
}

export async function startWidgetHarness(): Promise<WidgetHarness> {
  const dist = await mkdtemp(join(tmpdir(), 'beckon-e2e-widgets-'));
  await build({ outDir: dist, quiet: true });
  const t = await createTestApp({ start: Date.now() });
  const hub = t.services.notifications;
  const pages = new Map<string, string>();
  const received: Received[] = [];
  const fake = { engageStatus: 201, after: [] as unknown[] };
  const record = (request: {
    method: string;
    url: string;
    headers: Record<string, unknown>;
    body: unknown;
  }) =>
    received.push({
      method: request.method,
      url: request.url,
      authorization: request.headers.authorization as string | undefined,
      body: request.body,
    });

  t.app.get('/server/resources/js/build/:file', async (request, reply) => {
    const file = (request.params as { file: string }).file;
    if (!/^[\w.]+\.js$/.test(file)) return reply.code(404).send();
    const js = await readFile(join(dist, file)).catch(() => undefined);
    return js ? reply.type('application/javascript').send(js) : reply.code(404).send();
  });
  t.app.get('/site/*', async (request, reply) => {
    const path = '/' + (request.params as { '*': string })['*'];
    const body = pages.get(path);
    if (body === undefined) return reply.code(404).send();
    const type = path.endsWith('.js') ? 'application/javascript' : 'text/html; charset=utf-8';
    return reply.type(type).send(body);
  });
  t.app.post('/server/engagements', async (request, reply) => {
    record(request);
    return reply.code(fake.engageStatus).send({ engagementId: 'E'.repeat(32), state: 'queued' });
  });
  t.app.get('/server/chat/:id/messages', async (request) => {
    record(request);
    return fake.after;
  });
  t.app.post('/server/chat/:id/messages', async (request, reply) => {
    record(request);
    const body = request.body as { clientMessageId: string; text: string };
    const seq = 100 + received.filter((r) => r.url.endsWith('/messages') && r.method === 'POST').length;
    return reply.code(201).send({
      id: 'M' + seq,
      seq,
      from: { type: 'visitor', id: null, name: null },
      text: body.text,
      timestamp: Date.now(),
      clientMessageId: body.clientMessageId,
    });
  });
  for (const path of ['/server/chat/:id/typing', '/server/chat/:id/close', '/server/chat/:id/registration'])
    t.app.post(path, async (request, reply) => {
      record(request);
      return reply.code(204).send();
    });
  t.app.post('/server/callback/:id', async (request, reply) => {
    record(request);
    return reply.code(204).send();
  });
  t.app.get('/server/data/notification/disposition/:visitID', async (request, reply) => {
    record(request);
    return reply.code(204).send();
  });

  const base = await t.app.listen({ host: '127.0.0.1', port: 0 });
  const browser = await launch();
  return {
    t,
    hub,
    base,
    browser,
    pages,
    received,
    fake,
    snippet: (opts) => {
      const html = snippetPage(base, { config: opts.config, before: opts.before, body: opts.body });
      return opts.head ? html.replace('</head>', opts.head + '</head>') : html;
    },
    async open(tab, path) {
      await tab.goto(base + path);
      const ids = await tab.evaluate(
        () =>
          new Promise<{ visitID: string; pageID: string }>((resolve) => {
            const w = window as unknown as { _gt: Array<unknown> | { push(c: unknown): number } };
            w._gt.push([
              'getIDs',
              (i: { visitID: string; pageID: string }) => resolve({ visitID: i.visitID, pageID: i.pageID }),
            ]);
          }),
      );
      const end = Date.now() + 10_000;
      while (!hub.isConnected(ids.visitID)) {
        if (Date.now() > end) throw new Error('push connection not opened');
        await new Promise((r) => setTimeout(r, 50));
      }
      return ids;
    },
    async close() {
      await browser.close();
      await t.close();
      await rm(dist, { recursive: true, force: true });
    },
  };
}
