/**
 * The History REST API (spec/compat.md §12): GWE paths and parameters, `include_*` flags, pagination with an
 * opaque cursor in `Link` / `X-Beckon-Next-Cursor`, bare JSON arrays. Handlers only translate parameters.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TSchema } from '@sinclair/typebox';
import { BeckonError } from '@beckon/protocol';
import type { Association, EventType } from '@beckon/protocol';
import type { Config } from '../config.js';
import type { HistoryService, Includes } from '../services/history-service.js';
import type { SqlStore } from '../store/sql-store.js';
import type { ListPage } from '../store/records.js';
import { errorResponses } from '../http/schemas.js';

const Id = Type.String({ pattern: '^[A-Za-z0-9_-]{8,64}$' });
const Bool = Type.Boolean();

type Query = Record<string, unknown>;

function includeFlags(names: readonly ('visits' | 'pages' | 'events')[]): Record<string, TSchema> {
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

export async function historyRoutes(
  app: FastifyInstance,
  options: { history: HistoryService; store: SqlStore; config: Readonly<Config>; now: () => number },
): Promise<void> {
  const { history, store, config } = options;
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

  app.get<{ Params: { visitId: string }; Querystring: Query }>(
    '/server/data/visits/:visitId',
    {
      schema: {
        tags,
        summary: 'Query visit',
        params: Type.Object({ visitId: Id }),
        querystring: Type.Object(includeFlags(['pages', 'events'])),
        response: one('Visit'),
      },
    },
    async (request) =>
      history.visit(request.params.visitId, readIncludes(request.query, ['pages', 'events'])),
  );

  app.get<{ Querystring: Query }>(
    '/server/data/visits',
    {
      schema: {
        tags,
        summary: 'Visits of a browser (Beckon)',
        querystring: Type.Object({
          globalVisitID: Id,
          age,
          userAgent: Type.Optional(Type.String()),
          ...includeFlags(['pages', 'events']),
          ...paging,
        }),
        response: many('Visit'),
      },
    },
    async (request, reply) => {
      const q = request.query;
      const page = await history.visits(
        {
          globalVisitID: q.globalVisitID as string,
          userAgent: q.userAgent as string | undefined,
          startSince: history.since(q.age as number | undefined),
        },
        readIncludes(q, ['pages', 'events']),
        list(q),
      );
      return send(request, reply, page);
    },
  );

  app.post<{ Body: Record<string, unknown> }>(
    '/server/data/visits',
    {
      schema: {
        tags,
        summary: 'Create visit',
        body: Type.Object({
          visitId: Type.Optional(Id),
          visitID: Type.Optional(Id),
          globalVisitID: Id,
          userAgent: Type.Optional(Type.String({ maxLength: 2048 })),
          startDate: Type.Optional(Type.Integer({ minimum: 0 })),
        }),
        response: { 201: Type.Ref('Visit'), ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const created = await createVisit(request.body, request.headers['user-agent'] ?? '');
      return reply.status(201).send(created);
    },
  );

  async function createVisit(body: Record<string, unknown>, headerUserAgent: string) {
    const visitId = (body.visitId ?? body.visitID ?? randomId()) as string;
    const userAgent = (body.userAgent as string | undefined) ?? headerUserAgent;
    const now = options.now();
    const startDate = (body.startDate as number | undefined) ?? now;
    const ok = await store.createVisit({
      visitId,
      globalVisitID: body.globalVisitID as string,
      userAgent,
      userAgentId: createHash('sha256').update(userAgent).digest('hex').slice(0, 32).toUpperCase(),
      languageCode: null,
      referrer: null,
      startDate,
      lastEventAt: Math.max(startDate, now),
      endedAt: 0,
      pageCount: 0,
    });
    if (!ok) throw new BeckonError('conflict', `visit ${visitId} already exists`);
    return history.visit(visitId, {});
  }

  const eventQuery = {
    age,
    eventName: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    eventType: Type.Optional(Type.Union([Type.Literal('SYSTEM'), Type.Literal('BUSINESS')])),
    category: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    ...paging,
  };
  app.get<{ Params: { visitId: string }; Querystring: Query }>(
    '/server/data/visits/:visitId/events',
    {
      schema: {
        tags,
        summary: 'Events by visit',
        params: Type.Object({ visitId: Id }),
        querystring: Type.Object({
          ...eventQuery,
          url: Type.Optional(Type.String({ minLength: 1 })),
          browserPageID: Type.Optional(Id),
        }),
        response: many('Event'),
      },
    },
    async (request, reply) => {
      const q = request.query;
      await history.requireVisit(request.params.visitId);
      const page = await history.events(
        {
          visitId: request.params.visitId,
          receivedSince: history.since(q.age as number | undefined),
          eventName: q.eventName as string | undefined,
          eventType: q.eventType as EventType | undefined,
          category: q.category as string | undefined,
          url: q.url as string | undefined,
          pageId: q.browserPageID as string | undefined,
        },
        list(q),
      );
      return send(request, reply, page);
    },
  );

  app.get<{ Params: { visitId: string }; Querystring: Query }>(
    '/server/data/visits/:visitId/pages',
    {
      schema: {
        tags,
        summary: 'Pages by visit',
        params: Type.Object({ visitId: Id }),
        querystring: Type.Object({ ...includeFlags(['events']), ...paging }),
        response: many('Page'),
      },
    },
    async (request, reply) =>
      send(
        request,
        reply,
        await history.pages(
          request.params.visitId,
          readIncludes(request.query, ['events']),
          list(request.query),
        ),
      ),
  );

  app.get<{ Params: { pageId: string }; Querystring: Query }>(
    '/server/data/pages/:pageId/events',
    {
      schema: {
        tags,
        summary: 'Events by page',
        params: Type.Object({ pageId: Id }),
        querystring: Type.Object(eventQuery),
        response: many('Event'),
      },
    },
    async (request, reply) => {
      const q = request.query;
      await history.requirePage(request.params.pageId);
      const page = await history.events(
        {
          pageId: request.params.pageId,
          receivedSince: history.since(q.age as number | undefined),
          eventName: q.eventName as string | undefined,
          eventType: q.eventType as EventType | undefined,
          category: q.category as string | undefined,
        },
        list(q),
      );
      return send(request, reply, page);
    },
  );

  app.get<{ Params: { pageId: string }; Querystring: Query }>(
    '/server/data/pages/:pageId',
    {
      schema: {
        tags,
        summary: 'One page (Beckon)',
        params: Type.Object({ pageId: Id }),
        querystring: Type.Object(includeFlags(['events'])),
        response: one('Page'),
      },
    },
    async (request) => history.page(request.params.pageId, readIncludes(request.query, ['events'])),
  );

  const identityIncludes = ['visits', 'pages', 'events'] as const;
  const association = Type.Optional(Type.Union([Type.Literal('Authenticated'), Type.Literal('Recognized')]));
  app.get<{ Params: { visitId: string }; Querystring: Query }>(
    '/server/data/visits/:visitId/identities',
    {
      schema: {
        tags,
        summary: 'Identities by visit',
        params: Type.Object({ visitId: Id }),
        querystring: Type.Object({ association, ...includeFlags(identityIncludes), ...paging }),
        response: many('Identity'),
      },
    },
    async (request, reply) => {
      const q = request.query;
      await history.requireVisit(request.params.visitId);
      const page = await history.identities(
        { visitId: request.params.visitId, association: q.association as Association | undefined },
        readIncludes(q, identityIncludes),
        list(q),
      );
      return send(request, reply, page);
    },
  );

  app.get<{ Querystring: Query }>(
    '/server/data/identities',
    {
      schema: {
        tags,
        summary: 'Identities',
        querystring: Type.Object({
          location: Type.Optional(Type.String()),
          userAgent: Type.Optional(Type.String()),
          verified: Type.Optional(Bool),
          ...includeFlags(identityIncludes),
          ...paging,
        }),
        response: many('Identity'),
      },
    },
    async (request, reply) => {
      const q = request.query;
      const page = await history.identities(
        {
          location: q.location as string | undefined,
          userAgent: q.userAgent as string | undefined,
          verified: q.verified as boolean | undefined,
        },
        readIncludes(q, identityIncludes),
        list(q),
      );
      return send(request, reply, page);
    },
  );

  const IdentityId = Type.String({ minLength: 1, maxLength: 256 });
  app.get<{ Params: { identityId: string }; Querystring: Query }>(
    '/server/data/identities/:identityId',
    {
      schema: {
        tags,
        summary: 'One identity (Beckon)',
        params: Type.Object({ identityId: IdentityId }),
        querystring: Type.Object({ verified: Type.Optional(Bool), ...includeFlags(identityIncludes) }),
        response: one('Identity'),
      },
    },
    async (request) =>
      history.identity(
        request.params.identityId,
        request.query.verified as boolean | undefined,
        readIncludes(request.query, identityIncludes),
      ),
  );

  app.get<{ Params: { identityId: string }; Querystring: Query }>(
    '/server/data/identities/:identityId/visits',
    {
      schema: {
        tags,
        summary: 'Visits by identity',
        params: Type.Object({ identityId: IdentityId }),
        querystring: Type.Object({
          age,
          globalVisitID: Type.Optional(Id),
          userAgent: Type.Optional(Type.String()),
          verified: Type.Optional(Bool),
          ...includeFlags(['pages', 'events']),
          ...paging,
        }),
        response: many('Visit'),
      },
    },
    async (request, reply) => {
      const q = request.query;
      const page = await history.identityVisits(
        request.params.identityId,
        q.verified as boolean | undefined,
        {
          globalVisitID: q.globalVisitID as string | undefined,
          userAgent: q.userAgent as string | undefined,
          startSince: history.since(q.age as number | undefined),
        },
        readIncludes(q, ['pages', 'events']),
        list(q),
      );
      return send(request, reply, page);
    },
  );

  app.get(
    '/server/data/visits/:visitId/sessions',
    {
      schema: { tags, summary: 'Sessions by visit (8.1): not supported', response: errorResponses(501) },
    },
    async () => {
      throw new BeckonError(
        'notImplemented',
        '8.1-era sessions are not supported; use /visits/{visitId}/identities',
      );
    },
  );
}

function randomId(): string {
  return randomBytes(16).toString('hex').toUpperCase();
}
