/**
 * HTTP surface of proactive engagements: the public disposition endpoint the invitation widget calls
 * (spec/compat.md §13: 204, 400 bad code, 404 unknown engagement or another visit's, 409 first wins), the History
 * reads of engagement records (§1) and the funnel report (§11, key role `read`, checked by the app's hook).
 */
import type { FastifyInstance } from 'fastify';
import { BeckonError } from '@beckon/protocol';
import type { EngagementEngine } from './engagement-engine.js';
import { FUNNEL_DIMENSIONS, funnel } from './funnel.js';
import type { FunnelDimension } from './funnel.js';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

function dayStart(value: unknown, name: string): number {
  if (typeof value !== 'string' || !DAY.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)))
    throw new BeckonError('invalidParameter', `${name} must be YYYY-MM-DD`);
  return Date.parse(`${value}T00:00:00Z`);
}

export function engagementRoutes(
  app: FastifyInstance,
  engine: EngagementEngine,
  history: { requireVisit(visitId: string): Promise<unknown> },
): void {
  app.get<{ Params: { visitId: string }; Querystring: Record<string, unknown> }>(
    '/server/data/notification/disposition/:visitId',
    async (request, reply) => {
      const { engagementId, code } = request.query;
      if (typeof code !== 'string')
        throw new BeckonError('invalidParameter', 'code must be accepted, refused, timeout or closed');
      if (typeof engagementId !== 'string' || engagementId === '')
        throw new BeckonError('invalidParameter', 'engagementId is required');
      await engine.disposition(request.params.visitId, engagementId, code);
      return reply.code(204).send();
    },
  );

  app.get<{ Params: { engagementId: string } }>('/server/data/engagements/:engagementId', async (request) => {
    const e = await engine.get(request.params.engagementId);
    if (!e) throw new BeckonError('notFound', `no engagement ${request.params.engagementId}`);
    return e;
  });

  app.get<{ Params: { visitId: string } }>('/server/data/visits/:visitId/engagements', async (request) => {
    await history.requireVisit(request.params.visitId);
    return engine.visitEngagements(request.params.visitId);
  });

  app.get<{ Querystring: Record<string, unknown> }>('/server/data/reports/funnel', async (request) => {
    const from = dayStart(request.query.from, 'from');
    const to = dayStart(request.query.to, 'to') + DAY_MS;
    if (to <= from) throw new BeckonError('invalidParameter', 'to must not be before from');
    const raw = request.query.groupBy;
    const names = (Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : [])
      .flatMap((v) => String(v).split(','))
      .map((v) => v.trim())
      .filter((v) => v !== '');
    for (const n of names)
      if (!(FUNNEL_DIMENSIONS as readonly string[]).includes(n))
        throw new BeckonError('invalidParameter', `groupBy accepts ${FUNNEL_DIMENSIONS.join(', ')}`);
    const groupBy = [...new Set(names)] as FunnelDimension[];
    const records = await engine.store.createdBetween(from, to);
    return { from: request.query.from, to: request.query.to, groupBy, rows: funnel(records, groupBy) };
  });
}
