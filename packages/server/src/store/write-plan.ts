/**
 * What one group commit writes, as plain rows: built on the main thread from the sessionizer's writes (so later
 * changes to the live visit objects cannot leak in), then applied in one transaction by whichever connection
 * commits — the driver's own, or the SQLite writer thread. Everything here survives structured cloning.
 */
import type { EventWrites, IdentityWrite } from '@beckon/core';
import { identityKey } from '@beckon/core';
import { idBytes } from './id-codec.js';
import type { SqlDriver, SqlExecutor, SqlParam } from './sql-driver.js';

export interface WritePlan {
  events: SqlParam[][];
  pages: SqlParam[][];
  visits: SqlParam[][];
  /** Updates of one identity record each, oldest first; merged with the stored record inside the transaction. */
  identities: IdentityWrite[][];
  associations: SqlParam[][];
}

const INSERT_EVENT = `INSERT INTO events (event_id, visit_id, page_id, event_type, event_name, received_at, ts, url,
  language_code, category, seq, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING`;
const UPSERT_PAGE = `INSERT INTO pages (page_id, visit_id, url, title, referrer, start_date, end_date, duration_ms, category,
  identity_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (page_id) DO UPDATE SET url = excluded.url,
  title = excluded.title, referrer = excluded.referrer, end_date = excluded.end_date, duration_ms = excluded.duration_ms,
  category = excluded.category`;
const UPSERT_VISIT = `INSERT INTO visits (visit_id, global_visit_id, user_agent, user_agent_id, language_code, referrer,
  start_date, last_event_at, ended_at, page_count, current_identity, current_verified, current_scope)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (visit_id) DO UPDATE SET user_agent = excluded.user_agent,
  user_agent_id = excluded.user_agent_id, language_code = excluded.language_code, referrer = excluded.referrer,
  last_event_at = excluded.last_event_at, ended_at = excluded.ended_at, page_count = excluded.page_count,
  current_identity = excluded.current_identity, current_verified = excluded.current_verified,
  current_scope = excluded.current_scope`;
const UPSERT_ASSOCIATION = `INSERT INTO visit_identities (visit_id, identity_id, verified, scope, associated_at)
  VALUES (?, ?, ?, ?, ?) ON CONFLICT (visit_id, identity_id, verified) DO UPDATE SET scope = excluded.scope`;
const UPSERT_IDENTITY = `INSERT INTO identities (identity_id, verified, first_name, last_name, email_address, phone_number,
  location, attributes, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (identity_id, verified) DO UPDATE SET first_name = excluded.first_name, last_name = excluded.last_name,
  email_address = excluded.email_address, phone_number = excluded.phone_number, location = excluded.location,
  attributes = excluded.attributes, last_seen = excluded.last_seen`;

/** Flattens sessionizer writes into rows; the last state of each page and visit wins. */
export function planWrites(writes: readonly EventWrites[]): WritePlan {
  const pages = new Map<string, EventWrites['page']>();
  const visits = new Map<string, EventWrites['visit']>();
  const identities = new Map<string, IdentityWrite[]>();
  const associations = new Map<string, EventWrites['associations'][number]>();
  const events: SqlParam[][] = [];
  for (const w of writes) {
    const e = w.event;
    events.push([
      e.eventID,
      e.visitID,
      e.pageID,
      e.eventType,
      e.eventName,
      e.receivedAt,
      e.timestamp,
      e.url,
      e.languageCode,
      e.category,
      e.seq,
      JSON.stringify(e.data),
    ]);
    pages.set(w.page.pageId, w.page);
    visits.set(w.visit.visitId, w.visit);
    for (const i of w.identities) {
      const key = identityKey(i);
      const list = identities.get(key);
      if (list) list.push(i);
      else identities.set(key, [i]);
    }
    for (const a of w.associations) associations.set(`${a.visitId}|${identityKey(a)}`, a);
  }
  return {
    events,
    pages: [...pages.values()].map((p) => [
      p.pageId,
      p.visitId,
      p.url,
      p.title,
      p.referrer,
      p.startDate,
      p.endDate,
      p.durationMs,
      p.category,
      p.identityId,
    ]),
    visits: [...visits.values()].map((v) => [
      v.visitId,
      v.globalVisitID,
      v.userAgent,
      v.userAgentId,
      v.languageCode,
      v.referrer,
      v.startDate,
      v.lastEventAt,
      v.endedAt,
      v.pages.size,
      v.current?.identityId ?? null,
      v.current ? (v.current.verified ? 1 : 0) : null,
      v.current?.scope ?? null,
    ]),
    identities: [...identities.values()],
    associations: [...associations.values()].map((a) => [
      a.visitId,
      a.identityId,
      a.verified ? 1 : 0,
      a.scope,
      a.associatedAt,
    ]),
  };
}

