/**
 * Acceptance (issue 2): kill -9 the server during a load of acknowledged events, restart it on the same data
 * directory, and every event that got a 202 must be readable through the History API. Runs against a real
 * child process, so the kill is real: no graceful shutdown, no flush.
 */
import { spawn, execFileSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const cli = path.join(root, 'packages/cli/bin/beckon.mjs');
const dataDir = mkdtempSync(path.join(tmpdir(), 'beckon-kill9-'));
const env = {
  ...process.env,
  BECKON_DATA_DIR: dataDir,
  BECKON_PORT: '0',
  BECKON_HOST: '127.0.0.1',
  BECKON_LOG_LEVEL: 'warn',
};
const children: ChildProcess[] = [];

function startServer(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [cli, 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 30_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1]!.replace('localhost', '127.0.0.1') });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
}

const id = () => randomBytes(16).toString('hex').toUpperCase();

/** An API key made with the CLI on the data directory. */
const createKey = (role: 'read' | 'full'): string =>
  JSON.parse(
    execFileSync(process.execPath, [cli, 'keys', 'create', '--role', role, '--json'], {
      env,
      encoding: 'utf8',
    }),
  ).key as string;

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('crash safety', () => {
  it('every event acknowledged with 202 survives kill -9', async () => {
    const key = createKey('read');
    const first = await startServer();
    const visits = Array.from({ length: 20 }, () => ({ visitID: id(), pageID: id(), globalVisitID: id() }));
    const acknowledged = new Map<string, string>(); // eventID → visitID
    let stop = false;
    let sent = 0;

    async function worker(w: number): Promise<void> {
      while (!stop) {
        const visit = visits[(w + sent) % visits.length]!;
        const batch = Array.from({ length: 5 }, () => ({
          eventType: 'BUSINESS',
          eventName: 'Load',
          eventID: id(),
          ...visit,
          timestamp: Date.now(),
          url: 'https://shop.example.com/p',
          data: { n: sent },
        }));
        sent++;
        try {
          const res = await fetch(`${first.url}/server/events`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(batch),
          });
          if (res.status === 202) {
            const body = (await res.json()) as { accepted: number };
            expect(body.accepted).toBe(5);
            for (const e of batch) acknowledged.set(e.eventID, e.visitID);
          }
        } catch {
          return; // the server died mid-request: this batch was never acknowledged
        }
      }
    }

    const load = Promise.all(Array.from({ length: 16 }, (_, w) => worker(w)));
    await new Promise((r) => setTimeout(r, 1500));
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    stop = true;
    await load;
    expect(acknowledged.size).toBeGreaterThan(100);

    const second = await startServer();
    const stored = new Set<string>();
    for (const v of visits) {
      let cursor: string | null = null;
      do {
        const url: string = `${second.url}/server/data/visits/${v.visitID}/events?limit=1000${cursor ? `&cursor=${cursor}` : ''}`;
        const res: Response = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
        if (res.status === 404) break;
        expect(res.status).toBe(200);
        for (const e of (await res.json()) as { eventID: string }[]) stored.add(e.eventID);
        cursor = res.headers.get('x-beckon-next-cursor');
      } while (cursor);
    }
    const lost = [...acknowledged.keys()].filter((e) => !stored.has(e));
    expect(lost).toEqual([]);
    second.child.kill('SIGTERM');
  }, 90_000);

  it('rule state survives kill -9: what was not written is rebuilt from the stored events', async () => {
    const full = createKey('full');
    const auth = { authorization: `Bearer ${full}` };
    const first = await startServer();
    const put = async (url: string, body: string, type: string) => {
      const res = await fetch(`${first.url}${url}`, {
        method: 'PUT',
        headers: { ...auth, 'content-type': type },
        body,
      });
      expect(res.status).toBeLessThan(300);
    };
    await put(
      '/server/data/categories/Loans',
      JSON.stringify({ tags: [{ expression: '/loans/' }] }),
      'application/json',
    );
    await put(
      '/server/data/rules/packages/default',
      'package default\nrule "loans" when count(event PageEntered in "Loans") within 5m >= 3 then emit "LoanShopper" end',
      'text/x-beckon-rules',
    );
    const visit = { visitID: id(), globalVisitID: id() };
    const send = async (base: string, eventName: string, url: string) => {
      const e = {
        eventType: eventName === 'Scroll' ? 'BUSINESS' : 'SYSTEM',
        eventName,
        eventID: id(),
        pageID: id(),
        ...visit,
        timestamp: Date.now(),
        url,
        data: {},
      };
      const res = await fetch(`${base}/server/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([e]),
      });
      expect(res.status).toBe(202);
      return e.eventID;
    };
    // the first evaluation point is written; the ones after it are not (nothing fired, no timer)
    const pages = [await send(first.url, 'PageEntered', 'https://bank.example/loans/a')];
    for (let i = 0; i < 3; i++) await send(first.url, 'Scroll', 'https://bank.example/home');
    pages.push(await send(first.url, 'PageEntered', 'https://bank.example/loans/b'));
    await new Promise((r) => setTimeout(r, 500)); // let the host evaluate it (replay covers it if not)
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));

    const second = await startServer();
    pages.push(await send(second.url, 'PageEntered', 'https://bank.example/loans/c'));
    let hits: { name: string; triggeringEventIDs: string[] }[] = [];
    for (let i = 0; i < 250 && hits.length === 0; i++) {
      const res = await fetch(`${second.url}/server/data/visits/${visit.visitID}/actionable`, {
        headers: auth,
      });
      hits = (await res.json()) as typeof hits;
      if (hits.length === 0) await new Promise((r) => setTimeout(r, 20));
    }
    expect(hits.map((h) => [h.name, h.triggeringEventIDs])).toEqual([['LoanShopper', pages]]);
    second.child.kill('SIGTERM');
  }, 90_000);
});
