/**
 * The shared parameters of the History REST API routes (spec/compat.md §12): id schemas, the `include_*` flags,
 * paging (`limit`, opaque `cursor`) and the reply of one page with its `Link` / `X-Beckon-Next-Cursor` headers.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TSchema } from '@sinclair/typebox';
import { BeckonError } from '@beckon/protocol';
import type { Config } from '../config.js';
import type { HistoryService, Includes } from '../services/history-service.js';
import type { SqlStore } from '../store/sql-store.js';
import type { ListPage } from '../store/records.js';
import { errorResponses } from '../http/schemas.js';

export interface HistoryRouteOptions {
  history: HistoryService;
  store: SqlStore;
  config: Readonly<Config>;
  now: () => number;
}

export const Id = Type.String({ pattern: '^[A-Za-z0-9_-]{8,64}$' });
export const Bool = Type.Boolean();

export type Query = Record<string, unknown>;

/** The optional `include_<n>` and `include_<n>_detail` query flags of each name. */
export function includeFlags(names: readonly ('visits' | 'pages' | 'events')[]): Record<string, TSchema> {
  const out: Record<string, TSchema> = {};
  for (const n of names) {
    out[`include_${n}`] = Type.Optional(Bool);
    out[`include_${n}_detail`] = Type.Optional(Bool);
  }
  return out;
}

/** Reads include flags; `_detail` without the plain flag is a 400 (spec §12.1). */
export function readIncludes(query: Query, names: readonly ('visits' | 'pages' | 'events')[]): Includes {
  const includes: Includes = {};
  for (const n of names) {
    const plain = query[`include_${n}`] === true;
    const detail = query[`include_${n}_detail`] === true;
    if (detail && !plain)
      throw new BeckonError('invalidParameter', `include_${n}_detail=true requires include_${n}=true`);
    if (plain) includes[n] = detail ? 'detail' : 'ids';
  }
  return includes;
}

/** The schemas and helpers every History route uses; see {@link historyRouteContext}. */
export type HistoryRouteContext = ReturnType<typeof historyRouteContext>;

/** Tags, paging schemas and readers, `send` (one page, with its next-cursor headers) and response schemas. */
export function historyRouteContext(config: Readonly<Config>) {
  const tags = ['history'];
  const paging = {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: config.api.maxLimit })),
    cursor: Type.Optional(Type.String({ maxLength: 512 })),
  };
  const age = Type.Optional(Type.Integer({ minimum: 0 }));
  const list = (q: Query) => ({
    limit: (q.limit as number | undefined) ?? config.api.defaultLimit,
    cursor: q.cursor as string | undefined,
  });

  function send<T>(request: FastifyRequest, reply: FastifyReply, page: ListPage<T>): T[] {
    if (page.next) {
      const url = new URL(request.url, 'http://beckon.invalid');
      url.searchParams.set('cursor', page.next);
      reply
        .header('Link', `<${url.pathname}${url.search}>; rel="next"`)
        .header('X-Beckon-Next-Cursor', page.next);
    }
    return page.items;
  }
  const many = (ref: string) => ({ 200: Type.Array(Type.Ref(ref)), ...errorResponses(400, 401, 403, 404) });
  const one = (ref: string) => ({ 200: Type.Ref(ref), ...errorResponses(400, 401, 403, 404) });
  return { tags, paging, age, list, send, many, one };
}
