/**
 * Test harness for the tracker in a real Chromium: a tiny node:http server that serves HTML pages registered by
 * the test, the built tracker under `/server/resources/js/build/`, a per-test DSL, and records every
 * `POST /server/events` body. Its answers can be scripted (503s, visitExpired) to exercise retry paths.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { WireEvent } from '@beckon/protocol';
import { chromium, type Browser, type Page } from 'playwright-core';

/** One recorded POST. */
export interface Post {
  contentType: string;
  events: WireEvent[];
}

/** Decides the answer to one POST; return undefined for the normal 202. */
export type Responder = (
  events: WireEvent[],
) => { status: number; headers?: Record<string, string>; body?: unknown } | undefined;

export interface Harness {
  base: string;
  posts: Post[];
  /** All events received (with duplicates, in arrival order). */
  events(): WireEvent[];
  pages: Map<string, string>;
  dsl: { body: string };
  respond: { fn: Responder | undefined };
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString('utf8')));
    req.on('end', () => resolve(data));
  });
}

const staticTypes: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'application/javascript',
  css: 'text/css',
  xml: 'application/xml',
};

/** Starts the harness server on 127.0.0.1, serving the tracker from `distDir` and `demoDir` under `/demo/`. */
export async function startHarness(distDir: string, demoDir?: string): Promise<Harness> {
  const posts: Post[] = [];
  const pages = new Map<string, string>();
  const dsl = { body: '<properties><events></events></properties>' };
  const respond: { fn: Responder | undefined } = { fn: undefined };

  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    res.setHeader('Access-Control-Allow-Origin', '*');
    if (req.method === 'POST' && url.pathname === '/server/events') {
      const events = JSON.parse(await readBody(req)) as WireEvent[];
      const scripted = respond.fn?.(events);
      if (scripted && scripted.status !== 202) {
        res.writeHead(scripted.status, { 'Content-Type': 'application/json', ...scripted.headers });
        return res.end(JSON.stringify(scripted.body ?? { code: 'unavailable', message: 'down' }));
      }
      posts.push({ contentType: req.headers['content-type'] ?? '', events });
      const body = scripted?.body ?? { accepted: events.length, duplicates: 0, rejected: [] };
      res.writeHead(202, { 'Content-Type': 'application/json' });
      return res.end(JSON.stringify(body));
    }
    const build = /^\/server\/resources\/js\/build\/([\w.]+)$/.exec(url.pathname)?.[1];
    if (build) {
      try {
        const js = await readFile(join(distDir, build));
        res.writeHead(200, { 'Content-Type': 'application/javascript' });
        return res.end(js);
      } catch {
        res.writeHead(404);
        return res.end();
      }
    }
    if (url.pathname === '/server/resources/dsl/domain-model.xml') {
      res.writeHead(200, { 'Content-Type': 'application/xml' });
      return res.end(dsl.body);
    }
    if (demoDir && url.pathname.startsWith('/demo/') && !url.pathname.includes('..')) {
      try {
        const file = await readFile(join(demoDir, url.pathname.slice('/demo/'.length)));
        const ext = /\.(\w+)$/.exec(url.pathname)?.[1] ?? '';
        res.writeHead(200, { 'Content-Type': staticTypes[ext] ?? 'application/octet-stream' });
        return res.end(file);
      } catch {
        // fall through to 404
      }
    }
    const page = pages.get(url.pathname);
    if (page !== undefined) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      return res.end(page);
    }
    res.writeHead(404);
    res.end();
  };
  const server: Server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    posts,
    events: () => posts.flatMap((p) => p.events),
    pages,
    dsl,
    respond,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A server per test: starts a fresh harness, then closes `previous`. Closing the previous test's browser context
 * fires pagehide, whose beacon may land after that test ended; the new server listens before the old one closes,
 * so it gets another port and never records that beacon.
 */
export async function nextHarness(
  previous: Harness | undefined,
  distDir: string,
  demoDir?: string,
): Promise<Harness> {
  const next = await startHarness(distDir, demoDir);
  await previous?.close();
  return next;
}

/** The GWE snippet (compat.md §1) with extra queued commands before the loader. */
export function page(
  base: string,
  opts: { config?: Record<string, unknown>; before?: string; body?: string; title?: string },
): string {
  const config = { httpEndpoint: base, ...opts.config };
  return `<!doctype html><html><head><title>${opts.title ?? 'Test page'}</title>
<script>
var _gt = _gt || [];
_gt.push(['config', ${JSON.stringify(config)}]);
${opts.before ?? ''}
(function (id) {
  if (document.getElementById(id)) return;
  var s = document.createElement('script'); s.id = id; s.async = true;
  s.src = '${base}/server/resources/js/build/GPE.min.js';
  (document.getElementsByTagName('head')[0] || document.body).appendChild(s);
})('_gt');
</script></head><body>${opts.body ?? ''}</body></html>`;
}

/** Launches Debian's Chromium headless. */
export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Polls until `check` returns a truthy value, or fails after `timeoutMs`. */
export async function until<T>(
  check: () => T | undefined | false,
  timeoutMs = 5000,
  what = 'condition',
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Lets {@link dslInstalled} see, in every document `tab` loads from now on, when the lazily loaded DSL engine has
 * installed its triggers: the page's `__beckonDsl` hook (dsl-loader.ts) is wrapped so that the engine's
 * `DSL installed:` log call (made just before it adds its listeners, in the same task) sets a flag.
 */
export async function watchDslInstall(tab: Page): Promise<void> {
  await tab.addInitScript(() => {
    type Host = { log: (...args: unknown[]) => void };
    type Hook = (start: (host: Host) => void) => void;
    const w = window as unknown as { __beckonDslInstalled?: boolean };
    let hook: Hook | undefined;
    Object.defineProperty(window, '__beckonDsl', {
      configurable: true,
      get: () => hook,
      set: (core: Hook) => {
        hook = (start) =>
          core((host) =>
            start({
              ...host,
              log: (...args: unknown[]) => {
                if (args[0] === 'DSL installed:') w.__beckonDslInstalled = true;
                host.log(...args);
              },
            }),
          );
      },
    });
  });
}

/**
 * Waits until the DSL engine of the page's current document listens for its triggers, so an action the test takes
 * next cannot be missed (`watchDslInstall` must have been called on `tab` before the navigation).
 */
export async function dslInstalled(tab: Page): Promise<void> {
  await tab.waitForFunction(
    () => (window as unknown as { __beckonDslInstalled?: boolean }).__beckonDslInstalled === true,
  );
}
