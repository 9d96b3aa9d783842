/**
 * `beckon events export --visit ID [--server URL] [--key KEY]` writes a visit's stored events as JSONL (one
 * StoredEvent per line, in order) by paging through the History API
 * (`GET /server/data/visits/{id}/events?limit=1000`, following `X-Beckon-Next-Cursor`). The output is the input
 * of `beckon rules test --events`. `args` are the words after `events`.
 */
import type { StoredEvent } from '@beckon/protocol';
import type { CommandRun } from '../command.js';
import { parseCommandArgs } from '../args.js';

const USAGE = 'usage: beckon events export --visit ID [--server URL] [--key API_KEY]';

/** Fetches every stored event of a visit, page by page. */
export async function fetchVisitEvents(
  server: string,
  visitId: string,
  key?: string,
  fetchImpl: typeof fetch = fetch,
): Promise<StoredEvent[]> {
  const base = `${server.replace(/\/+$/, '')}/server/data/visits/${encodeURIComponent(visitId)}/events?limit=1000`;
  const events: StoredEvent[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 100_000; page++) {
    const url: string = cursor ? `${base}&cursor=${encodeURIComponent(cursor)}` : base;
    const res: Response = await fetchImpl(url, { headers: key ? { authorization: `Bearer ${key}` } : {} });
    if (!res.ok) {
      const body = await res.text().catch(() => '');
      throw new Error(`GET ${url}: ${res.status} ${body.slice(0, 200)}`);
    }
    events.push(...((await res.json()) as StoredEvent[]));
    cursor = res.headers.get('x-beckon-next-cursor');
    if (!cursor) break;
  }
  return events;
}

export const run: CommandRun = async (args) => {
  const [sub, ...rest] = args;
  if (sub !== 'export') {
    console.error(USAGE);
    return 2;
  }
  let values;
  try {
    ({ values } = parseCommandArgs(rest, {
      visit: { type: 'string' },
      server: { type: 'string' },
      key: { type: 'string' },
    }));
  } catch (e) {
    console.error(`beckon events: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (typeof values.visit !== 'string') {
    console.error(USAGE);
    return 2;
  }
  const server = typeof values.server === 'string' ? values.server : 'http://127.0.0.1:9081';
  try {
    const events = await fetchVisitEvents(
      server,
      values.visit,
      typeof values.key === 'string' ? values.key : undefined,
    );
    for (const e of events) process.stdout.write(JSON.stringify(e) + '\n');
    return 0;
  } catch (e) {
    console.error(`beckon events export: ${(e as Error).message}`);
    return 1;
  }
};
