/**
 * A typed HTTP client of Beckon's REST API, used by the CLI, the console and tests. It speaks only the wire
 * contract of @beckon/protocol: errors come back as BeckonError with the server's code and message.
 */
import { BeckonError, errorCatalog } from '@beckon/protocol';
import type {
  Category,
  ErrorCode,
  IdentityResource,
  IngestResult,
  PageResource,
  StoredEvent,
  VisitResource,
  WireEvent,
} from '@beckon/protocol';

export interface ClientOptions {
  /** e.g. `http://localhost:9081` */
  baseUrl: string;
  apiKey?: string;
  fetch?: typeof globalThis.fetch;
}

export type Query = Record<string, string | number | boolean | undefined>;

export interface Page<T> {
  items: T[];
  next: string | null;
}

export interface BeckonClient {
  request<T>(method: string, path: string, options?: { query?: Query; body?: unknown }): Promise<T>;
  list<T>(path: string, query?: Query): Promise<Page<T>>;
  /** Iterates every item of a paginated list, following the cursor. */
  all<T>(path: string, query?: Query): AsyncGenerator<T>;
  sendEvents(events: WireEvent[]): Promise<IngestResult>;
  visit(visitId: string, query?: Query): Promise<VisitResource>;
  visitEvents(visitId: string, query?: Query): AsyncGenerator<StoredEvent>;
  visitPages(visitId: string, query?: Query): AsyncGenerator<PageResource>;
  identity(identityId: string, query?: Query): Promise<IdentityResource>;
  categories(): Promise<Category[]>;
  putCategory(category: Category): Promise<Category>;
  deleteCategory(name: string): Promise<void>;
}

function url(base: string, path: string, query: Query = {}): string {
  const u = new URL(path, base);
  for (const [k, v] of Object.entries(query)) if (v !== undefined) u.searchParams.set(k, String(v));
  return u.toString();
}

export function createClient(options: ClientOptions): BeckonClient {
  const doFetch = options.fetch ?? globalThis.fetch;
  const headers = (body: boolean): Record<string, string> => ({
    ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
    ...(body ? { 'content-type': 'application/json' } : {}),
  });

  async function raw(method: string, path: string, query?: Query, body?: unknown): Promise<Response> {
    const res = await doFetch(url(options.baseUrl, path, query), {
      method,
      headers: headers(body !== undefined),
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    if (res.status >= 400) {
      const payload = (await res.json().catch(() => ({}))) as { code?: string; message?: string };
      const code = (payload.code && payload.code in errorCatalog ? payload.code : 'internal') as ErrorCode;
      throw new BeckonError(code, payload.message ?? `${method} ${path}: HTTP ${res.status}`);
    }
    return res;
  }

  const client: BeckonClient = {
    async request<T>(method: string, path: string, o: { query?: Query; body?: unknown } = {}) {
      const res = await raw(method, path, o.query, o.body);
      return (res.status === 204 ? undefined : await res.json()) as T;
    },
    async list<T>(path: string, query?: Query) {
      const res = await raw('GET', path, query);
      return { items: (await res.json()) as T[], next: res.headers.get('x-beckon-next-cursor') };
    },
    async *all<T>(path: string, query: Query = {}) {
      let cursor: string | undefined;
      do {
        const page: Page<T> = await client.list<T>(path, { ...query, cursor });
        yield* page.items;
        cursor = page.next ?? undefined;
      } while (cursor);
    },
    sendEvents: (events) => client.request('POST', '/server/events', { body: events }),
    visit: (visitId, query) =>
      client.request('GET', `/server/data/visits/${encodeURIComponent(visitId)}`, { query: query ?? {} }),
    visitEvents: (visitId, query) =>
      client.all(`/server/data/visits/${encodeURIComponent(visitId)}/events`, query),
    visitPages: (visitId, query) =>
      client.all(`/server/data/visits/${encodeURIComponent(visitId)}/pages`, query),
    identity: (identityId, query) =>
      client.request('GET', `/server/data/identities/${encodeURIComponent(identityId)}`, {
        query: query ?? {},
      }),
    categories: () => client.request('GET', '/server/data/categories'),
    putCategory: (category) =>
      client.request('PUT', `/server/data/categories/${encodeURIComponent(category.name)}`, {
        body: category,
      }),
    deleteCategory: (name) => client.request('DELETE', `/server/data/categories/${encodeURIComponent(name)}`),
  };
  return client;
}
