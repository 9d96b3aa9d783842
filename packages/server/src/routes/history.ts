/**
 * The History REST API (spec/compat.md §12): GWE paths and parameters, `include_*` flags, pagination with an
 * opaque cursor in `Link` / `X-Beckon-Next-Cursor`, bare JSON arrays. Handlers only translate parameters. One
 * plugin registers the routes of `history-visits.ts`, `history-pages.ts` and `history-identities.ts` (in this
 * order) on the shared parameters of `history-params.ts`, then the unsupported 8.1 sessions route.
 */
import type { FastifyInstance } from 'fastify';
import { BeckonError } from '@beckon/protocol';
import { errorResponses } from '../http/schemas.js';
import { historyRouteContext } from './history-params.js';
import type { HistoryRouteOptions } from './history-params.js';
import { visitRoutes } from './history-visits.js';
import { pageEventRoutes } from './history-pages.js';
import { identityRoutes } from './history-identities.js';

export { readIncludes } from './history-params.js';

export async function historyRoutes(app: FastifyInstance, options: HistoryRouteOptions): Promise<void> {
  const ctx = historyRouteContext(options.config);
  const { tags } = ctx;
  visitRoutes(app, options, ctx);
  pageEventRoutes(app, options, ctx);
  identityRoutes(app, options, ctx);

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
