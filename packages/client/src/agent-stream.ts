/**
 * The agent event stream (spec/engagement.md §6) over a WebSocket that never gives up: every (re)connect asks for
 * `lastSeq` = the highest seq the consumer has applied, so the server replays what was missed, and the stream drops
 * any seq it has already delivered, so a replay that overlaps live events never repeats one. Reconnects back off
 * exponentially with jitter; a close for bad credentials stops the stream. The socket and timers are injected so
 * the logic is tested without a network.
 */
import type { AgentEvent } from '@beckon/protocol';

/** The part of a WebSocket the stream uses (browser `WebSocket` and `ws` both fit). */
export interface SocketLike {
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason?: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  close(code?: number, reason?: string): void;
}

export type StreamStatus = 'connecting' | 'open' | 'reconnecting' | 'unauthorized' | 'closed';

export interface BackoffOptions {
  /** First retry delay, default 500 ms. */
  initialMs?: number;
  /** Upper bound, default 15 000 ms. */
  maxMs?: number;
}

export interface AgentStreamOptions {
  /** The URL for a connection resuming after `lastSeq`, or asking for a snapshot (see `AgentClient.streamUrl`). */
  url: (lastSeq: number | null) => string;
  /** Highest seq the consumer has applied, or `null` when it has no position yet (the server then resyncs). */
  lastSeq: () => number | null;
  onEvent: (event: AgentEvent) => void;
  onStatus?: (status: StreamStatus, detail: { attempt: number; retryInMs: number | null }) => void;
  /** Default: `new WebSocket(url)`. */
  createSocket?: (url: string) => SocketLike;
  timers?: { setTimeout: (fn: () => void, ms: number) => unknown; clearTimeout: (handle: unknown) => void };
  backoff?: BackoffOptions;
  /** Jitter source in [0, 1), default `Math.random`. */
  random?: () => number;
}

export interface AgentStream {
  /** Stops for good: closes the socket and cancels any pending reconnect. */
  close(): void;
  /** Drops the current connection (if any) and connects again at once, e.g. after the network comes back. */
  reconnectNow(): void;
}

/** Close codes after which retrying cannot help (policy violation / the server's auth failures). */
const fatalCloseCodes = new Set([1008, 4401, 4403]);

/**
 * Delay before reconnect attempt `attempt` (1-based): `initialMs × 2^(attempt−1)` capped at `maxMs`, with "equal
 * jitter" (half fixed, half random) so a server restart does not bring every desktop back in the same instant.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const initial = options.initialMs ?? 500;
  const max = options.maxMs ?? 15_000;
  const base = Math.min(max, initial * 2 ** Math.max(0, attempt - 1));
  return Math.round(base / 2 + (base / 2) * random());
}

function parseFrame(data: unknown): AgentEvent[] {
  if (typeof data !== 'string') return [];
  try {
    const parsed: unknown = JSON.parse(data);
    const list = Array.isArray(parsed) ? parsed : [parsed];
    return list.filter(
      (e): e is AgentEvent =>
        typeof e === 'object' && e !== null && typeof (e as { Event?: unknown }).Event === 'string',
    );
  } catch {
    return [];
  }
}

/** Opens the stream at once and keeps it open until `close()`. */
export function openAgentStream(options: AgentStreamOptions): AgentStream {
  const create = options.createSocket ?? ((url: string) => new WebSocket(url) as unknown as SocketLike);
  const timers = options.timers ?? {
    setTimeout: (fn: () => void, ms: number) => globalThis.setTimeout(fn, ms),
    clearTimeout: (h: unknown) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
  };
  const random = options.random ?? Math.random;
  let socket: SocketLike | null = null;
  let retry: unknown = null;
  let attempt = 0;
  let stopped = false;
  let delivered = 0;

  const status = (s: StreamStatus, retryInMs: number | null = null) =>
    options.onStatus?.(s, { attempt, retryInMs });

  function connect(): void {
    retry = null;
    const from = options.lastSeq();
    delivered = from ?? 0;
    status(attempt === 0 ? 'connecting' : 'reconnecting');
    const ws = create(options.url(from));
    socket = ws;
    ws.onopen = () => {
      if (socket !== ws) return;
      attempt = 0;
      status('open');
    };
    ws.onmessage = (ev) => {
      if (socket !== ws) return;
      for (const event of parseFrame(ev.data)) {
        // A resync restarts the numbering (its seq may even be lower, after a server restart); anything else
        // already delivered is a repeat.
        if (event.Event === 'EventResync') delivered = typeof event.seq === 'number' ? event.seq : delivered;
        else if (typeof event.seq === 'number' && event.seq <= delivered) continue;
        else if (typeof event.seq === 'number') delivered = event.seq;
        options.onEvent(event);
      }
    };
    ws.onerror = () => {
      /* a close follows; reconnecting is handled there */
    };
    ws.onclose = (ev) => {
      if (socket !== ws) return;
      socket = null;
      if (stopped) return;
      if (fatalCloseCodes.has(ev.code)) {
        stopped = true;
        status('unauthorized');
        return;
      }
      attempt += 1;
      const delay = backoffDelay(attempt, options.backoff, random);
      status('reconnecting', delay);
      retry = timers.setTimeout(connect, delay);
    };
  }

  connect();
  return {
    close() {
      stopped = true;
      if (retry !== null) timers.clearTimeout(retry);
      retry = null;
      const ws = socket;
      socket = null;
      ws?.close(1000, 'closed by the desktop');
      status('closed');
    },
    reconnectNow() {
      if (stopped) return;
      if (retry !== null) timers.clearTimeout(retry);
      const ws = socket;
      socket = null;
      ws?.close(1000, 'reconnecting');
      connect();
    },
  };
}
