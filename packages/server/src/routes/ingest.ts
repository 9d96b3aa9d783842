/**
 * `POST /server/events` (spec/compat.md §10) and its History API twin `POST /server/data/visits/{visitId}/events`.
 * Thin: check the batch shape, call the ingest service, answer 202 once the events are durable.
 */
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { BeckonError } from '@beckon/protocol';
import type { Config } from '../config.js';
import type { Metrics } from '../metrics.js';
import type { IngestService } from '../services/ingest-service.js';
import { errorResponses } from '../http/schemas.js';

export interface IngestRouteOptions {
  ingest: IngestService;
  config: Readonly<Config>;
  metrics: Metrics;
}

const batchSchema = {
  summary: 'Send a batch of tracker events',
  description: 'Body: JSON array of 0-100 events (application/json, or text/plain from sendBeacon).',
  response: { 202: Type.Ref('IngestResult'), ...errorResponses(400, 413, 415, 429, 503) },
};

/** The declared body size; Fastify has already enforced that the body read matches it. */
function bodyBytes(contentLength: string | undefined): number | undefined {
  const n = contentLength === undefined ? NaN : Number(contentLength);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

export async function ingestRoutes(app: FastifyInstance, options: IngestRouteOptions): Promise<void> {
  const { ingest, config, metrics } = options;
  const limit = config.ingest.maxBatchEvents;

  app.post(
    '/server/events',
    {
      bodyLimit: config.ingest.maxBodyBytes,
      logLevel: 'warn', // one line per beacon would drown the log
      schema: { ...batchSchema, tags: ['ingest'] },
      config: { rateLimit: { max: config.ingest.rateLimitPerIpPerMin, timeWindow: 60_000 } },
    },
    async (request, reply) => {
      const stop = metrics.ingestDuration.startTimer();
      const body = request.body;
      if (!Array.isArray(body))
        throw new BeckonError('invalidJson', 'the body must be a JSON array of events');
      if (body.length > limit)
        throw new BeckonError('batchTooLarge', `a batch holds at most ${limit} events, got ${body.length}`);
      const result = await ingest.ingest(body, {
        userAgent: request.headers['user-agent'] ?? '',
        bodyBytes: bodyBytes(request.headers['content-length']),
      });
      stop();
      return reply.status(202).send(result);
    },
  );

  app.post<{ Params: { visitId: string } }>(
    '/server/data/visits/:visitId/events',
    {
      bodyLimit: config.ingest.maxBodyBytes,
      schema: {
        ...batchSchema,
        summary: 'Create events of a visit (server integrations)',
        description: 'Body: one event or an array; visitID absent or equal to the path.',
        tags: ['history'],
        params: Type.Object({ visitId: Type.String({ pattern: '^[A-Za-z0-9_-]{8,64}$' }) }),
      },
    },
    async (request, reply) => {
      const body = request.body;
      const batch = Array.isArray(body) ? body : [body];
      if (batch.length > limit)
        throw new BeckonError('batchTooLarge', `a batch holds at most ${limit} events, got ${batch.length}`);
      const result = await ingest.ingest(batch, {
        userAgent: request.headers['user-agent'] ?? '',
        bodyBytes: bodyBytes(request.headers['content-length']),
        visitId: request.params.visitId,
      });
      return reply.status(202).send(result);
    },
  );
}
