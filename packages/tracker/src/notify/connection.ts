/**
 * The browser end of the push transport (compat.md §13): a WebSocket to `/server/notifications`, falling back to
 * Server-Sent Events on the same URL when the socket does not open within 5 s or fails twice in a row. Frames
 * carry a per-visit `seq`; the connection remembers the highest one and resumes with `lastSeq`, and drops
 * anything already seen, so a reconnect neither loses nor repeats a frame. A 4403 refusal (or SSE 403) usually
 * means the page's first event is not stored yet: it is retried with a growing delay, without counting as a
 * transport failure.
 */

/** A server frame. */
export interface Frame {
  channel: string;
  data: unknown;
  page?: string;
  seq: number;
}

export interface ConnectionOptions {
  /** Base URL of the push endpoint, without query. */
  url: () => string;
  ids: () => { visitID: string; pageID: string };
  onFrame: (frame: Frame) => void;
  /** Called after every successful (re)connection; `resumed` is false for the first one. */
  onOpen: (resumed: boolean) => void;
  log: (...args: unknown[]) => void;
}

const OPEN_TIMEOUT_MS = 5000;
const MAX_DELAY_MS = 30000;

/** A self-healing push connection; `start()` once, `restart()` on a new page, `stop()` to close. */
export class PushConnection {
  /** Transport in use; becomes `sse` for the rest of the page view after two WebSocket failures. */
  mode: 'ws' | 'sse' = typeof WebSocket === 'function' ? 'ws' : 'sse';
  private lastSeq = -1;
  private visitID = '';
  private failures = 0;
  private refusals = 0;
  private opened = false;
  private everOpened = false;
  private stopped = true;
  private ws: WebSocket | undefined;
  private es: EventSource | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: ConnectionOptions) {}

  start(delayMs = 0): void {
    this.stopped = false;
    this.schedule(delayMs);
  }

  /** Reconnects after `delayMs` (new pageID after a navigation: its first event must be stored first). */
  restart(delayMs = 0): void {
    this.close();
    if (!this.stopped) this.schedule(delayMs);
  }

  stop(): void {
    this.stopped = true;
    this.close();
  }

  private close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const ws = this.ws;
    const es = this.es;
    this.ws = this.es = undefined;
    this.opened = false;
    if (ws) {
      ws.onclose = ws.onmessage = ws.onopen = ws.onerror = null;
      ws.close();
    }
    if (es) es.close();
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.open(), delayMs);
  }

  private retry(refused: boolean): void {
    this.close();
    if (this.stopped) return;
    const n = refused ? ++this.refusals : this.failures;
    this.schedule(Math.min(MAX_DELAY_MS, 500 * Math.pow(2, Math.min(n, 6))));
  }

  private query(): string {
    const { visitID, pageID } = this.options.ids();
    if (visitID !== this.visitID) {
      this.visitID = visitID;
      this.lastSeq = -1; // a new visit numbers from scratch
    }
    let q = '?visitID=' + encodeURIComponent(visitID) + '&pageID=' + encodeURIComponent(pageID);
    if (this.lastSeq >= 0) q += '&lastSeq=' + this.lastSeq;
    return q;
  }

  private opening(): void {
    this.opened = true;
    this.failures = this.refusals = 0;
    const resumed = this.everOpened;
    this.everOpened = true;
    this.options.onOpen(resumed);
  }

  private receive(text: string): void {
    let frame: Frame;
    try {
      frame = JSON.parse(text) as Frame;
    } catch {
      return;
    }
    if (typeof frame.seq === 'number') {
      if (frame.seq <= this.lastSeq) return; // already seen
      this.lastSeq = frame.seq;
    }
    this.options.onFrame(frame);
  }

  private open(): void {
    this.close();
    const url = this.options.url() + this.query();
    if (this.mode === 'ws') this.openWs(url.replace(/^http/, 'ws'));
    else this.openSse(url);
  }

  private openWs(url: string): void {
    let ws: WebSocket;
    try {
      ws = new WebSocket(url);
    } catch (e) {
      this.options.log('WebSocket failed', e);
      return this.wsFailed();
    }
    this.ws = ws;
    this.timer = setTimeout(() => {
      if (!this.opened) this.wsFailed();
    }, OPEN_TIMEOUT_MS);
    ws.onopen = () => {
      clearTimeout(this.timer);
      this.opening();
    };
    ws.onmessage = (e: MessageEvent) => this.receive(String(e.data));
    ws.onclose = (e: CloseEvent) => {
      if (e.code === 4400) return this.stop();
      if (e.code === 4403) return this.retry(true);
      if (!this.opened) return this.wsFailed();
      this.retry(false);
    };
  }

  private wsFailed(): void {
    if (++this.failures >= 2 && typeof EventSource === 'function') {
      this.options.log('WebSocket unavailable, falling back to SSE');
      this.mode = 'sse';
      this.failures = 0;
    }
    this.retry(false);
  }

  private openSse(url: string): void {
    const es = new EventSource(url);
    this.es = es;
    es.onopen = () => this.opening();
    es.onmessage = (e: MessageEvent) => this.receive(String(e.data));
    es.onerror = () => {
      // CONNECTING: the browser retries by itself with Last-Event-ID; CLOSED: refused (403) or broken.
      if (es.readyState === 2) this.retry(!this.opened);
      else this.opened = false;
    };
  }
}
