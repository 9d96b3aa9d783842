/**
 * The History API's queries: visits, pages, events and identities by id and as cursor-paged lists, the latest
 * association of an identity, a visit's stored rule hits, and the one History write (creating a visit). Sort
 * orders are documented on the `SqlStore` methods that call these.
 */
import type { Association, StoredEvent } from '@beckon/protocol';
import type { PageState } from '@beckon/core';
import { decodeCursor } from './cursor.js';
import { containsClause, toListPage, Where } from './list-query.js';
import type {
  EventFilter,
  IdentityFilter,
  IdentityWithScope,
  PageFilter,
  VisitFilter,
} from './query-filters.js';
import type { AssociationRecord, IdentityRecord, ListOptions, ListPage, VisitRecord } from './records.js';
import {
  EVENT_COLUMNS,
  eventRecord,
  EVENTS_JOIN_VISITS,
  IDENTITY_COLUMNS,
  identityRecord,
  n,
  PAGE_COLUMNS,
  pageRecord,
  s,
  sn,
  VISIT_COLUMNS,
  visitRecord,
} from './row-mappers.js';
import type { Row } from './row-mappers.js';
import type { SqlDriver, SqlParam } from './sql-driver.js';

// ---- visits -----------------------------------------------------------------------------------------------

export async function createVisit(driver: SqlDriver, visit: VisitRecord): Promise<boolean> {
  const changed = await driver.transaction((tx) =>
    tx.run(
      `INSERT INTO visits (${VISIT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (visit_id) DO NOTHING`,
      [
        visit.visitId,
        visit.globalVisitID,
        visit.userAgent,
        visit.userAgentId,
        visit.languageCode,
        visit.referrer,
        visit.startDate,
        visit.lastEventAt,
        visit.endedAt,
        visit.pageCount,
      ],
    ),
  );
  return changed > 0;
}

export async function getVisit(driver: SqlDriver, visitId: string): Promise<VisitRecord | null> {
  const [row] = await driver.all<Row>(`SELECT ${VISIT_COLUMNS} FROM visits WHERE visit_id = ?`, [visitId]);
  return row ? visitRecord(row) : null;
}

export async function listVisits(
  driver: SqlDriver,
  filter: VisitFilter,
  options: ListOptions,
): Promise<ListPage<VisitRecord>> {
  const where = new Where();
  if (filter.globalVisitID !== undefined) where.add('v.global_visit_id = ?', filter.globalVisitID);
  if (filter.userAgent !== undefined) where.add('v.user_agent = ?', filter.userAgent);
  if (filter.startSince !== undefined) where.add('v.start_date >= ?', filter.startSince);
  if (filter.identity) {
    where.add(
      'v.visit_id IN (SELECT visit_id FROM visit_identities WHERE identity_id = ? AND verified = ?)',
      filter.identity.identityId,
      filter.identity.verified ? 1 : 0,
    );
  }
  if (options.cursor) {
    const [start, id] = decodeCursor(options.cursor, ['number', 'string']);
    where.add('(v.start_date < ? OR (v.start_date = ? AND v.visit_id < ?))', n(start), n(start), s(id));
  }
  const rows = await driver.all<Row>(
    `SELECT ${VISIT_COLUMNS.replace(/(\w+)/g, 'v.$1')} FROM visits v ${where} ORDER BY v.start_date DESC, v.visit_id DESC LIMIT ?`,
    [...where.params, options.limit + 1],
  );
  return toListPage(rows.map(visitRecord), options.limit, (v) => [v.startDate, v.visitId]);
}

// ---- pages ------------------------------------------------------------------------------------------------

export async function getPage(driver: SqlDriver, pageId: string): Promise<PageState | null> {
  const [row] = await driver.all<Row>(`SELECT ${PAGE_COLUMNS} FROM pages WHERE page_id = ?`, [pageId]);
  return row ? pageRecord(row) : null;
}

export async function listPages(
  driver: SqlDriver,
  filter: PageFilter,
  options: ListOptions,
): Promise<ListPage<PageState>> {
  const where = new Where().add('visit_id = ?', filter.visitId);
  if (filter.startSince !== undefined) where.add('start_date >= ?', filter.startSince);
  if (options.cursor) {
    const [start, id] = decodeCursor(options.cursor, ['number', 'string']);
    where.add('(start_date > ? OR (start_date = ? AND page_id > ?))', n(start), n(start), s(id));
  }
  const rows = await driver.all<Row>(
    `SELECT ${PAGE_COLUMNS} FROM pages ${where} ORDER BY start_date, page_id LIMIT ?`,
    [...where.params, options.limit + 1],
  );
  return toListPage(rows.map(pageRecord), options.limit, (p) => [p.startDate, p.pageId]);
}

// ---- events -----------------------------------------------------------------------------------------------

