/**
 * The History REST API's read side (spec/compat.md §12): turns store records into the GWE resource shapes,
 * fills `include_*` lists (at most 1000 items, `<X>Truncated` when cut) and derives a visit's `endDate`.
 */
import { BeckonError } from '@beckon/protocol';
import type { IdentityResource, PageResource, StoredEvent, VisitResource } from '@beckon/protocol';
import type { Config } from '../config.js';
import type { IdentityRecord, ListOptions, ListPage, VisitRecord } from '../store/records.js';
import type {
  EventFilter,
  IdentityFilter,
  IdentityWithScope,
  SqlStore,
  VisitFilter,
} from '../store/sql-store.js';

export const EMBED_LIMIT = 1000;

/** `include_X` / `include_X_detail` flags, already checked for consistency. */
export interface Includes {
  visits?: 'ids' | 'detail' | undefined;
  pages?: 'ids' | 'detail' | undefined;
  events?: 'ids' | 'detail' | undefined;
}

export class HistoryService {
  readonly #store: SqlStore;
  readonly #config: Readonly<Config>;
  readonly #now: () => number;

  constructor(options: { store: SqlStore; config: Readonly<Config>; now: () => number }) {
    this.#store = options.store;
    this.#config = options.config;
    this.#now = options.now;
  }

  /** `age` seconds → the earliest time kept. */
  since(age: number | undefined): number | undefined {
    return age === undefined ? undefined : this.#now() - age * 1000;
  }

  async visit(visitId: string, includes: Includes): Promise<VisitResource> {
    const record = await this.#store.getVisit(visitId);
    if (!record) throw new BeckonError('notFound', `no visit ${visitId}`);
    return this.#visitResource(record, includes);
  }

  async requireVisit(visitId: string): Promise<VisitRecord> {
    const record = await this.#store.getVisit(visitId);
    if (!record) throw new BeckonError('notFound', `no visit ${visitId}`);
    return record;
  }

