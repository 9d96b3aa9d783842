/**
 * History REST API resources (spec/compat.md §12.2).
 */
import type { StoredEvent } from './events.js';

export const visitScopes = ['Anonymous', 'Authenticated', 'Recognized'] as const;
export type VisitScope = (typeof visitScopes)[number];
export type Association = 'Authenticated' | 'Recognized';

export interface VisitResource {
  visitId: string;
  globalVisitID: string;
  userAgentId: string;
  startDate: number;
  endDate: number;
  pageIds: string[] | null;
  pages: PageResource[] | null;
  eventIds: string[] | null;
  events: StoredEvent[] | null;
  userAgent: string;
  languageCode: string | null;
  referrer: string | null;
  pageCount: number;
  pagesTruncated?: boolean;
  eventsTruncated?: boolean;
}

export interface PageResource {
  pageId: string;
  visitId: string;
  url: string;
  title: string;
  referrer: string;
  startDate: number;
  endDate: number;
  durationMs: number | null;
  category: string;
  identityId: string | null;
  eventIds: string[] | null;
  events: StoredEvent[] | null;
  eventsTruncated?: boolean;
}

export interface IdentityResource {
  identityId: string;
  name: string | null;
  location: string | null;
  entityInCS: null;
  visitScope: Association | null;
  visitIds: string[] | null;
  visits: VisitResource[] | null;
  pageIds: string[] | null;
  pages: PageResource[] | null;
  eventIds: string[] | null;
  events: StoredEvent[] | null;
  verified: boolean;
  firstName: string | null;
  lastName: string | null;
  emailAddress: string | null;
  phoneNumber: string | null;
  attributes: Record<string, unknown>;
  firstSeen: number;
  lastSeen: number;
  visitsTruncated?: boolean;
  pagesTruncated?: boolean;
  eventsTruncated?: boolean;
}

/** A category (§11). */
export interface CategoryTag {
  expression: string;
  regex: boolean;
  caseSensitive: boolean;
  fields: string[];
}

export interface Category {
  name: string;
  description: string;
  tags: CategoryTag[];
}