/** Writes a plan inside an open transaction. */
export async function applyPlan(
  tx: SqlExecutor,
  plan: WritePlan,
  dialect: SqlDriver['dialect'],
): Promise<void> {
  // ids as bytes (id-codec.ts), encoded here rather than by `beckon_id` in SQL: a SQLite function call per value
  // costs about 1 µs, three per event
  for (const row of plan.events)
    await tx.run(INSERT_EVENT, [
      idBytes(row[0] as string),
      idBytes(row[1] as string),
      idBytes(row[2] as string),
      ...row.slice(3),
    ]);
  for (const row of plan.pages) await tx.run(UPSERT_PAGE, row);
  for (const row of plan.visits) await tx.run(UPSERT_VISIT, row);
  for (const list of plan.identities) await mergeIdentity(tx, list, dialect);
  for (const row of plan.associations) await tx.run(UPSERT_ASSOCIATION, row);
}

/** Number of events in a plan. */
export const planSize = (plan: WritePlan): number => plan.events.length;

interface IdentityRow {
  first_name: string | null;
  last_name: string | null;
  email_address: string | null;
  phone_number: string | null;
  location: string | null;
  attributes: string;
  first_seen: number;
}

/** The latest event wins key by key (spec/compat.md §14): read the record, merge, write it back. */
async function mergeIdentity(
  tx: SqlExecutor,
  updates: IdentityWrite[],
  dialect: SqlDriver['dialect'],
): Promise<void> {
  const first = updates[0]!;
  const lock = dialect === 'postgres' ? ' FOR UPDATE' : '';
  const [row] = await tx.all<IdentityRow>(
    `SELECT first_name, last_name, email_address, phone_number, location, attributes, first_seen FROM identities
     WHERE identity_id = ? AND verified = ?${lock}`,
    [first.identityId, first.verified ? 1 : 0],
  );
  const merged = {
    firstName: row?.first_name ?? null,
    lastName: row?.last_name ?? null,
    emailAddress: row?.email_address ?? null,
    phoneNumber: row?.phone_number ?? null,
    location: row?.location ?? null,
    attributes: row ? (JSON.parse(row.attributes) as Record<string, unknown>) : {},
    firstSeen: row?.first_seen ?? first.seenAt,
    lastSeen: first.seenAt,
  };
  for (const u of updates) {
    if (u.firstName !== undefined) merged.firstName = u.firstName;
    if (u.lastName !== undefined) merged.lastName = u.lastName;
    if (u.emailAddress !== undefined) merged.emailAddress = u.emailAddress;
    if (u.phoneNumber !== undefined) merged.phoneNumber = u.phoneNumber;
    if (u.location !== undefined) merged.location = u.location;
    Object.assign(merged.attributes, u.attributes);
    merged.lastSeen = Math.max(merged.lastSeen, u.seenAt);
  }
  await tx.run(UPSERT_IDENTITY, [
    first.identityId,
    first.verified ? 1 : 0,
    merged.firstName,
    merged.lastName,
    merged.emailAddress,
    merged.phoneNumber,
    merged.location,
    JSON.stringify(merged.attributes),
    merged.firstSeen,
    merged.lastSeen,
  ]);
}
