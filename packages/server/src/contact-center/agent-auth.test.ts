import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixture, PASSWORD } from './test-fixture.js';
import type { Fixture } from './test-fixture.js';

let f: Fixture;
beforeAll(async () => {
  f = await createFixture({ agents: { loginRateLimitPerMin: 3 } });
  await f.addAgent('jdoe', { name: 'Jane Doe', skills: { english: 5 } });
  await f.addAgent('off', { enabled: false });
});
afterAll(() => f.close());

const login = (agentId: string, password: string, ip = '10.0.0.1') =>
  f.t.app.inject({
    method: 'POST',
    url: '/server/agent/session',
    payload: { agentId, password },
    remoteAddress: ip,
  });

describe('agent accounts', () => {
  it('stores a scrypt hash, never the password', async () => {
    const rows = await f.t.store.driver.all<{ password_hash: string; body: string }>(
      'SELECT password_hash, body FROM cc_agents WHERE agent_id = ?',
      ['jdoe'],
    );
    expect(rows[0]!.password_hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(rows[0]!.password_hash).not.toContain(PASSWORD);
    expect(rows[0]!.body).not.toContain(PASSWORD);
  });

  it('lists agents with defaults and without secrets, for role full only', async () => {
    const res = await f.t.get('/agents');
    expect(res.statusCode).toBe(200);
    const jdoe = res.json().agents.find((a: { agentId: string }) => a.agentId === 'jdoe');
    expect(jdoe).toEqual({
      agentId: 'jdoe',
      name: 'Jane Doe',
      groups: ['sales'],
      skills: { english: 5 },
      capacity: { chat: 3, callback: 1 },
      afterChatWorkSec: 0,
      enabled: true,
    });
    expect(res.body).not.toMatch(/scrypt|password/);
    const read = await f.t.app.inject({
      method: 'GET',
      url: '/server/data/agents',
      headers: { authorization: `Bearer ${f.t.readKey}` },
    });
    expect(read.statusCode).toBe(403);
    expect((await f.t.app.inject({ method: 'GET', url: '/server/data/agents' })).statusCode).toBe(401);
  });

  it('generates a password when none is given, and rejects duplicates and bad fields', async () => {
    const res = await f.t.api({
      method: 'POST',
      url: '/server/data/agents',
      payload: { agentId: 'gen', groups: [] },
    });
    expect(res.statusCode).toBe(201);
    const generated = res.json().password as string;
    expect(generated.length).toBeGreaterThanOrEqual(12);
    expect((await login('gen', generated)).statusCode).toBe(200);
    const dup = await f.t.api({ method: 'POST', url: '/server/data/agents', payload: { agentId: 'gen' } });
    expect(dup.statusCode).toBe(409);
    const bad = await f.t.api({
      method: 'POST',
      url: '/server/data/agents',
      payload: { agentId: 'x y', password: PASSWORD },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('invalidField');
    const cap = await f.t.api({
      method: 'POST',
      url: '/server/data/agents',
      payload: { agentId: 'cap', password: PASSWORD, capacity: { chat: -1 } },
    });
    expect(cap.json().message).toContain('capacity.chat');
  });

  it('updates, changes the password (old sessions end) and deletes', async () => {
    await f.addAgent('tmp');
    const before = (await login('tmp', PASSWORD)).json().token as string;
    const put = await f.t.api({
      method: 'PUT',
      url: '/server/data/agents/tmp',
      payload: { capacity: { chat: 5 }, password: 'another password' },
    });
    expect(put.statusCode).toBe(200);
    expect(put.json().capacity).toEqual({ chat: 5, callback: 1 });
    const me = await f.t.app.inject({
      method: 'GET',
      url: '/server/agent/me',
      headers: { authorization: `Bearer ${before}` },
    });
    expect(me.statusCode).toBe(401);
    expect((await login('tmp', 'another password')).statusCode).toBe(200);
    expect((await f.t.api({ method: 'DELETE', url: '/server/data/agents/tmp' })).statusCode).toBe(204);
    expect((await f.t.api({ method: 'GET', url: '/server/data/agents/tmp' })).statusCode).toBe(404);
  });
});

describe('agent sessions', () => {
  it('returns token, csrf, agent and an HttpOnly SameSite=Strict cookie', async () => {
    const res = await login('jdoe', PASSWORD);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.agent).toEqual({
      agentId: 'jdoe',
      name: 'Jane Doe',
      groups: ['sales'],
      capacity: { chat: 3, callback: 1 },
    });
    expect(body.token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toContain(`beckon_agent=${body.token}`);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\/server/);
    const stored = await f.t.store.driver.all<{ token_hash: string }>(
      'SELECT token_hash FROM agent_sessions',
    );
    expect(stored.map((r) => r.token_hash)).not.toContain(body.token);
  });

  it('answers 401 with the same message for a wrong password, an unknown or a disabled agent', async () => {
    const wrong = await login('jdoe', 'not the password', '10.0.0.2');
    const unknown = await login('nobody', PASSWORD, '10.0.0.2');
    const disabled = await login('off', PASSWORD, '10.0.0.2');
    for (const res of [wrong, unknown, disabled]) {
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ code: 'unauthorized', message: 'unknown agent or wrong password' });
    }
  });

  it('limits failed logins per account and IP (429), other IPs unaffected', async () => {
    for (let i = 0; i < 3; i++)
      expect((await login('jdoe', 'bad password', '10.0.0.9')).statusCode).toBe(401);
    expect((await login('jdoe', PASSWORD, '10.0.0.9')).statusCode).toBe(429);
    expect((await login('jdoe', PASSWORD, '10.0.0.10')).statusCode).toBe(200);
    f.t.clock.advance(61_000);
    expect((await login('jdoe', PASSWORD, '10.0.0.9')).statusCode).toBe(200);
  });

  it('needs X-Beckon-CSRF for cookie-authenticated state changes, not for Bearer', async () => {
    const { token, csrf } = (await login('jdoe', PASSWORD)).json();
    const cookie = `beckon_agent=${token}`;
    const me = await f.t.app.inject({ method: 'GET', url: '/server/agent/me', headers: { cookie } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ agentId: 'jdoe', state: 'LoggedOut', interactions: [] });
    const noCsrf = await f.t.app.inject({ method: 'POST', url: '/server/agent/login', headers: { cookie } });
    expect(noCsrf.statusCode).toBe(403);
    const badCsrf = await f.t.app.inject({
      method: 'POST',
      url: '/server/agent/login',
      headers: { cookie, 'x-beckon-csrf': 'guess' },
    });
    expect(badCsrf.statusCode).toBe(403);
    const ok = await f.t.app.inject({
      method: 'POST',
      url: '/server/agent/login',
      headers: { cookie, 'x-beckon-csrf': csrf },
    });
    expect(ok.statusCode).toBe(204);
    const bearer = await f.t.app.inject({
      method: 'POST',
      url: '/server/agent/ready',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(bearer.statusCode).toBe(204);
    await f.t.app.inject({
      method: 'POST',
      url: '/server/agent/logout',
      headers: { authorization: `Bearer ${token}` },
    });
  });

  it('ends the session with DELETE and expires it after sessionTtlSec', async () => {
    const { token } = (await login('jdoe', PASSWORD)).json();
    const auth = { authorization: `Bearer ${token}` };
    expect(
      (await f.t.app.inject({ method: 'DELETE', url: '/server/agent/session', headers: auth })).statusCode,
    ).toBe(204);
    expect((await f.t.app.inject({ method: 'GET', url: '/server/agent/me', headers: auth })).statusCode).toBe(
      401,
    );
    const second = (await login('jdoe', PASSWORD)).json().token as string;
    f.t.clock.advance(f.t.config.agents.sessionTtlSec * 1000 + 1);
    const expired = await f.t.app.inject({
      method: 'GET',
      url: '/server/agent/me',
      headers: { authorization: `Bearer ${second}` },
    });
    expect(expired.statusCode).toBe(401);
    expect((await f.t.app.inject({ method: 'GET', url: '/server/agent/me' })).statusCode).toBe(401);
  });
});
