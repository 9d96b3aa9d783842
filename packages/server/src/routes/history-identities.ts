/**
 * History API identity routes (spec/compat.md §12): identities by visit, by location / user agent, one identity,
 * and the visits of an identity, with `include_visits` / `include_pages` / `include_events`.
 */
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Association } from '@beckon/protocol';
import { Bool, Id, includeFlags, readIncludes } from './history-params.js';
import type { HistoryRouteContext, HistoryRouteOptions, Query } from './history-params.js';

export function identityRoutes(
  app: FastifyInstance,
  options: HistoryRouteOptions,
  ctx: HistoryRouteContext,
): void {
  const { history } = options;
  const { tags, paging, age, list, send, one, many } = ctx;

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
}
