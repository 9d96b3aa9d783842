/**
 * The path a request is really routed to. The router decodes percent-escapes (`/server/%64ata/…` reaches the
 * `/server/data/…` routes), so every decision about a path — authentication, CORS, rate limits — must look at the
 * decoded path, or better at the matched route, never at the raw `request.url`.
 */
import type { FastifyRequest } from 'fastify';

/** The request's path without query, percent-decoded once as the router does (raw if it does not decode). */
export function requestPath(request: Pick<FastifyRequest, 'url'>): string {
  const raw = request.url.split('?')[0] ?? request.url;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/**
 * The path that decides access: the pattern of the matched route (e.g. `/server/data/visits/:visitId`), or the
 * decoded path when no route matched.
 */
export function routedPath(request: Pick<FastifyRequest, 'url' | 'routeOptions'>): string {
  return request.routeOptions.url ?? requestPath(request);
}
