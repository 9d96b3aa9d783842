/**
 * The filters of the store's list queries, in domain words: what the History API's query parameters narrow a
 * list of visits, pages, events or identities to.
 */
import type { Association, EventType } from '@beckon/protocol';
import type { IdentityRecord } from './records.js';

export interface VisitFilter {
  globalVisitID?: string | undefined;
  userAgent?: string | undefined;
  startSince?: number | undefined;
  /** Only visits associated with this identity. */
  identity?: { identityId: string; verified: boolean } | undefined;
}

export interface EventFilter {
  visitId?: string | undefined;
  pageId?: string | undefined;
  receivedSince?: number | undefined;
  eventName?: string | undefined;
  eventType?: EventType | undefined;
  /** A category name, or `all categories` = at least one. */
  category?: string | undefined;
  url?: string | undefined;
}

export interface PageFilter {
  visitId: string;
  startSince?: number | undefined;
}

export interface IdentityFilter {
  location?: string | undefined;
  userAgent?: string | undefined;
  verified?: boolean | undefined;
  /** Only identities associated with this visit, optionally with this association scope. */
  visitId?: string | undefined;
  association?: Association | undefined;
}

export type IdentityWithScope = IdentityRecord & { scope: Association | null };