  async visits(
    filter: VisitFilter,
    includes: Includes,
    options: ListOptions,
  ): Promise<ListPage<VisitResource>> {
    const page = await this.#store.listVisits(filter, options);
    return {
      items: await Promise.all(page.items.map((v) => this.#visitResource(v, includes))),
      next: page.next,
    };
  }

  async events(filter: EventFilter, options: ListOptions): Promise<ListPage<StoredEvent>> {
    return this.#store.listEvents(filter, options);
  }

  async pages(visitId: string, includes: Includes, options: ListOptions): Promise<ListPage<PageResource>> {
    await this.requireVisit(visitId);
    const page = await this.#store.listPages({ visitId }, options);
    return {
      items: await Promise.all(page.items.map((p) => this.#pageResource(p, includes))),
      next: page.next,
    };
  }

  async page(pageId: string, includes: Includes): Promise<PageResource> {
    const record = await this.#store.getPage(pageId);
    if (!record) throw new BeckonError('notFound', `no page ${pageId}`);
    return this.#pageResource(record, includes);
  }

  async requirePage(pageId: string): Promise<void> {
    if (!(await this.#store.getPage(pageId))) throw new BeckonError('notFound', `no page ${pageId}`);
  }

  async identities(
    filter: IdentityFilter,
    includes: Includes,
    options: ListOptions,
  ): Promise<ListPage<IdentityResource>> {
    const page = await this.#store.listIdentities(filter, options);
    return {
      items: await Promise.all(page.items.map((i) => this.#identityResource(i, includes))),
      next: page.next,
    };
  }

  async identity(
    identityId: string,
    verified: boolean | undefined,
    includes: Includes,
  ): Promise<IdentityResource> {
    const record = await this.#store.getIdentity(identityId, verified);
    if (!record) throw new BeckonError('notFound', `no identity ${identityId}`);
    const latest = await this.#store.latestAssociation(record.identityId, record.verified);
    return this.#identityResource({ ...record, scope: latest?.scope ?? null }, includes);
  }

  /** Visits of an identity (verified record preferred, as for `identity`). */
  async identityVisits(
    identityId: string,
    verified: boolean | undefined,
    filter: Omit<VisitFilter, 'identity'>,
    includes: Includes,
    options: ListOptions,
  ): Promise<ListPage<VisitResource>> {
    const record = await this.#store.getIdentity(identityId, verified);
    if (!record) throw new BeckonError('notFound', `no identity ${identityId}`);
    return this.visits({ ...filter, identity: { identityId, verified: record.verified } }, includes, options);
  }

  /** Deletes visits whose last event is older than `visitsBefore` and unreferenced identities unseen since `identitiesBefore`. */
  purge(visitsBefore: number, identitiesBefore: number): Promise<{ visits: number; identities: number }> {
    return this.#store.purge(visitsBefore, identitiesBefore);
  }

  endDate(v: VisitRecord): number {
    if (v.endedAt > 0) return v.endedAt;
    const now = this.#now();
    const expiration = this.#config.engagement.visitExpirationTime * 1000;
    if (now - v.lastEventAt >= this.#config.visit.inactivityTimeout * 1000) return v.lastEventAt;
    if (expiration > 0 && now - v.startDate >= expiration) return v.lastEventAt;
    return 0;
  }

  async #visitResource(v: VisitRecord, includes: Includes): Promise<VisitResource> {
    const resource: VisitResource = {
      visitId: v.visitId,
      globalVisitID: v.globalVisitID,
      userAgentId: v.userAgentId,
      startDate: v.startDate,
      endDate: this.endDate(v),
      pageIds: null,
      pages: null,
      eventIds: null,
      events: null,
      userAgent: v.userAgent,
      languageCode: v.languageCode,
      referrer: v.referrer,
      pageCount: v.pageCount,
    };
    if (includes.pages) {
      const pages = await this.#store.listPages({ visitId: v.visitId }, { limit: EMBED_LIMIT });
      resource.pageIds = pages.items.map((p) => p.pageId);
      if (includes.pages === 'detail')
        resource.pages = await Promise.all(pages.items.map((p) => this.#pageResource(p, {})));
      if (pages.next) resource.pagesTruncated = true;
    }
    if (includes.events) {
      const events = await this.#store.listEvents({ visitId: v.visitId }, { limit: EMBED_LIMIT });
      resource.eventIds = events.items.map((e) => e.eventID);
      if (includes.events === 'detail') resource.events = events.items;
      if (events.next) resource.eventsTruncated = true;
    }
    return resource;
  }

  async #pageResource(
    p: PageResource | Omit<PageResource, 'eventIds' | 'events'>,
    includes: Includes,
  ): Promise<PageResource> {
    const resource: PageResource = {
      pageId: p.pageId,
      visitId: p.visitId,
      url: p.url,
      title: p.title,
      referrer: p.referrer,
      startDate: p.startDate,
      endDate: p.endDate,
      durationMs: p.durationMs,
      category: p.category,
      identityId: p.identityId,
      eventIds: null,
      events: null,
    };
    if (includes.events) {
      const events = await this.#store.listEvents({ pageId: p.pageId }, { limit: EMBED_LIMIT });
      resource.eventIds = events.items.map((e) => e.eventID);
      if (includes.events === 'detail') resource.events = events.items;
      if (events.next) resource.eventsTruncated = true;
    }
    return resource;
  }

  async #identityResource(
    i: IdentityWithScope | (IdentityRecord & { scope: null }),
    includes: Includes,
  ): Promise<IdentityResource> {
    const name = [i.firstName, i.lastName]
      .filter((x): x is string => typeof x === 'string' && x !== '')
      .join(' ');
    const resource: IdentityResource = {
      identityId: i.identityId,
      name: name === '' ? null : name,
      location: i.location,
      entityInCS: null,
      visitScope: i.scope,
      visitIds: null,
      visits: null,
      pageIds: null,
      pages: null,
      eventIds: null,
      events: null,
      verified: i.verified,
      firstName: i.firstName,
      lastName: i.lastName,
      emailAddress: i.emailAddress,
      phoneNumber: i.phoneNumber,
      attributes: i.attributes,
      firstSeen: i.firstSeen,
      lastSeen: i.lastSeen,
    };
    if (!includes.visits && !includes.pages && !includes.events) return resource;
    const visits = await this.#store.listVisits(
      { identity: { identityId: i.identityId, verified: i.verified } },
      { limit: EMBED_LIMIT },
    );
    if (includes.visits) {
      resource.visitIds = visits.items.map((v) => v.visitId);
      if (includes.visits === 'detail')
        resource.visits = await Promise.all(visits.items.map((v) => this.#visitResource(v, {})));
      if (visits.next) resource.visitsTruncated = true;
    }
    // Lists cover all pages and events of the associated visits (spec/compat.md §12.2), oldest visit first.
    const chronological = [...visits.items].reverse();
    if (includes.pages) {
      const pages: PageResource[] = [];
      for (const v of chronological) {
        if (pages.length > EMBED_LIMIT) break;
        const page = await this.#store.listPages(
          { visitId: v.visitId },
          { limit: EMBED_LIMIT + 1 - pages.length },
        );
        for (const p of page.items) pages.push({ ...p, eventIds: null, events: null });
      }
      if (pages.length > EMBED_LIMIT) resource.pagesTruncated = true;
      const kept = pages.slice(0, EMBED_LIMIT);
      resource.pageIds = kept.map((p) => p.pageId);
      if (includes.pages === 'detail') resource.pages = kept;
    }
    if (includes.events) {
      const events: StoredEvent[] = [];
      for (const v of chronological) {
        if (events.length > EMBED_LIMIT) break;
        const page = await this.#store.listEvents(
          { visitId: v.visitId },
          { limit: EMBED_LIMIT + 1 - events.length },
        );
        events.push(...page.items);
      }
      if (events.length > EMBED_LIMIT) resource.eventsTruncated = true;
      const kept = events.slice(0, EMBED_LIMIT);
      resource.eventIds = kept.map((e) => e.eventID);
      if (includes.events === 'detail') resource.events = kept;
    }
    return resource;
  }
}
