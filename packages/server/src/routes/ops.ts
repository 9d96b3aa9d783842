/**
 * Operations endpoints: `/healthz` (the process is up), `/readyz` (the store answers and we are not shutting
 * down), `/metrics` (Prometheus), and the OpenAPI document at `/server/docs/openapi.json`.
 */
import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../metrics.js';
import type { SqlStore } from '../store/sql-store.js';

export async function opsRoutes(
  app: FastifyInstance,
  options: { store: SqlStore; metrics: Metrics; isShuttingDown: () => boolean },
): Promise<void> {
  const hide = { schema: { hide: true } };
  app.get('/healthz', hide, async () => ({ status: 'ok' }));
  app.get('/readyz', hide, async (_request, reply) => {
    if (options.isShuttingDown())
      return reply.status(503).send({ code: 'unavailable', message: 'shutting down' });
    try {
      await options.store.ping();
    } catch (error) {
      return reply.status(503).send({ code: 'unavailable', message: `store: ${(error as Error).message}` });
    }
    return { status: 'ready' };
  });
  app.get('/metrics', hide, async (_request, reply) => {
    reply.header('Content-Type', options.metrics.registry.contentType);
    return options.metrics.registry.metrics();
  });
  app.get('/server/docs/openapi.json', hide, async () => app.swagger());
}
