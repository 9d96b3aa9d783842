/**
 * The WebSocket side of `/server/notifications` (spec/compat.md §13), on the Fastify server's `upgrade` event with
 * `ws` in noServer mode: upgrades for other paths are left to their own handlers. The handshake is accepted first
 * and the page checked after, because the refusal is a close code (4403) the tracker can read. The socket is
 * server-to-client only: incoming messages are ignored and capped at a few bytes. Liveness comes from the hub's
 * shared tick: a socket that did not answer the previous ping is terminated; there is no per-socket timer.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { parseConnectRequest, type ConnectRequest } from './connect-request.js';
import type { PushConnection, PushHub } from './push-hub.js';

/** Path of the push endpoint. */
export const NOTIFICATIONS_PATH = '/server/notifications';

/** Close codes: the page does not belong to the visit (compat §13), or the request is malformed. */
export const CLOSE_FORBIDDEN = 4403;
export const CLOSE_INVALID = 4400;

class WsConnection implements PushConnection {
  alive = true;
  constructor(
    readonly visitId: string,
    readonly pageId: string,
    private readonly socket: WebSocket,
  ) {}
  send(json: string): void {
    if (this.socket.readyState === 1) this.socket.send(json);
  }
  ping(): void {
    if (!this.alive) return this.socket.terminate();
    this.alive = false;
    if (this.socket.readyState === 1) this.socket.ping();
  }
  close(): void {
    this.socket.close(1001, 'server shutting down');
  }
}

export interface WsTransportOptions {
  server: Server;
  hub: PushHub;
  /** Whether the page belongs to the visit. */
  authorize: (request: ConnectRequest) => Promise<boolean>;
  onError: (error: unknown) => void;
}

/** Starts answering WebSocket upgrades on the push path; returns the function that stops it. */
export function attachWebSocketTransport(options: WsTransportOptions): () => void {
  const { hub } = options;
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 256 });
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== NOTIFICATIONS_PATH) return;
    wss.handleUpgrade(req, socket, head, (ws) => void accept(ws, url));
  };
  const accept = async (ws: WebSocket, url: URL) => {
    ws.on('error', () => ws.terminate());
    const request = parseConnectRequest(url.searchParams);
    if (!request) return ws.close(CLOSE_INVALID, 'visitID and pageID are required');
    let allowed = false;
    try {
      allowed = await options.authorize(request);
    } catch (error) {
      options.onError(error);
      return ws.close(1011, 'unavailable');
    }
    if (!allowed) return ws.close(CLOSE_FORBIDDEN, 'the page does not belong to the visit');
    if (ws.readyState !== 1) return;
    const conn = new WsConnection(request.visitId, request.pageId, ws);
    ws.on('pong', () => (conn.alive = true));
    ws.on('close', () => hub.remove(conn));
    hub.add(conn, request.lastSeq);
  };
  options.server.on('upgrade', onUpgrade);
  return () => {
    options.server.off('upgrade', onUpgrade);
    for (const ws of wss.clients) ws.terminate();
    wss.close();
  };
}
