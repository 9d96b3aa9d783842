/**
 * Agent sign-in and request authentication (console contract in /tmp plan; spec §6): a password login creates
 * a session whose token is returned in the body and as an HttpOnly, SameSite=Strict cookie. Requests present
 * it as `Authorization: Bearer` (no CSRF check: a browser never adds that header on its own) or as the cookie,
 * in which case state-changing methods must echo the session's CSRF token in `X-Beckon-CSRF`. Only the token's
 * SHA-256 is stored. Failed logins are limited per account and client IP.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { BeckonError } from '@beckon/protocol';
import type { DirectoryStore } from './directory-store.js';
import { DUMMY_HASH, verifyPassword } from './passwords.js';
import type { AgentRecord } from './types.js';

export const SESSION_COOKIE = 'beckon_agent';
const BAD_LOGIN = 'unknown agent or wrong password';

export interface AgentPrincipal {
  agentId: string;
  tokenHash: string;
  csrf: string;
}

const sha256 = (token: string): string => createHash('sha256').update(token).digest('hex');

function cookie(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return null;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class AgentAuth {
  readonly #directory: DirectoryStore;
  readonly #now: () => number;
  readonly #ttlMs: number;
  readonly #limit: number;
  readonly #failures = new Map<string, { count: number; since: number }>();
  readonly #cache = new Map<string, AgentPrincipal & { expiresAt: number }>();

  constructor(options: {
    directory: DirectoryStore;
    now: () => number;
    ttlSec: number;
    loginLimitPerMin: number;
  }) {
    this.#directory = options.directory;
    this.#now = options.now;
    this.#ttlMs = options.ttlSec * 1000;
    this.#limit = options.loginLimitPerMin;
  }

  /** Checks the password and opens a session; 401 for any bad credential, 429 after too many failures. */
  async login(
    agentId: unknown,
    password: unknown,
    ip: string,
  ): Promise<{ token: string; csrf: string; agent: AgentRecord; maxAgeSec: number }> {
    if (typeof agentId !== 'string' || typeof password !== 'string')
      throw new BeckonError('missingField', 'agentId and password are required');
    const key = `${agentId}|${ip}`;
    const now = this.#now();
    const failures = this.#failures.get(key);
    if (failures && now - failures.since < 60_000 && failures.count >= this.#limit)
      throw new BeckonError('rateLimited', 'too many failed logins; retry in a minute', {
        'Retry-After': '60',
      });
    const found = await this.#directory.getAgent(agentId);
    const ok = await verifyPassword(password, found?.passwordHash ?? DUMMY_HASH);
    if (!found || !ok || !found.agent.enabled) {
      const fresh = !failures || now - failures.since >= 60_000;
      this.#failures.set(key, fresh ? { count: 1, since: now } : { ...failures, count: failures.count + 1 });
      if (this.#failures.size > 100_000) this.#failures.clear();
      throw new BeckonError('unauthorized', BAD_LOGIN);
    }
    this.#failures.delete(key);
    const token = randomBytes(32).toString('base64url');
    const csrf = randomBytes(24).toString('base64url');
    const session = { tokenHash: sha256(token), agentId, csrf, createdAt: now, expiresAt: now + this.#ttlMs };
    await this.#directory.createSession(session);
    this.#cache.set(session.tokenHash, session);
    return { token, csrf, agent: found.agent, maxAgeSec: Math.floor(this.#ttlMs / 1000) };
  }

  /** The session of a token, or null when unknown or expired. */
  async session(token: string): Promise<AgentPrincipal | null> {
    const tokenHash = sha256(token);
    let found = this.#cache.get(tokenHash) ?? null;
    if (!found) {
      const record = await this.#directory.findSession(tokenHash);
      if (record) {
        found = { agentId: record.agentId, tokenHash, csrf: record.csrf, expiresAt: record.expiresAt };
        if (this.#cache.size > 10_000) this.#cache.clear();
        this.#cache.set(tokenHash, found);
      }
    }
    if (!found || found.expiresAt <= this.#now()) return null;
    return { agentId: found.agentId, tokenHash, csrf: found.csrf };
  }

  /** Authenticates a request by Bearer token or cookie (+ CSRF header for state changes). */
  async authenticate(request: {
    method: string;
    headers: Record<string, string | string[] | undefined>;
  }): Promise<AgentPrincipal> {
    const authorization = request.headers.authorization;
    const bearer =
      typeof authorization === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1] : undefined;
    const fromCookie = bearer ? null : cookie(request.headers.cookie as string | undefined, SESSION_COOKIE);
    const token = bearer ?? fromCookie;
    if (!token) throw new BeckonError('unauthorized', 'an agent session is required');
    const principal = await this.session(token);
    if (!principal) throw new BeckonError('unauthorized', 'the agent session is unknown or expired');
    if (fromCookie !== null && !['GET', 'HEAD', 'OPTIONS'].includes(request.method)) {
      const header = request.headers['x-beckon-csrf'];
      if (typeof header !== 'string' || !sameSecret(header, principal.csrf))
        throw new BeckonError('forbidden', 'X-Beckon-CSRF must carry the session CSRF token');
    }
    return principal;
  }

  async logout(principal: AgentPrincipal): Promise<void> {
    this.#cache.delete(principal.tokenHash);
    await this.#directory.deleteSession(principal.tokenHash);
  }

  /** Drops cached sessions of an agent (password change, removal). */
  forget(agentId: string): void {
    for (const [hash, s] of this.#cache) if (s.agentId === agentId) this.#cache.delete(hash);
  }
}
