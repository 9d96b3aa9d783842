import { describe, expect, it } from 'vitest';
import { BeckonError } from '@beckon/protocol';
import { createClient } from './client.js';

/** A fetch double that serves two pages of events and records requests. */
function fakeFetch() {
  const calls: { url: string; init: RequestInit | undefined }[] = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    calls.push({ url, init });
    if (url.includes('/missing'))
      return new Response(JSON.stringify({ code: 'notFound', message: 'no visit X' }), { status: 404 });
    const second = url.includes('cursor=C1');
    return new Response(JSON.stringify(second ? [{ eventID: 'b' }] : [{ eventID: 'a' }]), {
      status: 200,
      headers: second ? {} : { 'x-beckon-next-cursor': 'C1' },
    });
  };
  return { calls, fetch: fetch as typeof globalThis.fetch };
}

describe('client', () => {
  it('follows the pagination cursor and sends the API key', async () => {
    const f = fakeFetch();
    const client = createClient({ baseUrl: 'http://beckon.test', apiKey: 'k1', fetch: f.fetch });
    const ids: string[] = [];
    for await (const e of client.visitEvents('VISIT0001')) ids.push(e.eventID);
    expect(ids).toEqual(['a', 'b']);
    expect(f.calls).toHaveLength(2);
    expect((f.calls[0]!.init!.headers as Record<string, string>).authorization).toBe('Bearer k1');
  });

  it('turns error answers into BeckonError with the server code', async () => {
    const client = createClient({ baseUrl: 'http://beckon.test', fetch: fakeFetch().fetch });
    const error = await client.visit('missing').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BeckonError);
    expect((error as BeckonError).code).toBe('notFound');
    expect((error as BeckonError).message).toBe('no visit X');
  });
});
