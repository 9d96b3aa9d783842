/**
 * CORS as spec/compat.md §5 says: browser-facing paths answer `Access-Control-Allow-Origin: *`; other
 * `/server/data` paths only to origins listed in `cors.apiOrigins`. Preflights get 204. No credentials.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requestPath } from './request-path.js';

const PUBLIC_PREFIXES = [
  '/server/events',
  '/server/resources/',
  '/server/api/resources/',
  '/server/notifications',
  '/server/chat/',
  '/server/callback/',
  '/server/engagements',
  '/server/data/notification/disposition/',
  '/server/data/pacing/reactiveState',
];

export function isPublicPath(url: string): boolean {
  const path = url.split('?')[0] ?? url;
  return PUBLIC_PREFIXES.some((p) => path === p || path.startsWith(p) || path === p.replace(/\/$/, ''));
}

function allowedOrigin(request: FastifyRequest, apiOrigins: readonly string[]): string | null {
  const path = requestPath(request);
  if (isPublicPath(path)) return '*';
  const origin = request.headers.origin;
  if (origin && path.startsWith('/server/data') && apiOrigins.includes(origin)) return origin;
  return null;
}

export function installCors(app: FastifyInstance, apiOrigins: readonly string[]): void {
  app.addHook('onRequest', async (request, reply) => {
    const origin = allowedOrigin(request, apiOrigins);
    if (origin === null) return;
    reply.header('Access-Control-Allow-Origin', origin);
    if (origin !== '*') reply.header('Vary', 'Origin');
    if (request.method === 'OPTIONS') {
      reply
        .header('Access-Control-Allow-Methods', 'GET, POST, OPTIONS')
        .header('Access-Control-Allow-Headers', 'Content-Type, Authorization')
        .header('Access-Control-Max-Age', '86400');
    }
  });
  app.options('/server/*', { schema: { hide: true } }, async (_request, reply) => reply.status(204).send());
}
