/**
 * The Server-Sent-Events fallback on the same URL (spec/compat.md §13): `GET /server/notifications` with
 * `Accept: text/event-stream`. One `data:` line per frame, the SSE `id` is the frame's `seq` so the browser's
 * EventSource resumes with `Last-Event-ID` by itself; keep-alive comments come from the hub's shared tick. The
 * reply is hijacked, so the CORS header (compat §5: `*`) is written here.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerResponse } from 'node:http';
import { BeckonError } from '@beckon/protocol';
import { parseConnectRequest, type ConnectRequest } from './connect-request.js';
import type { PushConnection, PushHub } from './push-hub.js';
import { NOTIFICATIONS_PATH } from './ws-transport.js';

class SseConnection implements PushConnection {
  constructor(
    readonly visitId: string,
    readonly pageId: string,
    private readonly res: ServerResponse,
  ) {}
  send(json: string, seq: number): void {
    this.res.write(`id: ${seq}\ndata: ${json}\n\n`);
  }
  ping(): void {
    this.res.write(':\n\n');
  }
  close(): void {
    this.res.end();
  }
}

export interface SseTransportOptions {
  hub: PushHub;
  authorize: (request: ConnectRequest) => Promise<boolean>;
}

/** Registers the SSE route (a plain GET without `text/event-stream` is a 400). */
export function registerSseTransport(app: FastifyInstance, options: SseTransportOptions): void {
  app.get(
    NOTIFICATIONS_PATH,
    { schema: { hide: true } },
    async (request: FastifyRequest, reply: FastifyReply) => {
      const accept = request.headers.accept ?? '';
      if (!accept.includes('text/event-stream'))
        throw new BeckonError('invalidParameter', 'open a WebSocket, or send Accept: text/event-stream');
      const query = new URLSearchParams(request.url.split('?')[1] ?? '');
      const parsed = parseConnectRequest(query, request.headers['last-event-id']);
      if (!parsed) throw new BeckonError('invalidParameter', 'visitID and pageID are required');
      if (!(await options.authorize(parsed)))
        throw new BeckonError('forbidden', 'the page does not belong to the visit');
      if (request.raw.destroyed) return reply.hijack();
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-cache, no-transform',
        Connection: 'keep-alive',
        'X-Accel-Buffering': 'no',
        'Access-Control-Allow-Origin': '*',
      });
      res.write('retry: 3000\n\n');
      res.socket?.setNoDelay(true);
      const conn = new SseConnection(parsed.visitId, parsed.pageId, res);
      res.on('close', () => options.hub.remove(conn));
      options.hub.add(conn, parsed.lastSeq);
    },
  );
}
