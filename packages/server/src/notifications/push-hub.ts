/**
 * The delivery logic of the visitor push channel (spec/compat.md §13), independent of the transport: a page's
 * WebSocket and its SSE fallback both appear here as a `PushConnection`. Per visit the hub numbers frames
 * (`seq`), delivers each to the targeted page (or the newest connected page when that one is gone, or every
 * page when untargeted), and keeps a short log of recent frames: the undelivered ones go to the next
 * connection, and a reconnecting page that names `lastSeq` gets what it missed. The log is bounded by
 * `bufferSec` and `maxBufferedPerVisit`, so memory per visit stays small. No timers here: the owner calls
 * `tick()` from one shared interval, which pings every connection and forgets idle visits.
 */
import type { NotificationHub, PushMessage } from './hub.js';

/** One page's open push connection, as the hub sees it (tldraw-style minimal socket). */
export interface PushConnection {
  readonly visitId: string;
  readonly pageId: string;
  /** Writes one serialized frame. */
  send(json: string, seq: number): void;
  /** Keep-alive: a WebSocket ping or an SSE comment; a transport may close a peer that stopped answering. */
  ping(): void;
  /** Closes the connection from the server side (shutdown). */
  close(): void;
}

interface LoggedFrame {
  seq: number;
  page: string | undefined;
  json: string;
  at: number;
  delivered: boolean;
}

interface VisitChannel {
  seq: number;
  /** Oldest first; the last one is the newest connected page. */
  conns: PushConnection[];
  log: LoggedFrame[];
}

export interface PushHubOptions {
  /** Clock in ms. */
  now: () => number;
  /** Seconds a frame stays in the log (compat §13 `notifications.bufferSec`, default 30). */
  bufferSec: number;
  /** Frames kept per visit (`notifications.maxBufferedPerVisit`, default 20). */
  maxBufferedPerVisit: number;
  /** Called when a listener throws; the hub carries on. */
  onListenerError?: (error: unknown) => void;
}

type Listener = (visitId: string, pageId: string) => void;

/** In-memory NotificationHub of one node. */
export class PushHub implements NotificationHub {
  private readonly visits = new Map<string, VisitChannel>();
  private readonly connectListeners = new Set<Listener>();
  private readonly disconnectListeners = new Set<Listener>();
  private connections = 0;

  constructor(private readonly options: PushHubOptions) {}

  /** Open connections on this node. */
  get connectionCount(): number {
    return this.connections;
  }

  push(visitId: string, message: PushMessage): void {
    const visit = this.channel(visitId);
    this.expire(visit);
    const seq = ++visit.seq;
    const frame: Record<string, unknown> = { channel: message.channel, data: message.data };
    if (message.page !== undefined) frame.page = message.page;
    frame.seq = seq;
    const json = JSON.stringify(frame);
    const targets = this.targets(visit, message.page);
    for (const conn of targets) this.safeSend(conn, json, seq);
    if (this.options.maxBufferedPerVisit === 0) return;
    visit.log.push({ seq, page: message.page, json, at: this.options.now(), delivered: targets.length > 0 });
    if (visit.log.length > this.options.maxBufferedPerVisit) visit.log.shift();
  }

  isConnected(visitId: string): boolean {
    return (this.visits.get(visitId)?.conns.length ?? 0) > 0;
  }

  onConnect(listener: Listener): () => void {
    this.connectListeners.add(listener);
    return () => this.connectListeners.delete(listener);
  }

  onDisconnect(listener: Listener): () => void {
    this.disconnectListeners.add(listener);
    return () => this.disconnectListeners.delete(listener);
  }

  /**
   * Registers an accepted connection: replays the frames after `lastSeq` meant for this page (or, without
   * `lastSeq`, the undelivered ones), then tells the connect listeners.
   */
  add(conn: PushConnection, lastSeq?: number): void {
    const visit = this.channel(conn.visitId);
    this.expire(visit);
    // A visit forgotten while idle restarts its numbering above what the page already saw.
    if (lastSeq !== undefined && lastSeq > visit.seq) visit.seq = lastSeq;
    const connected = (page: string) => visit.conns.some((c) => c.pageId === page);
    for (const frame of visit.log) {
      const replay =
        lastSeq !== undefined
          ? frame.seq > lastSeq &&
            (frame.page === undefined || frame.page === conn.pageId || !connected(frame.page))
          : !frame.delivered;
      if (!replay) continue;
      this.safeSend(conn, frame.json, frame.seq);
      frame.delivered = true;
    }
    visit.conns.push(conn);
    this.connections++;
    this.notify(this.connectListeners, conn);
  }

  /** Forgets a closed connection and tells the disconnect listeners. Idempotent. */
  remove(conn: PushConnection): void {
    const visit = this.visits.get(conn.visitId);
    const i = visit ? visit.conns.indexOf(conn) : -1;
    if (!visit || i < 0) return;
    visit.conns.splice(i, 1);
    this.connections--;
    if (visit.conns.length === 0 && visit.log.length === 0) this.visits.delete(conn.visitId);
    this.notify(this.disconnectListeners, conn);
  }

  /** Pings every connection and drops expired frames and idle visits; call it every `pingSec`. */
  tick(): void {
    for (const [visitId, visit] of this.visits) {
      this.expire(visit);
      if (visit.conns.length === 0 && visit.log.length === 0) this.visits.delete(visitId);
      for (const conn of visit.conns.slice()) conn.ping();
    }
  }

  /** Closes every connection (shutdown). */
  closeAll(): void {
    for (const visit of [...this.visits.values()]) for (const conn of visit.conns.slice()) conn.close();
  }

  private channel(visitId: string): VisitChannel {
    let visit = this.visits.get(visitId);
    if (!visit) {
      visit = { seq: 0, conns: [], log: [] };
      this.visits.set(visitId, visit);
    }
    return visit;
  }

  private targets(visit: VisitChannel, page: string | undefined): PushConnection[] {
    if (visit.conns.length === 0) return [];
    if (page === undefined) return visit.conns.slice();
    const exact = visit.conns.filter((c) => c.pageId === page);
    return exact.length > 0 ? exact : [visit.conns[visit.conns.length - 1] as PushConnection];
  }

  private expire(visit: VisitChannel): void {
    const oldest = this.options.now() - this.options.bufferSec * 1000;
    let drop = 0;
    while (drop < visit.log.length && (visit.log[drop] as LoggedFrame).at < oldest) drop++;
    if (drop > 0) visit.log.splice(0, drop);
  }

  private safeSend(conn: PushConnection, json: string, seq: number): void {
    try {
      conn.send(json, seq);
    } catch (error) {
      this.options.onListenerError?.(error);
    }
  }

  private notify(listeners: Set<Listener>, conn: PushConnection): void {
    for (const listener of [...listeners]) {
      try {
        listener(conn.visitId, conn.pageId);
      } catch (error) {
        this.options.onListenerError?.(error);
      }
    }
  }
}
