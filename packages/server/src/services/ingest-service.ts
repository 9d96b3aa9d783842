/**
 * Ingest (spec/compat.md §10): validate each event on its own → drop duplicates by eventID → sessionize and
 * categorize → commit durably (group commit) → report. Visits are cached in memory while active so the
 * sessionizer runs without a store round trip; everything that decides an event's fate runs in one synchronous
 * section, so concurrent requests for the same visit or the same eventID cannot race.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { sessionize, validateEvent } from '@beckon/core';
import type { EventWrites, SessionizeContext, ValidEvent, VisitState } from '@beckon/core';
import { BeckonError } from '@beckon/protocol';
import type { EventRejection, IngestResult, StoredEvent } from '@beckon/protocol';
import type { Config } from '../config.js';
import type { Metrics } from '../metrics.js';
import type { SqlStore } from '../store/sql-store.js';
import type { CategoryService } from './category-service.js';

export interface IngestMeta {
  userAgent: string;
  /** Size of the request body in bytes, an upper bound of every event's size. */
  bodyBytes?: number;
  /** Events posted to `/server/data/visits/{visitId}/events` must belong to that visit. */
  visitId?: string;
}

export interface IngestServiceOptions {
  store: SqlStore;
  config: Readonly<Config>;
  categories: CategoryService;
  metrics: Metrics;
  now: () => number;
  /** Receives events after they are durably stored (rules engine). */
  onStored?: (events: StoredEvent[]) => void;
  /** Visits kept in memory (default 100,000). */
  maxCachedVisits?: number;
}

const hashUserAgent = (ua: string): string =>
  createHash('sha256').update(ua).digest('hex').slice(0, 32).toUpperCase();

export class IngestService {
  readonly #o: IngestServiceOptions;
  readonly #visits = new Map<string, VisitState>();
  /** eventIDs accepted but not yet committed. */
  readonly #inflight = new Set<string>();
  /**
   * eventIDs committed while another request was between its store look-ups and its decisions: that request's
   * `existing` set may predate the commit, so these are kept (with the commit tick) until no such request is left.
   */
  readonly #recentlyCommitted = new Map<string, number>();
  /** Ticks at which the requests now doing look-ups started them. */
  readonly #lookups = new Set<{ tick: number }>();
  #tick = 0;
  /** pageID → visitID for pages of cached visits and pages in flight. */
  readonly #pageOwners = new Map<string, string>();
  readonly #maxCached: number;
  readonly #verifySignature: SessionizeContext['verifySignature'];

  constructor(options: IngestServiceOptions) {
    this.#o = options;
    this.#maxCached = options.maxCachedVisits ?? 100_000;
    const secret = options.config.security.applicationSecret;
    this.#verifySignature = secret
      ? (userId, signature) => {
          const expected = createHmac('sha256', secret).update(userId, 'utf8').digest();
          const given = /^[0-9a-f]{64}$/.test(signature) ? Buffer.from(signature, 'hex') : null;
          return given !== null && timingSafeEqual(expected, given);
        }
      : () => null;
  }

  /** The cached state of a visit, if it is active on this node. */
  cachedVisit(visitId: string): VisitState | undefined {
    return this.#visits.get(visitId);
  }

