/**
 * Records the store returns: rows in domain words. Services turn them into History API resources.
 */
import type { Association, StoredEvent } from '@beckon/protocol';
import type { PageState, VisitState } from '@beckon/core';

/** A visit row: the sessionizer's visit without its in-memory maps, plus the stored page count. */
export type VisitRecord = Omit<VisitState, 'pages' | 'current' | 'associations'> & { pageCount: number };

export type PageRecord = PageState;
export type EventRecord = StoredEvent;

export interface IdentityRecord {
  identityId: string;
  verified: boolean;
  firstName: string | null;
  lastName: string | null;
  emailAddress: string | null;
  phoneNumber: string | null;
  location: string | null;
  attributes: Record<string, unknown>;
  firstSeen: number;
  lastSeen: number;
}

export interface AssociationRecord {
  visitId: string;
  identityId: string;
  verified: boolean;
  scope: Association;
  associatedAt: number;
}

export type ApiKeyRole = 'read' | 'full';

export interface ApiKeyRecord {
  keyId: string;
  name: string;
  role: ApiKeyRole;
  createdAt: number;
  revokedAt: number | null;
}

/** One page of a list, with the opaque cursor of the next page (null on the last page). */
export interface ListPage<T> {
  items: T[];
  next: string | null;
}

export interface ListOptions {
  limit: number;
  cursor?: string | undefined;
}
