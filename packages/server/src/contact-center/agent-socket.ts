/**
 * The agent stream's WebSocket endpoint, `/server/agent/stream?lastSeq=n` (spec §6), on the app's HTTP server.
 * The upgrade is authenticated with the session token (`Authorization: Bearer` or `token=` for browsers); without
 * a valid session the socket is closed at once with code 4401. The server pings every 25 s and drops a socket that misses a pong: that is
 * the heartbeat that starts the agent's disconnect grace period. The stream is server-to-client only.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import type { ContactCenter } from './contact-center.js';

export const STREAM_PATH = '/server/agent/stream';
/** Close code of a stream opened without a valid agent session. */
export const CLOSE_UNAUTHORIZED = 4401;

export function installAgentSocket(app: FastifyInstance, cc: ContactCenter, pingMs = 25_000): void {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  const alive = new WeakMap<WebSocket, boolean>();

  const refuse = (socket: Duplex, status: number, text: string) => {
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  };

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== STREAM_PATH) return; // another feature's socket
    const header = request.headers.authorization;
    const token =
      (typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined) ??
      url.searchParams.get('token');
    const rawSeq = url.searchParams.get('lastSeq');
    if (rawSeq !== null && !/^\d{1,15}$/.test(rawSeq)) return refuse(socket, 400, 'Bad Request');
    // A browser cannot read an HTTP status from a failed upgrade: an unknown session gets the socket and close
    // code 4401 at once, so the desktop stops reconnecting and signs in again.
    const unauthorized = () =>
      wss.handleUpgrade(request, socket, head, (ws) => ws.close(CLOSE_UNAUTHORIZED, 'unauthorized'));
    if (!token) return unauthorized();
    cc.auth.session(token).then(
      (principal) => {
        if (!principal) return unauthorized();
        wss.handleUpgrade(request, socket, head, (ws) => {
          alive.set(ws, true);
          ws.on('pong', () => alive.set(ws, true));
          ws.on('message', () => undefined); // server-to-client; the desktop acts over REST
          const detach = cc.stream.attach(
            principal.agentId,
            {
              send: (data) => ws.send(data),
              close: (code, reason) => ws.close(code, reason),
            },
            rawSeq === null ? null : Number(rawSeq),
          );
          ws.on('close', detach);
          ws.on('error', detach);
        });
      },
      () => refuse(socket, 500, 'Internal Server Error'),
    );
  };
  app.server.on('upgrade', onUpgrade);

  const ping = setInterval(() => {
    for (const ws of wss.clients) {
      if (alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, pingMs);
  ping.unref();

  app.addHook('preClose', async () => {
    clearInterval(ping);
    app.server.off('upgrade', onUpgrade);
    for (const ws of wss.clients) ws.terminate();
    cc.stop();
  });
}