  async ingest(batch: readonly unknown[], meta: IngestMeta): Promise<IngestResult> {
    const { config, store, metrics } = this.#o;
    const rejected: EventRejection[] = [];
    const valid: { index: number; event: ValidEvent }[] = [];
    batch.forEach((raw, index) => {
      if (
        meta.visitId !== undefined &&
        isObject(raw) &&
        raw.visitID === undefined &&
        raw.visitId === undefined
      ) {
        raw = { ...raw, visitID: meta.visitId };
      }
      const result = validateEvent(raw, config.ingest, undefined, meta.bodyBytes);
      if (!result.ok) rejected.push({ index, code: result.code, message: result.message });
      else if (meta.visitId !== undefined && result.event.visitID !== meta.visitId) {
        rejected.push({ index, code: 'invalidField', message: 'visitID differs from the visit in the path' });
      } else valid.push({ index, event: result.event });
    });

    // Look-ups that need the store happen first; the decisions below use them without awaiting again.
    const lookup = { tick: this.#tick };
    this.#lookups.add(lookup);
    let existing: Set<string>;
    let storedOwners: Map<string, string>;
    const loaded = new Map<string, VisitState | null>();
    try {
      const candidates = valid.filter((v) => !this.#inflight.has(v.event.eventID));
      existing = candidates.length
        ? await store.existingEventIds(candidates.map((v) => v.event.eventID))
        : new Set<string>();
      const unknownPages = [
        ...new Set(valid.map((v) => v.event.pageID).filter((p) => !this.#pageOwners.has(p))),
      ];
      storedOwners = unknownPages.length ? await store.pageOwners(unknownPages) : new Map<string, string>();
      for (const visitId of new Set(valid.map((v) => v.event.visitID))) {
        if (!this.#visits.has(visitId)) loaded.set(visitId, await store.loadVisitState(visitId));
      }
    } catch (error) {
      this.#endLookup(lookup);
      throw unavailable(error);
    }

    // Synchronous section: no await until the writes are handed to the store.
    const now = this.#o.now();
    const ctx: SessionizeContext = {
      receivedAt: now,
      userAgent: meta.userAgent,
      hashUserAgent,
      verifySignature: this.#verifySignature,
      requireSignature: config.identity.requireSignature,
      visitExpirationMs: config.engagement.visitExpirationTime * 1000,
      inactivityMs: config.visit.inactivityTimeout * 1000,
      categorize: (input) => this.#o.categories.categorizer.categorize(input),
    };
    const writes: EventWrites[] = [];
    const seen = new Set<string>();
    let duplicates = 0;
    try {
      for (const { index, event } of valid) {
        if (
          seen.has(event.eventID) ||
          this.#inflight.has(event.eventID) ||
          existing.has(event.eventID) ||
          this.#recentlyCommitted.has(event.eventID)
        ) {
          duplicates++;
          continue;
        }
        let state = this.#visits.get(event.visitID) ?? loaded.get(event.visitID) ?? null;
        const owner = this.#pageOwners.get(event.pageID) ?? storedOwners.get(event.pageID);
        const result = sessionize(state, event, owner, ctx);
        if (!result.ok) {
          rejected.push({ index, code: result.code, message: result.message });
          continue;
        }
        state = result.state;
        this.#remember(state);
        this.#pageOwners.set(event.pageID, state.visitId);
        seen.add(event.eventID);
        this.#inflight.add(event.eventID);
        writes.push(result.writes);
      }
    } finally {
      // Only now: the loop above still needed the IDs committed during our look-ups.
      this.#endLookup(lookup);
    }

    try {
      await store.commit(writes);
    } catch (error) {
      // The cached states already hold these events: drop them so the next event reloads what is really stored.
      for (const w of writes) this.#forget(w.visit.visitId);
      for (const w of writes) this.#inflight.delete(w.event.eventID);
      throw unavailable(error);
    }
    const tick = ++this.#tick;
    for (const w of writes) {
      this.#inflight.delete(w.event.eventID);
      if (this.#lookups.size > 0) this.#recentlyCommitted.set(w.event.eventID, tick);
    }

    rejected.sort((a, b) => a.index - b.index);
    metrics.eventsAccepted.inc(writes.length);
    metrics.eventsDuplicate.inc(duplicates);
    for (const r of rejected) metrics.eventsRejected.inc({ code: r.code });
    if (writes.length > 0) this.#o.onStored?.(writes.map((w) => w.event));
    return { accepted: writes.length, duplicates, rejected };
  }

  /** Forgets committed IDs that every request still doing look-ups will find in the store. */
  #endLookup(lookup: { tick: number }): void {
    this.#lookups.delete(lookup);
    let oldest = Infinity;
    for (const l of this.#lookups) oldest = Math.min(oldest, l.tick);
    for (const [eventId, tick] of this.#recentlyCommitted) {
      if (tick > oldest) break; // insertion order is tick order
      this.#recentlyCommitted.delete(eventId);
    }
  }

  #remember(state: VisitState): void {
    // Map order is the LRU order: re-insert on use, evict from the front.
    this.#visits.delete(state.visitId);
    this.#visits.set(state.visitId, state);
    while (this.#visits.size > this.#maxCached) {
      const oldest = this.#visits.keys().next().value;
      if (oldest === undefined) break;
      this.#forget(oldest);
    }
  }

  #forget(visitId: string): void {
    const state = this.#visits.get(visitId);
    if (!state) return;
    this.#visits.delete(visitId);
    for (const pageId of state.pages.keys()) this.#pageOwners.delete(pageId);
  }
}

function unavailable(error: unknown): BeckonError {
  return new BeckonError('unavailable', `the store is unavailable: ${(error as Error).message}`, {
    'Retry-After': '5',
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
