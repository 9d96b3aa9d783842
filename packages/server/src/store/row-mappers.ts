/**
 * Rows to records: the column lists the store selects and the functions that turn a driver row (snake_case,
 * engine-typed values) into a record in domain words. Both engines' rows go through the same mappers.
 */
import type { StoredEvent, EventType } from '@beckon/protocol';
import type { PageState } from '@beckon/core';
import type { IdentityRecord, VisitRecord } from './records.js';

export const VISIT_COLUMNS = `visit_id, global_visit_id, user_agent, user_agent_id, language_code, referrer, start_date,
  last_event_at, ended_at, page_count`;
export const PAGE_COLUMNS = `page_id, visit_id, url, title, referrer, start_date, end_date, duration_ms, category, identity_id`;
/** Columns of an event row (`events e JOIN visits v` on {@link EVENTS_JOIN_VISITS}); ids decoded (id-codec.ts). */
export const EVENT_COLUMNS = `e.ord, beckon_text(e.event_id) AS event_id, v.visit_id, beckon_text(e.page_id) AS page_id,
  e.event_type, e.event_name, e.received_at, e.ts, e.url, e.language_code, e.category, e.seq, e.data, v.global_visit_id`;
/** The join of an event to its visit: the events table stores ids as bytes, visits as text. */
export const EVENTS_JOIN_VISITS = 'visits v ON v.visit_id = beckon_text(e.visit_id)';
export const IDENTITY_COLUMNS = `i.identity_id, i.verified, i.first_name, i.last_name, i.email_address, i.phone_number,
  i.location, i.attributes, i.first_seen, i.last_seen`;

export type Row = Record<string, unknown>;
export const n = (v: unknown): number => Number(v);
export const s = (v: unknown): string => String(v);
export const sn = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

export function visitRecord(r: Row): VisitRecord {
  return {
    visitId: s(r.visit_id),
    globalVisitID: s(r.global_visit_id),
    userAgent: s(r.user_agent),
    userAgentId: s(r.user_agent_id),
    languageCode: sn(r.language_code),
    referrer: sn(r.referrer),
    startDate: n(r.start_date),
    lastEventAt: n(r.last_event_at),
    endedAt: n(r.ended_at),
    pageCount: n(r.page_count),
  };
}

export function pageRecord(r: Row): PageState {
  return {
    pageId: s(r.page_id),
    visitId: s(r.visit_id),
    url: s(r.url),
    title: s(r.title),
    referrer: s(r.referrer),
    startDate: n(r.start_date),
    endDate: n(r.end_date),
    durationMs: r.duration_ms === null ? null : n(r.duration_ms),
    category: s(r.category),
    identityId: sn(r.identity_id),
  };
}

export function eventRecord(r: Row): StoredEvent {
  return {
    eventID: s(r.event_id),
    eventType: s(r.event_type) as EventType,
    eventName: s(r.event_name),
    pageID: s(r.page_id),
    visitID: s(r.visit_id),
    globalVisitID: s(r.global_visit_id),
    timestamp: n(r.ts),
    receivedAt: n(r.received_at),
    url: s(r.url),
    languageCode: sn(r.language_code),
    category: s(r.category),
    data: JSON.parse(s(r.data)) as Record<string, unknown>,
    seq: r.seq === null ? null : n(r.seq),
  };
}

export function identityRecord(r: Row): IdentityRecord {
  return {
    identityId: s(r.identity_id),
    verified: n(r.verified) === 1,
    firstName: sn(r.first_name),
    lastName: sn(r.last_name),
    emailAddress: sn(r.email_address),
    phoneNumber: sn(r.phone_number),
    location: sn(r.location),
    attributes: JSON.parse(s(r.attributes)) as Record<string, unknown>,
    firstSeen: n(r.first_seen),
    lastSeen: n(r.last_seen),
  };
}
