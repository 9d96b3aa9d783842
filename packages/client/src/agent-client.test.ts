import { describe, expect, it } from 'vitest';
import { BeckonError } from '@beckon/protocol';
import { createAgentClient } from './agent-client.js';

interface Call {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

/** A fetch double answering by path; records every request. */
function fakeFetch(answers: Record<string, { status: number; body?: unknown }>) {
  const calls: Call[] = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    const method = init?.method ?? 'GET';
    calls.push({
      method,
      url,
      headers: (init?.headers ?? {}) as Record<string, string>,
      body: init?.body ? JSON.parse(String(init.body)) : undefined,
    });
    const key = `${method} ${new URL(url).pathname}`;
    const a = answers[key] ?? { status: 204 };
    return new Response(a.body === undefined ? null : JSON.stringify(a.body), { status: a.status });
  };
  return { calls, fetch: fetch as typeof globalThis.fetch };
}

const session = {
  token: 'T0K3N',
  csrf: 'C',
  agent: { agentId: 'jdoe', name: 'Jane', groups: [], capacity: { chat: 3, callback: 1 } },
};

describe('agent client', () => {
  it('signs in, then sends the token as a Bearer header and never cookies', async () => {
    const f = fakeFetch({ 'POST /server/agent/session': { status: 200, body: session } });
    const client = createAgentClient({ baseUrl: 'http://beckon.test', fetch: f.fetch });
    await client.signIn('jdoe', 'pw');
    expect(f.calls[0]!.body).toEqual({ agentId: 'jdoe', password: 'pw' });
    expect(f.calls[0]!.headers.authorization).toBeUndefined();
    await client.ready();
    expect(f.calls[1]).toMatchObject({ method: 'POST', url: 'http://beckon.test/server/agent/ready' });
    expect(f.calls[1]!.headers.authorization).toBe('Bearer T0K3N');
    expect(client.token).toBe('T0K3N');
  });

  it('maps the actions to the spec paths and bodies', async () => {
    const f = fakeFetch({});
    const client = createAgentClient({ baseUrl: 'http://beckon.test', token: 'T', fetch: f.fetch });
    await client.notReady('Lunch');
    await client.accept('I/1');
    await client.typing('I1', true);
    await client.callbackDialled('I1');
    await client.callbackOutcome('I1', 'busy', 'try later');
    await client.release('I1');
    const seen = f.calls.map((c) => [c.method, new URL(c.url).pathname, c.body]);
    expect(seen).toEqual([
      ['POST', '/server/agent/notReady', { reasonCode: 'Lunch' }],
      ['POST', '/server/agent/interactions/I%2F1/accept', {}],
      ['POST', '/server/agent/interactions/I1/typing', { typing: true }],
      ['POST', '/server/agent/interactions/I1/callback', { state: 'dialled' }],
      ['POST', '/server/agent/interactions/I1/outcome', { code: 'busy', note: 'try later' }],
      ['POST', '/server/agent/interactions/I1/release', {}],
    ]);
  });

  it('reads messages after a seq and the journey', async () => {
    const f = fakeFetch({
      'GET /server/agent/interactions/I1/messages': { status: 200, body: [{ id: 'm', seq: 4 }] },
      'GET /server/agent/interactions/I1/journey': { status: 200, body: { visit: { visitId: 'V' } } },
    });
    const client = createAgentClient({ baseUrl: 'http://beckon.test', token: 'T', fetch: f.fetch });
    expect(await client.messages('I1', 3)).toEqual([{ id: 'm', seq: 4 }]);
    expect(f.calls[0]!.url).toBe('http://beckon.test/server/agent/interactions/I1/messages?afterSeq=3');
    expect((await client.journey('I1')).visit.visitId).toBe('V');
  });

  it('throws catalogued errors, mapping unknown codes by status', async () => {
    const f = fakeFetch({
      'POST /server/agent/session': {
        status: 401,
        body: { code: 'unauthorized', message: 'bad credentials' },
      },
      'POST /server/agent/logout': { status: 409, body: { code: 'someFutureCode', message: 'active chats' } },
    });
    const client = createAgentClient({ baseUrl: 'http://beckon.test', fetch: f.fetch });
    const e1 = await client.signIn('x', 'y').catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(BeckonError);
    expect((e1 as BeckonError).code).toBe('unauthorized');
    expect(client.token).toBeNull();
    const e2 = await client.logout().catch((e: unknown) => e);
    expect((e2 as BeckonError).code).toBe('conflict');
    expect((e2 as BeckonError).message).toBe('active chats');
  });

  it('builds the stream URL with ws(s), lastSeq and token', () => {
    const client = createAgentClient({ baseUrl: 'https://beckon.test:8443', token: 'a b' });
    expect(client.streamUrl(42)).toBe('wss://beckon.test:8443/server/agent/stream?lastSeq=42&token=a+b');
    expect(client.streamUrl(null)).toBe('wss://beckon.test:8443/server/agent/stream?token=a+b');
  });

  it('forgets the token on sign-out even when the server fails', async () => {
    const f = fakeFetch({ 'DELETE /server/agent/session': { status: 500, body: { code: 'internal' } } });
    const client = createAgentClient({ baseUrl: 'http://beckon.test', token: 'T', fetch: f.fetch });
    await expect(client.signOut()).rejects.toBeInstanceOf(BeckonError);
    expect(client.token).toBeNull();
  });
});
