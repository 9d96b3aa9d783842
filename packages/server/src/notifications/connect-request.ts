/**
 * What a browser asks for when it opens its push connection (spec/compat.md §13): `visitID`, `pageID` and
 * optionally `lastSeq` (or, for SSE, the `Last-Event-ID` header). The same parsing and the same ownership check
 * serve the WebSocket and the SSE transport: a page may only listen to its own visit, which the server knows
 * from the stored events (the pageID belongs to the visit of its first event).
 */
import type { SqlStore } from '../store/sql-store.js';

const ID = /^[A-Za-z0-9_-]{8,64}$/;

/** A well-formed push connection request. */
export interface ConnectRequest {
  visitId: string;
  pageId: string;
  lastSeq: number | undefined;
}

function seqOf(value: string | null | undefined): number | undefined | null {
  if (value === null || value === undefined || value === '') return undefined;
  return /^\d{1,15}$/.test(value) ? Number(value) : null;
}

/**
 * Parses the query (`ID` or `Id` spellings) and the optional `Last-Event-ID`; the header wins over `lastSeq`
 * because the browser's EventSource updates it on its own reconnections. Returns null when malformed.
 */
export function parseConnectRequest(
  query: URLSearchParams,
  lastEventId?: string | string[],
): ConnectRequest | null {
  const visitId = query.get('visitID') ?? query.get('visitId') ?? '';
  const pageId = query.get('pageID') ?? query.get('pageId') ?? '';
  if (!ID.test(visitId) || !ID.test(pageId)) return null;
  const header = Array.isArray(lastEventId) ? lastEventId[0] : lastEventId;
  const fromHeader = seqOf(header);
  const fromQuery = seqOf(query.get('lastSeq'));
  if (fromHeader === null || fromQuery === null) return null;
  return { visitId, pageId, lastSeq: fromHeader ?? fromQuery };
}

/** True when an event with this pageID is stored and the page belongs to this visit. */
export async function pageBelongsToVisit(
  store: Pick<SqlStore, 'pageOwners'>,
  request: ConnectRequest,
): Promise<boolean> {
  const owners = await store.pageOwners([request.pageId]);
  return owners.get(request.pageId) === request.visitId;
}
