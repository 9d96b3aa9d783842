import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchVisitEvents } from './events-export.js';

const seen: string[] = [];
const server = createServer((req, res) => {
  seen.push(`${req.url} ${req.headers.authorization ?? ''}`);
  const url = new URL(req.url ?? '/', 'http://x');
  const cursor = url.searchParams.get('cursor');
  res.setHeader('content-type', 'application/json');
  if (url.pathname !== '/server/data/visits/V%201/events') {
    res.statusCode = 404;
    res.end('{"code":"notFound"}');
  } else if (!cursor) {
    res.setHeader('x-beckon-next-cursor', 'c2');
    res.end(JSON.stringify([{ eventID: 'E1' }, { eventID: 'E2' }]));
  } else res.end(JSON.stringify([{ eventID: 'E3' }]));
});
let base = '';
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('beckon events export', () => {
  it('follows X-Beckon-Next-Cursor and sends the API key', async () => {
    const events = await fetchVisitEvents(base, 'V 1', 'K1');
    expect(events.map((e) => e.eventID)).toEqual(['E1', 'E2', 'E3']);
    expect(seen).toEqual([
      '/server/data/visits/V%201/events?limit=1000 Bearer K1',
      '/server/data/visits/V%201/events?limit=1000&cursor=c2 Bearer K1',
    ]);
  });

  it('fails with the status on an error answer', async () => {
    await expect(fetchVisitEvents(base, 'nope')).rejects.toThrow(/404/);
  });
});
