/**
 * History API page and event routes (spec/compat.md §12): events by visit or by page (filtered by age, name,
 * type, category, URL, page), pages by visit, and one page.
 */
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { EventType } from '@beckon/protocol';
import { Id, includeFlags, readIncludes } from './history-params.js';
import type { HistoryRouteContext, HistoryRouteOptions, Query } from './history-params.js';

export function pageEventRoutes(
  app: FastifyInstance,
  options: HistoryRouteOptions,
  ctx: HistoryRouteContext,
): void {
  const { history } = options;
  const { tags, paging, age, list, send, one, many } = ctx;

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
}
