/**
 * Test harness of the contact center: a real app over a fresh SQLite store with the feature registered, a
 * recording NotificationHub (visitor frames), a manual scheduler on the app's fake clock (invite timeouts,
 * grace periods run when the test says so), agents with sessions, recorded agent streams and visits.
 */
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { NotificationHub, PushMessage } from '../notifications/hub.js';
import { createTestApp, testVisit } from '../testing/test-app.js';
import type { TestApp, TestVisit } from '../testing/test-app.js';
import type { AgentEvent } from './agent-stream.js';
import type { ContactCenter } from './contact-center.js';
import { contactCenterFeature } from './index.js';
import { manualScheduler } from './scheduler.js';
import type { ManualScheduler } from './scheduler.js';

export const PASSWORD = 'correct horse battery';

/** A NotificationHub that records every push and lets the test connect and disconnect pages. */
export class RecordingHub implements NotificationHub {
  readonly pushed: { visitId: string; message: PushMessage }[] = [];
  readonly #pages = new Map<string, Set<string>>();
  readonly #onConnect = new Set<(visitId: string, pageId: string) => void>();
  readonly #onDisconnect = new Set<(visitId: string, pageId: string) => void>();

  push(visitId: string, message: PushMessage): void {
    this.pushed.push({ visitId, message });
  }
  isConnected(visitId: string): boolean {
    return (this.#pages.get(visitId)?.size ?? 0) > 0;
  }
  onConnect(listener: (visitId: string, pageId: string) => void): () => void {
    this.#onConnect.add(listener);
    return () => this.#onConnect.delete(listener);
  }
  onDisconnect(listener: (visitId: string, pageId: string) => void): () => void {
    this.#onDisconnect.add(listener);
    return () => this.#onDisconnect.delete(listener);
  }
  connect(visitId: string, pageId: string): void {
    let pages = this.#pages.get(visitId);
    if (!pages) this.#pages.set(visitId, (pages = new Set()));
    pages.add(pageId);
    for (const l of this.#onConnect) l(visitId, pageId);
  }
  disconnect(visitId: string, pageId: string): void {
    this.#pages.get(visitId)?.delete(pageId);
    for (const l of this.#onDisconnect) l(visitId, pageId);
  }
  /** `gpe.chat` frames of a visit (their `data`), optionally of one type. */
  chat(visitId: string, type?: string): Record<string, unknown>[] {
    return this.pushed
      .filter((p) => p.visitId === visitId && p.message.channel === 'gpe.chat')
      .map((p) => p.message.data as Record<string, unknown>)
      .filter((d) => type === undefined || d.type === type);
  }
}

export interface SignedIn {
  agentId: string;
  token: string;
  csrf: string;
  /** Events received on a recorded stream (attached directly to the hub). */
  events: AgentEvent[];
  /** REST call with the Bearer token; `path` after `/server/agent`. */
  call: (method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown) => Promise<LightMyRequestResponse>;
  /** Opens (or re-opens) the recorded stream. */
  attach: (lastSeq?: number | null) => void;
  detach: () => void;
  /** Names of the events received so far. */
  names: () => string[];
}

export interface Fixture {
  t: TestApp;
  cc: ContactCenter;
  hub: RecordingHub;
  scheduler: ManualScheduler;
  addAgent: (agentId: string, body?: Record<string, unknown>) => Promise<void>;
  putQueue: (name: string, body: Record<string, unknown>) => Promise<void>;
  signIn: (agentId: string, options?: { login?: boolean; ready?: boolean }) => Promise<SignedIn>;
  /** A visit with one stored page view; its push connection is open unless `connected: false`. */
  visit: (options?: { connected?: boolean }) => Promise<TestVisit>;
  /** `POST /server/engagements`. */
  engage: (visit: TestVisit, body?: Record<string, unknown>) => Promise<LightMyRequestResponse>;
  /** A browser-facing call with a chat token. */
  visitor: (
    token: string,
    method: 'GET' | 'POST',
    url: string,
    body?: unknown,
  ) => Promise<LightMyRequestResponse>;
  /** Lets pending promise callbacks run (stores commit, fan-out happens). */
  settle: () => Promise<void>;
  close: () => Promise<void>;
}

export async function createFixture(config: Record<string, unknown> = {}): Promise<Fixture> {
  const t = await createTestApp({ config });
  const hub = new RecordingHub();
  const scheduler = manualScheduler(t.clock);
  const cc = await contactCenterFeature(t.app, t, { hub, scheduler });
  const inject = (o: InjectOptions) => t.app.inject(o);
  const settle = async () => {
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  };
  const fixture: Fixture = {
    t,
    cc,
    hub,
    scheduler,
    async addAgent(agentId, body = {}) {
      const res = await t.api({
        method: 'POST',
        url: '/server/data/agents',
        payload: { agentId, name: `Agent ${agentId}`, groups: ['sales'], password: PASSWORD, ...body },
      });
      if (res.statusCode !== 201) throw new Error(`addAgent ${agentId}: ${res.statusCode} ${res.body}`);
    },
    async putQueue(name, body) {
      const res = await t.api({ method: 'PUT', url: `/server/data/queues/${name}`, payload: body });
      if (res.statusCode >= 300) throw new Error(`putQueue ${name}: ${res.statusCode} ${res.body}`);
    },
    async signIn(agentId, options = {}) {
      const res = await inject({
        method: 'POST',
        url: '/server/agent/session',
        payload: { agentId, password: PASSWORD },
      });
      if (res.statusCode !== 200) throw new Error(`signIn ${agentId}: ${res.statusCode} ${res.body}`);
      const { token, csrf } = res.json<{ token: string; csrf: string }>();
      const events: AgentEvent[] = [];
      let detach: (() => void) | null = null;
      const signedIn: SignedIn = {
        agentId,
        token,
        csrf,
        events,
        call: (method, path, body) =>
          inject({
            method,
            url: `/server/agent${path}`,
            headers: { authorization: `Bearer ${token}` },
            ...(body !== undefined ? { payload: body as Record<string, unknown> } : {}),
          }),
        attach: (lastSeq = null) => {
          detach?.();
          detach = cc.stream.attach(
            agentId,
            { send: (data) => events.push(JSON.parse(data) as AgentEvent), close: () => undefined },
            lastSeq,
          );
        },
        detach: () => {
          detach?.();
          detach = null;
        },
        names: () => events.map((e) => e.Event),
      };
      signedIn.attach(0);
      if (options.login !== false) {
        const login = await signedIn.call('POST', '/login', { place: `place-${agentId}` });
        if (login.statusCode !== 204) throw new Error(`login ${agentId}: ${login.statusCode} ${login.body}`);
        if (options.ready !== false) {
          const ready = await signedIn.call('POST', '/ready');
          if (ready.statusCode !== 204)
            throw new Error(`ready ${agentId}: ${ready.statusCode} ${ready.body}`);
        }
      }
      return signedIn;
    },
    async visit(options = {}) {
      const visit = testVisit();
      const res = await t.send([
        visit.event({ eventType: 'SYSTEM', eventName: 'PageEntered', data: { title: 'TV' } }),
      ]);
      if (res.statusCode !== 202) throw new Error(`visit: ${res.statusCode} ${res.body}`);
      if (options.connected !== false) hub.connect(visit.visitID, visit.pageID);
      return visit;
    },
    engage: (visit, body = {}) =>
      inject({
        method: 'POST',
        url: '/server/engagements',
        payload: { visitID: visit.visitID, pageID: visit.pageID, channel: 'chat', ...body },
      }),
    visitor: (token, method, url, body) =>
      inject({
        method,
        url,
        headers: { authorization: `Bearer ${token}` },
        ...(body !== undefined ? { payload: body as Record<string, unknown> } : {}),
      }),
    settle,
    close: () => t.close(),
  };
  return fixture;
}