export async function listEvents(
  driver: SqlDriver,
  filter: EventFilter,
  options: ListOptions,
): Promise<ListPage<StoredEvent>> {
  const where = new Where();
  if (filter.visitId !== undefined) where.add('e.visit_id = beckon_id(?)', filter.visitId);
  if (filter.pageId !== undefined) {
    // No index on events.page_id (it cost 50 bytes per event): a page's events are found through its visit.
    where.add('e.visit_id = (SELECT beckon_id(p.visit_id) FROM pages p WHERE p.page_id = ?)', filter.pageId);
    where.add('e.page_id = beckon_id(?)', filter.pageId);
  }
  if (filter.receivedSince !== undefined) where.add('e.received_at >= ?', filter.receivedSince);
  if (filter.eventName !== undefined) where.add('e.event_name = ?', filter.eventName);
  if (filter.eventType !== undefined) where.add('e.event_type = ?', filter.eventType);
  if (filter.category === 'all categories') where.add("e.category <> ''");
  else if (filter.category !== undefined)
    where.add(containsClause(driver.dialect, "(';' || e.category || ';')"), `;${filter.category};`);
  if (filter.url !== undefined) where.add(containsClause(driver.dialect, 'e.url'), filter.url);
  let ords: number[] = [];
  if (options.cursor) where.add('e.ord > ?', n(decodeCursor(options.cursor, ['number'])[0]));
  const rows = await driver.all<Row>(
    `SELECT ${EVENT_COLUMNS} FROM events e JOIN ${EVENTS_JOIN_VISITS} ${where} ORDER BY e.ord LIMIT ?`,
    [...where.params, options.limit + 1],
  );
  ords = rows.map((r) => n(r.ord));
  const page = toListPage(rows.map(eventRecord), options.limit, (_e, i) => [ords[i]!]);
  return page;
}

export async function getEvent(driver: SqlDriver, eventId: string): Promise<StoredEvent | null> {
  const [row] = await driver.all<Row>(
    `SELECT ${EVENT_COLUMNS} FROM events e JOIN ${EVENTS_JOIN_VISITS} WHERE e.event_id = beckon_id(?)`,
    [eventId],
  );
  return row ? eventRecord(row) : null;
}

// ---- identities -------------------------------------------------------------------------------------------

export async function getIdentity(
  driver: SqlDriver,
  identityId: string,
  verified?: boolean,
): Promise<IdentityRecord | null> {
  const where = new Where().add('i.identity_id = ?', identityId);
  if (verified !== undefined) where.add('i.verified = ?', verified ? 1 : 0);
  const [row] = await driver.all<Row>(
    `SELECT ${IDENTITY_COLUMNS} FROM identities i ${where} ORDER BY i.verified DESC LIMIT 1`,
    where.params,
  );
  return row ? identityRecord(row) : null;
}

export async function listIdentities(
  driver: SqlDriver,
  filter: IdentityFilter,
  options: ListOptions,
): Promise<ListPage<IdentityWithScope>> {
  const where = new Where();
  if (filter.location !== undefined) where.add('i.location = ?', filter.location);
  if (filter.verified !== undefined) where.add('i.verified = ?', filter.verified ? 1 : 0);
  if (filter.userAgent !== undefined) {
    where.add(
      `EXISTS (SELECT 1 FROM visit_identities x JOIN visits v ON v.visit_id = x.visit_id
          WHERE x.identity_id = i.identity_id AND x.verified = i.verified AND v.user_agent = ?)`,
      filter.userAgent,
    );
  }
  let scopeSql = `(SELECT x.scope FROM visit_identities x WHERE x.identity_id = i.identity_id AND x.verified = i.verified
      ORDER BY x.associated_at DESC LIMIT 1)`;
  const scopeParams: SqlParam[] = [];
  if (filter.visitId !== undefined) {
    scopeSql = `(SELECT x.scope FROM visit_identities x WHERE x.identity_id = i.identity_id AND x.verified = i.verified
        AND x.visit_id = ?)`;
    scopeParams.push(filter.visitId);
    const clause = filter.association ? ' AND x.scope = ?' : '';
    where.add(
      `EXISTS (SELECT 1 FROM visit_identities x WHERE x.identity_id = i.identity_id AND x.verified = i.verified
          AND x.visit_id = ?${clause})`,
      filter.visitId,
      ...(filter.association ? [filter.association] : []),
    );
  }
  if (options.cursor) {
    const [id, verified] = decodeCursor(options.cursor, ['string', 'number']);
    where.add('(i.identity_id > ? OR (i.identity_id = ? AND i.verified > ?))', s(id), s(id), n(verified));
  }
  const rows = await driver.all<Row>(
    `SELECT ${IDENTITY_COLUMNS}, ${scopeSql} AS scope FROM identities i ${where}
       ORDER BY i.identity_id, i.verified LIMIT ?`,
    [...scopeParams, ...where.params, options.limit + 1],
  );
  const items = rows.map((r) => ({ ...identityRecord(r), scope: sn(r.scope) as Association | null }));
  return toListPage(items, options.limit, (i) => [i.identityId, i.verified ? 1 : 0]);
}

export async function latestAssociation(
  driver: SqlDriver,
  identityId: string,
  verified: boolean,
): Promise<AssociationRecord | null> {
  const [row] = await driver.all<Row>(
    `SELECT visit_id, identity_id, verified, scope, associated_at FROM visit_identities
       WHERE identity_id = ? AND verified = ? ORDER BY associated_at DESC LIMIT 1`,
    [identityId, verified ? 1 : 0],
  );
  return row
    ? {
        visitId: s(row.visit_id),
        identityId: s(row.identity_id),
        verified: n(row.verified) === 1,
        scope: s(row.scope) as Association,
        associatedAt: n(row.associated_at),
      }
    : null;
}

// ---- actionable events ------------------------------------------------------------------------------------

export async function listActionable(driver: SqlDriver, visitId: string): Promise<unknown[]> {
  const rows = await driver.all<Row>(
    'SELECT body FROM actionable_events WHERE visit_id = ? ORDER BY created_at, actionable_id',
    [visitId],
  );
  return rows.map((r) => JSON.parse(s(r.body)) as unknown);
}
