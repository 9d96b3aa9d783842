/**
 * The in-memory model of one visit that the sessionizer updates: the visit itself, its pages and its identity
 * associations. The server keeps these for active visits and rebuilds them from the store on a cache miss.
 */
import type { Association } from '@beckon/protocol';

export interface PageState {
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
}

/** Identity records are keyed by id and verification: verified and unverified records never merge (§14). */
export interface IdentityKey {
  identityId: string;
  verified: boolean;
}

export interface AssociationState extends IdentityKey {
  scope: Association;
  associatedAt: number;
}

export interface VisitState {
  visitId: string;
  globalVisitID: string;
  userAgent: string;
  userAgentId: string;
  languageCode: string | null;
  referrer: string | null;
  startDate: number;
  lastEventAt: number;
  /** 0 while the visit has not been ended by `visitExpirationTime`. */
  endedAt: number;
  pages: Map<string, PageState>;
  /** The identity the visit is currently Authenticated or Recognized as; null = Anonymous. */
  current: AssociationState | null;
  associations: Map<string, AssociationState>;
}

export const identityKey = (key: IdentityKey): string => `${key.verified ? 'v' : 'u'}:${key.identityId}`;
