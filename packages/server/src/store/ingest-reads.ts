/**
 * The look-ups ingest makes before sessionizing, in bulk: which eventIDs are already stored, which visit owns
 * each pageID, and the sessionizer's state of a visit that is not cached in memory, rebuilt from its rows.
 */
import type { Association } from '@beckon/protocol';
import type { AssociationState, VisitState } from '@beckon/core';
import { identityKey } from '@beckon/core';
import { n, PAGE_COLUMNS, pageRecord, s, VISIT_COLUMNS, visitRecord } from './row-mappers.js';
import type { Row } from './row-mappers.js';
import { idBytes, idText } from './id-codec.js';
import type { SqlDriver } from './sql-driver.js';

export async function existingEventIds(driver: SqlDriver, eventIds: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < eventIds.length; i += 500) {
    const chunk = eventIds.slice(i, i + 500);
    const rows = await driver.all<Row>(
      `SELECT event_id FROM events WHERE event_id IN (${chunk.map(() => '?').join(',')})`,
      chunk.map(idBytes), // encoded here, not by `beckon_id` in SQL: one call less per event (id-codec.ts)
    );
    for (const r of rows) found.add(idText(r.event_id as Uint8Array));
  }
  return found;
}

export async function pageOwners(
  driver: SqlDriver,
  pageIds: readonly string[],
): Promise<Map<string, string>> {
  const owners = new Map<string, string>();
  for (let i = 0; i < pageIds.length; i += 500) {
    const chunk = pageIds.slice(i, i + 500);
    const rows = await driver.all<Row>(
      `SELECT page_id, visit_id FROM pages WHERE page_id IN (${chunk.map(() => '?').join(',')})`,
      chunk,
    );
    for (const r of rows) owners.set(s(r.page_id), s(r.visit_id));
  }
  return owners;
}

export async function loadVisitState(driver: SqlDriver, visitId: string): Promise<VisitState | null> {
  const [row] = await driver.all<Row>(
    `SELECT ${VISIT_COLUMNS}, current_identity, current_verified, current_scope FROM visits WHERE visit_id = ?`,
    [visitId],
  );
  if (!row) return null;
  const visit = visitRecord(row);
  const pages = await driver.all<Row>(`SELECT ${PAGE_COLUMNS} FROM pages WHERE visit_id = ?`, [visitId]);
  const links = await driver.all<Row>(
    'SELECT identity_id, verified, scope, associated_at FROM visit_identities WHERE visit_id = ?',
    [visitId],
  );
  const associations = new Map<string, AssociationState>();
  for (const l of links) {
    const a: AssociationState = {
      identityId: s(l.identity_id),
      verified: n(l.verified) === 1,
      scope: s(l.scope) as Association,
      associatedAt: n(l.associated_at),
    };
    associations.set(identityKey(a), a);
  }
  const current =
    row.current_identity === null
      ? null
      : (associations.get(
          identityKey({ identityId: s(row.current_identity), verified: n(row.current_verified) === 1 }),
        ) ?? null);
  return {
    ...visit,
    pages: new Map(pages.map((p) => [s(p.page_id), pageRecord(p)])),
    current,
    associations,
  };
}
