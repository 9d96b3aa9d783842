/**
 * The agent REST API (spec/engagement.md §6, §7, §10 and the console contract of issue 6): sign-in, state
 * changes, invitation answers, chat and callback actions, and the journey read of the visitor panel. The desktop
 * authenticates with `Authorization: Bearer <token>` so it needs no CSRF header; the token comes from sign-in.
 */
import { BeckonError, errorCatalog } from '@beckon/protocol';
import type { ErrorCode } from '@beckon/protocol';
import type { AgentMe, AgentSession, CallbackOutcome, ChatMessage, Journey } from '@beckon/protocol';

export interface AgentClientOptions {
  /** e.g. `http://localhost:9081`; in the browser `location.origin`. */
  baseUrl: string;
  /** A token from an earlier sign-in (kept in session storage by the desktop). */
  token?: string | null;
  fetch?: typeof globalThis.fetch;
}

export interface AgentClient {
  /** The session token, or null before sign-in / after sign-out. */
  readonly token: string | null;
  /** `POST /server/agent/session`; keeps the token for later calls. 401 `unauthorized` on bad credentials. */
  signIn(agentId: string, password: string): Promise<AgentSession>;
  /** `DELETE /server/agent/session`; forgets the token even when the call fails. */
  signOut(): Promise<void>;
  me(): Promise<AgentMe>;
  /** Agent state actions (spec §5): 409 `conflict`/`wrongState` in the wrong state. */
  login(place?: string): Promise<void>;
  ready(): Promise<void>;
  notReady(reasonCode: string | null): Promise<void>;
  logout(): Promise<void>;
  accept(interactionId: string): Promise<void>;
  reject(interactionId: string): Promise<void>;
  release(interactionId: string, outcome?: string): Promise<void>;
  /** Idempotent by `clientMessageId`: a retry returns the message already stored. */
  sendMessage(
    interactionId: string,
    message: { clientMessageId: string; text: string },
  ): Promise<ChatMessage>;
  typing(interactionId: string, typing: boolean): Promise<void>;
  /** Messages with `seq > afterSeq` (at most 500 per call). */
  messages(interactionId: string, afterSeq?: number): Promise<ChatMessage[]>;
  callbackDialled(interactionId: string): Promise<void>;
  callbackOutcome(interactionId: string, code: CallbackOutcome, note?: string): Promise<void>;
  journey(interactionId: string): Promise<Journey>;
  /**
   * The WebSocket URL of the event stream, resuming after `lastSeq`; `null` (a desktop that knows no position)
   * asks for a fresh `EventResync` snapshot instead of a replay.
   */
  streamUrl(lastSeq: number | null): string;
}

const interaction = (id: string, action: string): string =>
  `/server/agent/interactions/${encodeURIComponent(id)}/${action}`;

/** Builds an agent client; one per signed-in desktop. */
export function createAgentClient(options: AgentClientOptions): AgentClient {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  let token: string | null = options.token ?? null;

  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await doFetch(new URL(path, options.baseUrl).toString(), {
      method,
      headers,
      credentials: 'omit',
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = res.status === 204 ? '' : await res.text();
    let payload: unknown = undefined;
    if (text) {
      try {
        payload = JSON.parse(text);
      } catch {
        payload = undefined;
      }
    }
    if (res.status >= 400) {
      const p = (payload ?? {}) as { code?: string; message?: string };
      // The spec names 409 `wrongState`; the catalogue's code for 409 is `conflict`, so either maps to it.
      const code = (p.code && p.code in errorCatalog ? p.code : statusCode(res.status)) as ErrorCode;
      throw new BeckonError(code, p.message ?? `${method} ${path}: HTTP ${res.status}`);
    }
    return payload as T;
  }

  const post = async (path: string, body: unknown = {}): Promise<void> => {
    await call<unknown>('POST', path, body);
  };

  return {
    get token() {
      return token;
    },
    async signIn(agentId, password) {
      token = null;
      const session = await call<AgentSession>('POST', '/server/agent/session', { agentId, password });
      token = session.token;
      return session;
    },
    async signOut() {
      try {
        await call<unknown>('DELETE', '/server/agent/session');
      } finally {
        token = null;
      }
    },
    me: () => call<AgentMe>('GET', '/server/agent/me'),
    login: (place) => post('/server/agent/login', place ? { place } : {}),
    ready: () => post('/server/agent/ready'),
    notReady: (reasonCode) => post('/server/agent/notReady', { reasonCode }),
    logout: () => post('/server/agent/logout'),
    accept: (id) => post(interaction(id, 'accept')),
    reject: (id) => post(interaction(id, 'reject')),
    release: (id, outcome) => post(interaction(id, 'release'), outcome ? { outcome } : {}),
    sendMessage: (id, message) => call<ChatMessage>('POST', interaction(id, 'messages'), message),
    typing: (id, typing) => post(interaction(id, 'typing'), { typing }),
    messages: (id, afterSeq = 0) =>
      call<ChatMessage[]>('GET', `${interaction(id, 'messages')}?afterSeq=${afterSeq}`),
    callbackDialled: (id) => post(interaction(id, 'callback'), { state: 'dialled' }),
    callbackOutcome: (id, code, note) => post(interaction(id, 'outcome'), note ? { code, note } : { code }),
    journey: (id) => call<Journey>('GET', interaction(id, 'journey')),
    streamUrl(lastSeq) {
      const u = new URL('/server/agent/stream', options.baseUrl);
      u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
      if (lastSeq !== null) u.searchParams.set('lastSeq', String(lastSeq));
      if (token) u.searchParams.set('token', token);
      return u.toString();
    },
  };
}

function statusCode(status: number): ErrorCode {
  const match = Object.entries(errorCatalog).find(([, v]) => v.status === status);
  return (match?.[0] ?? 'internal') as ErrorCode;
}
