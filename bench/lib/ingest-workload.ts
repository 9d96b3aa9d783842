/**
 * Realistic tracker traffic for the ingest benchmark: many concurrent visitors, each running visits of several
 * pages (VisitStarted, PageEntered, business events, PageExited, sometimes a SignIn), with fresh eventIDs on
 * every event so the server stores each one instead of counting duplicates. Visitors are served round-robin,
 * so events of one visit are far apart in the request stream and arrive in order even over many connections.
 * Seeded, so two runs send the same shapes and sizes.
 */

/** One event in the wire format of spec/compat.md §7. */
export interface WireEvent {
  eventType: 'SYSTEM' | 'BUSINESS';
  eventName: string;
  eventID: string;
  pageID: string;
  visitID: string;
  globalVisitID: string;
  timestamp: number;
  url: string;
  languageCode: string;
  seq: number;
  data: Record<string, unknown>;
}

export interface WorkloadOptions {
  /** PRNG seed (default 1). */
  seed?: number;
  /** Visitors browsing at the same time (default 500). */
  visitors?: number;
  /** Browser clock of the first event, ms (default 1.7e12). */
  startTime?: number;
}

/** mulberry32: small, fast, good enough to shape traffic. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PRODUCTS = ['Sony', 'Samsung', 'LG', 'Philips', 'Panasonic', 'Toshiba'] as const;
const SECTIONS = ['tv', 'audio', 'phones', 'laptops', 'cameras', 'checkout'] as const;
const BUSINESS = ['AddToCart', 'ProductView', 'SearchSubmitted', 'Timeout-30'] as const;
const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
] as const;

interface Visitor {
  globalVisitID: string;
  /** Events of the current visit not yet sent. */
  pending: WireEvent[];
}

/**
 * An endless stream of tracker events. `next()` hands out single events round-robin over visitors;
 * `nextBatch(n)` hands out `n` consecutive events of one visitor (what a tracker's queue sends).
 */
export class IngestWorkload {
  readonly #random: () => number;
  readonly #visitors: Visitor[] = [];
  #counter = 0;
  #handedOut = 0;
  #turn = 0;
  #clock: number;

  constructor(options: WorkloadOptions = {}) {
    this.#random = prng(options.seed ?? 1);
    this.#clock = options.startTime ?? 1_700_000_000_000;
    const count = options.visitors ?? 500;
    for (let i = 0; i < count; i++) this.#visitors.push({ globalVisitID: this.#id(), pending: [] });
  }

  /** Events handed out so far. */
  get produced(): number {
    return this.#handedOut;
  }

  /** The next event, from the next visitor in turn. */
  next(): WireEvent {
    return this.#take(this.#nextVisitor());
  }

  /** `size` consecutive events of one visitor (may cross into the visitor's next visit). */
  nextBatch(size: number): WireEvent[] {
    const visitor = this.#nextVisitor();
    const batch: WireEvent[] = [];
    for (let i = 0; i < size; i++) batch.push(this.#take(visitor));
    return batch;
  }

  #nextVisitor(): Visitor {
    const visitor = this.#visitors[this.#turn]!;
    this.#turn = (this.#turn + 1) % this.#visitors.length;
    return visitor;
  }

  #take(visitor: Visitor): WireEvent {
    if (visitor.pending.length === 0) visitor.pending = this.#visit(visitor.globalVisitID).reverse();
    this.#handedOut++;
    return visitor.pending.pop()!;
  }

  /** 32 upper-case hex chars, unique in this workload: a counter prefix plus random digits. */
  #id(): string {
    const count = (this.#counter++).toString(16).padStart(10, '0');
    let tail = '';
    while (tail.length < 22) tail += Math.floor(this.#random() * 0x100000000).toString(16);
    return (count + tail.slice(0, 22)).toUpperCase();
  }

  #pick<T>(values: readonly T[]): T {
    return values[Math.floor(this.#random() * values.length)]!;
  }

  /** One whole visit: 2-6 pages, 0-4 business events per page, a SignIn on some visits. */
  #visit(globalVisitID: string): WireEvent[] {
    const visitID = this.#id();
    const events: WireEvent[] = [];
    const pages = 2 + Math.floor(this.#random() * 5);
    const signInPage = this.#random() < 0.2 ? 1 + Math.floor(this.#random() * (pages - 1)) : -1;
    let referrer = this.#random() < 0.5 ? 'https://www.google.com/' : '';
    for (let p = 0; p < pages; p++) {
      const pageID = this.#id();
      const section = this.#pick(SECTIONS);
      const url = `https://shop.example.com/${section}/item-${Math.floor(this.#random() * 5000)}?ref=nav`;
      let seq = 0;
      const event = (eventType: WireEvent['eventType'], eventName: string, data: Record<string, unknown>) => {
        this.#clock += 1 + Math.floor(this.#random() * 3000);
        events.push({
          eventType,
          eventName,
          eventID: this.#id(),
          pageID,
          visitID,
          globalVisitID,
          timestamp: this.#clock,
          url,
          languageCode: 'en-US',
          seq: ++seq,
          data,
        });
      };
      if (p === 0) {
        event('SYSTEM', 'VisitStarted', {
          referrer,
          userAgent: this.#pick(AGENTS),
          language: 'en-US',
          screen: '1920x1080',
          timezoneOffset: -120,
        });
      }
      const entered = this.#clock;
      event('SYSTEM', 'PageEntered', { title: `${section} - Example Shop`, referrer });
      if (p === signInPage) {
        event('SYSTEM', 'SignIn', {
          userId: `user-${Math.floor(this.#random() * 100_000)}`,
          firstName: 'Ada',
        });
      }
      const business = Math.floor(this.#random() * 5);
      for (let b = 0; b < business; b++) {
        const product = this.#pick(PRODUCTS);
        event('BUSINESS', this.#pick(BUSINESS), {
          productName: product,
          productModel: `${product.slice(0, 2).toUpperCase()}${Math.floor(this.#random() * 900 + 100)}`,
          productPrice: String(Math.floor(this.#random() * 2000)),
          productCurrency: 'USD',
        });
      }
      event('SYSTEM', 'PageExited', { durationMs: this.#clock - entered });
      referrer = url;
    }
    return events;
  }
}
