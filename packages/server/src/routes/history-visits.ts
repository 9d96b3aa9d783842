/**
 * History API visit routes (spec/compat.md §12): query one visit, the visits of a browser, and create a visit
 * (`POST /server/data/visits`, 409 if the id is taken).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { BeckonError } from '@beckon/protocol';
import { errorResponses } from '../http/schemas.js';
import { Id, includeFlags, readIncludes } from './history-params.js';
import type { HistoryRouteContext, HistoryRouteOptions, Query } from './history-params.js';

export function visitRoutes(
  app: FastifyInstance,
  options: HistoryRouteOptions,
  ctx: HistoryRouteContext,
): void {
  const { history, store } = options;
  const { tags, paging, age, list, send, one, many } = ctx;

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
}

function randomId(): string {
  return randomBytes(16).toString('hex').toUpperCase();
}
