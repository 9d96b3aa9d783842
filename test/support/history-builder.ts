/**
 * Builds the rows a store is asked to write the way production builds them: events go through the real
 * `sessionize()` of @beckon/core with a fake clock and a real categorizer, and come out as `EventWrites`. Tests
 * then commit those writes to a store and read them back, so a store test cannot drift from what ingest produces.
 */
import type { Category, EventType } from '@beckon/protocol';
import { compileCategories, sessionize } from '@beckon/core';
import type { EventWrites, SessionizeContext, ValidEvent, VisitState } from '@beckon/core';

/** A fixed instant (2023-11-14T22:13:20Z): builders start their fake clock here. */
export const T0 = 1_700_000_000_000;

/** The User-Agent of events that do not name one. */
export const DEFAULT_UA = 'Mozilla/5.0 (X11; Linux x86_64) BeckonTest/1.0';

/** Signature that the builder's `verifySignature` accepts; anything else fails verification. */
export const GOOD_SIGNATURE = 'good-signature';

/** A 32-character id `<PREFIX>000…<n>`, valid for every id field of the wire format. */
export function testId(prefix: string, n: number): string {
  const digits = String(n);
  return `${prefix.toUpperCase()}${'0'.repeat(Math.max(0, 32 - prefix.length - digits.length))}${digits}`;
}

export interface EventSpec {
  visit: string;
  page: string;
  eventName: string;
  /** Default: SYSTEM for the system event names, BUSINESS otherwise. */
  eventType?: EventType;
  eventId?: string;
  globalVisitID?: string;
  url?: string;
  languageCode?: string | null;
  data?: Record<string, unknown>;
  /** Receive time; default: the builder's clock, which then advances by `step`. */
  at?: number;
  /** The request's User-Agent (the visit keeps the one of its first event). */
  userAgent?: string;
}

const SYSTEM = new Set(['VisitStarted', 'PageEntered', 'PageExited', 'SignIn', 'SignOut', 'UserInfo']);

export interface HistoryBuilderOptions {
  /** First receive time (default `T0`). */
  start?: number;
  /** Clock advance after each event without `at` (default 1000 ms). */
  step?: number;
  /** Categories the categorizer applies (default none). */
  categories?: readonly Category[];
}

/** Sessionizes events one at a time, keeping every visit's state like the ingest service's cache. */
export class HistoryBuilder {
  now: number;
  readonly #step: number;
  readonly #states = new Map<string, VisitState>();
  readonly #pageOwners = new Map<string, string>();
  readonly #categorize: SessionizeContext['categorize'];
  #events = 0;

  constructor(options: HistoryBuilderOptions = {}) {
    this.now = options.start ?? T0;
    this.#step = options.step ?? 1000;
    const categorizer = compileCategories(options.categories ?? []);
    this.#categorize = (input) => categorizer.categorize(input);
  }

  /** The in-memory state of a visit as the sessionizer left it. */
  state(visitId: string): VisitState | undefined {
    return this.#states.get(visitId);
  }

  /** Sessionizes one event; throws if the sessionizer rejects it (a test fixture bug). */
  event(spec: EventSpec): EventWrites {
    const receivedAt = spec.at ?? this.now;
    if (spec.at === undefined) this.now += this.#step;
    this.#events += 1;
    const ev: ValidEvent = {
      eventType: spec.eventType ?? (SYSTEM.has(spec.eventName) ? 'SYSTEM' : 'BUSINESS'),
      eventName: spec.eventName,
      eventID: spec.eventId ?? testId('EV', this.#events),
      pageID: spec.page,
      visitID: spec.visit,
      globalVisitID: spec.globalVisitID ?? testId('GV', 1),
      timestamp: receivedAt - 5,
      url: spec.url ?? 'https://shop.example.com/',
      languageCode: spec.languageCode ?? null,
      data: spec.data ?? {},
      seq: this.#events,
    };
    const context: SessionizeContext = {
      receivedAt,
      userAgent: spec.userAgent ?? DEFAULT_UA,
      hashUserAgent: (ua) => `UA${ua.length}`,
      verifySignature: (_userId, signature) => signature === GOOD_SIGNATURE,
      requireSignature: false,
      visitExpirationMs: 0,
      inactivityMs: Number.MAX_SAFE_INTEGER,
      categorize: this.#categorize,
    };
    const result = sessionize(
      this.#states.get(spec.visit) ?? null,
      ev,
      this.#pageOwners.get(spec.page),
      context,
    );
    if (!result.ok) throw new Error(`fixture event rejected: ${result.code}: ${result.message}`);
    this.#states.set(spec.visit, result.state);
    this.#pageOwners.set(spec.page, spec.visit);
    return result.writes;
  }

  /** `VisitStarted` then `PageEntered` on `page`: the usual first two events of a visit. */
  startVisit(spec: Omit<EventSpec, 'eventName'> & { title?: string }): EventWrites[] {
    const { title, ...rest } = spec;
    const data = rest.userAgent !== undefined ? { userAgent: rest.userAgent } : {};
    return [
      this.event({ ...rest, eventName: 'VisitStarted', data }),
      this.event({ ...rest, eventName: 'PageEntered', data: { title: title ?? 'Home' } }),
    ];
  }
}
