/**
 * Registers the visitor push channel (spec/compat.md §13) on a Beckon app: the WebSocket and SSE transports of
 * `/server/notifications`, the GWE notify endpoint, and one shared interval that pings every connection and
 * forgets idle visits. Returns the `NotificationHub` that other features (chat, invitations) push through.
 * On close, every push connection is ended first so the server can stop.
 */
import type { FastifyInstance } from 'fastify';
import type { BeckonApp } from '../app.js';
import type { NotificationHub } from './hub.js';
import { pageBelongsToVisit, type ConnectRequest } from './connect-request.js';
import { notifyRoutes } from './notify-routes.js';
import { PushHub } from './push-hub.js';
import { registerSseTransport } from './sse-transport.js';
import { attachWebSocketTransport } from './ws-transport.js';

/** The hub with the node-local extras tests and metrics use. */
export type NotificationsService = NotificationHub & { readonly connectionCount: number };

/**
 * Adds the push channel to `app` (the Fastify instance of `beckon`). Call before `listen()`.
 * @returns the hub; `push()` numbers, delivers or buffers (`notifications.bufferSec`, `maxBufferedPerVisit`).
 */
export async function notificationsFeature(
  app: FastifyInstance,
  beckon: Pick<BeckonApp, 'store' | 'config' | 'now'>,
): Promise<NotificationsService> {
  const { bufferSec, maxBufferedPerVisit, pingSec } = beckon.config.notifications;
  const hub = new PushHub({
    now: beckon.now,
    bufferSec,
    maxBufferedPerVisit,
    onListenerError: (error) => app.log.error({ err: error }, 'notification listener failed'),
  });
  const authorize = (request: ConnectRequest) => pageBelongsToVisit(beckon.store, request);

  registerSseTransport(app, { hub, authorize });
  await app.register(notifyRoutes, { hub, store: beckon.store });
  const detach = attachWebSocketTransport({
    server: app.server,
    hub,
    authorize,
    onError: (error) => app.log.error({ err: error }, 'push connection check failed'),
  });
  const interval = setInterval(() => hub.tick(), pingSec * 1000);
  interval.unref();
  app.addHook('preClose', async () => {
    clearInterval(interval);
    hub.closeAll();
    detach();
  });
  return hub;
}
