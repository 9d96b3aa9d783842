/**
 * API-key authentication of `/server/data` (spec/compat.md §12.3): `Authorization: Bearer <key>`; role `read`
 * may only GET, role `full` may do anything. Lookups are cached briefly so a busy integrator does not cost a
 * store query per request; a revoked key stops working within `cacheMs`.
 */
import { BeckonError } from '@beckon/protocol';
import type { ApiKeyRecord } from '../store/records.js';
import type { SqlStore } from '../store/sql-store.js';

export class ApiKeyAuth {
  readonly #store: SqlStore;
  readonly #cacheMs: number;
  readonly #cache = new Map<string, { record: ApiKeyRecord | null; until: number }>();

  constructor(options: { store: SqlStore; cacheMs?: number }) {
    this.#store = options.store;
    this.#cacheMs = options.cacheMs ?? 5000;
  }

  /** Resolves the key of an Authorization header, or throws 401/403. */
  async authorize(header: string | undefined, method: string): Promise<ApiKeyRecord> {
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) throw new BeckonError('unauthorized', 'an API key is required: Authorization: Bearer <key>');
    const key = match[1]!;
    const now = performance.now();
    let cached = this.#cache.get(key);
    if (!cached || cached.until < now) {
      cached = { record: await this.#store.findApiKey(key), until: now + this.#cacheMs };
      if (this.#cache.size > 10_000) this.#cache.clear();
      this.#cache.set(key, cached);
    }
    if (!cached.record) throw new BeckonError('unauthorized', 'unknown or revoked API key');
    const readOnly = method === 'GET' || method === 'HEAD';
    if (!readOnly && cached.record.role !== 'full') {
      throw new BeckonError(
        'forbidden',
        `API key role "${cached.record.role}" may only read; this needs role "full"`,
      );
    }
    return cached.record;
  }

  forget(): void {
    this.#cache.clear();
  }
}
