/**
 * The browser wire format of events (spec/compat.md §7, §8) and the shapes the server stores.
 */

export const eventTypes = ['SYSTEM', 'BUSINESS'] as const;
export type EventType = (typeof eventTypes)[number];

export const systemEventNames = [
  'VisitStarted',
  'PageEntered',
  'PageExited',
  'SignIn',
  'SignOut',
  'UserInfo',
] as const;
export type SystemEventName = (typeof systemEventNames)[number];

/** Identity events: also sent as BUSINESS by the 8.5 `event` command form, handled as SYSTEM (§2, §14). */
export const identityEventNames = ['SignIn', 'SignOut', 'UserInfo'] as const;

/** One event as the tracker sends it (§7). */
export interface WireEvent {
  eventType: EventType;
  eventName: string;
  eventID: string;
  pageID: string;
  visitID: string;
  globalVisitID: string;
  timestamp: number;
  url: string;
  languageCode?: string;
  category?: string;
  data?: Record<string, unknown>;
  seq?: number;
}

/** An event as stored and returned by the History API: wire fields plus server `receivedAt` and `category`. */
export interface StoredEvent {
  eventID: string;
  eventType: EventType;
  eventName: string;
  pageID: string;
  visitID: string;
  globalVisitID: string;
  timestamp: number;
  receivedAt: number;
  url: string;
  languageCode: string | null;
  category: string;
  data: Record<string, unknown>;
  seq: number | null;
}

/** Per-event rejection in a 202 ingest answer (§10). */
export interface EventRejection {
  index: number;
  code: string;
  message: string;
}

/** Body of a 202 ingest answer (§10). */
export interface IngestResult {
  accepted: number;
  duplicates: number;
  rejected: EventRejection[];
}

/** Generated ids: 32 uppercase hex chars. Accepted inputs: `^[A-Za-z0-9_-]{8,64}$` (§0). */
export const ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
export const GENERATED_ID_PATTERN = /^[0-9A-F]{32}$/;
