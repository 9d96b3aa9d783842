/**
 * The Store: every query Beckon makes, written once in portable SQL over the `SqlDriver` port. The SQLite and
 * PostgreSQL adapters differ only in their driver. The contract suite (store.contract.ts) runs against both.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Association, Category, StoredEvent, EventType } from '@beckon/protocol';
import type { AssociationState, EventWrites, PageState, VisitState } from '@beckon/core';
import { identityKey } from '@beckon/core';
import { decodeCursor, encodeCursor } from './cursor.js';
import { IngestWriter } from './ingest-writer.js';
import type { CommitPlan } from './ingest-writer.js';
import type { StatementBatch } from './sqlite-writer-thread.js';
import { migrate } from './migrations.js';
import type { SqlDriver, SqlParam } from './sql-driver.js';
import type {
  ApiKeyRecord,
  ApiKeyRole,
  AssociationRecord,
  IdentityRecord,
  ListOptions,
  ListPage,
  VisitRecord,
} from './records.js';

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

const VISIT_COLUMNS = `visit_id, global_visit_id, user_agent, user_agent_id, language_code, referrer, start_date,
  last_event_at, ended_at, page_count`;
const PAGE_COLUMNS = `page_id, visit_id, url, title, referrer, start_date, end_date, duration_ms, category, identity_id`;
const EVENT_COLUMNS = `e.ord, e.event_id, e.visit_id, e.page_id, e.event_type, e.event_name, e.received_at, e.ts, e.url,
  e.language_code, e.category, e.seq, e.data, v.global_visit_id`;
const IDENTITY_COLUMNS = `i.identity_id, i.verified, i.first_name, i.last_name, i.email_address, i.phone_number,
  i.location, i.attributes, i.first_seen, i.last_seen`;

type Row = Record<string, unknown>;
const n = (v: unknown): number => Number(v);
const s = (v: unknown): string => String(v);
const sn = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

function visitRecord(r: Row): VisitRecord {
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

function pageRecord(r: Row): PageState {
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

function eventRecord(r: Row): StoredEvent {
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

function identityRecord(r: Row): IdentityRecord {
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

/** Builds `WHERE a AND b ...` from optional clauses. */
class Where {
  readonly clauses: string[] = [];
  readonly params: SqlParam[] = [];
  add(clause: string, ...params: SqlParam[]): this {
    this.clauses.push(clause);
    this.params.push(...params);
    return this;
  }
  toString(): string {
    return this.clauses.length ? `WHERE ${this.clauses.join(' AND ')}` : '';
  }
}

export const hashApiKey = (key: string): string => createHash('sha256').update(key).digest('hex');

export class SqlStore {
  readonly driver: SqlDriver;
  readonly writer: IngestWriter;
  readonly #contains: (column: string) => string;
  readonly #closeCommitter: (() => Promise<void>) | undefined;
  /**
   * Commits write-only statements in one durable transaction, on the SQLite writer thread when there is one (so
   * the fsync stays off the event loop). For hot write paths such as rule state.
   */
  readonly commitStatements: (statements: StatementBatch) => Promise<void>;

  constructor(
    driver: SqlDriver,
    options: {
      maxEventsPerCommit?: number;
      onCommit?: (events: number, seconds: number) => void;
      /** Where ingest commits run (default: the driver's own transactions). */
      commitPlan?: CommitPlan;
      /** Where statement batches commit (default: the driver's own transactions). */
      commitStatements?: (statements: StatementBatch) => Promise<void>;
      /** Releases what `commitPlan` holds (the SQLite writer thread). */
      closeCommitter?: () => Promise<void>;
    } = {},
  ) {
    this.driver = driver;
    this.#closeCommitter = options.closeCommitter;
    this.commitStatements =
      options.commitStatements ??
      ((statements) =>
        driver.transaction(async (tx) => {
          for (const [sql, params] of statements) await tx.run(sql, params);
        }));
    const writerOptions: ConstructorParameters<typeof IngestWriter>[0] = { driver };
    if (options.commitPlan !== undefined) writerOptions.commitPlan = options.commitPlan;
    if (options.maxEventsPerCommit !== undefined) writerOptions.maxEvents = options.maxEventsPerCommit;
    if (options.onCommit !== undefined) writerOptions.onCommit = options.onCommit;
    this.writer = new IngestWriter(writerOptions);
    // Case-sensitive substring test; SQLite's LIKE ignores ASCII case, so neither engine uses LIKE.
    this.#contains = driver.dialect === 'sqlite' ? (c) => `instr(${c}, ?) > 0` : (c) => `strpos(${c}, ?) > 0`;
  }

  migrate(): Promise<number> {
    return migrate(this.driver);
  }

  async ping(): Promise<void> {
    await this.driver.all('SELECT 1');
  }

  async close(): Promise<void> {
    await this.writer.drain();
    await this.#closeCommitter?.();
    await this.driver.close();
  }

  // ---- ingest ---------------------------------------------------------------------------------------------

  /** Commits accepted events durably (group commit). */
  commit(writes: EventWrites[]): Promise<void> {
    return this.writer.commit(writes);
  }

  async existingEventIds(eventIds: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (let i = 0; i < eventIds.length; i += 500) {
      const chunk = eventIds.slice(i, i + 500);
      const rows = await this.driver.all<Row>(
        `SELECT event_id FROM events WHERE event_id IN (${chunk.map(() => '?').join(',')})`,
        chunk,
      );
      for (const r of rows) found.add(s(r.event_id));
    }
    return found;
  }

  async pageOwners(pageIds: readonly string[]): Promise<Map<string, string>> {
    const owners = new Map<string, string>();
    for (let i = 0; i < pageIds.length; i += 500) {
      const chunk = pageIds.slice(i, i + 500);
      const rows = await this.driver.all<Row>(
        `SELECT page_id, visit_id FROM pages WHERE page_id IN (${chunk.map(() => '?').join(',')})`,
        chunk,
      );
      for (const r of rows) owners.set(s(r.page_id), s(r.visit_id));
    }
    return owners;
  }

  /** Rebuilds the sessionizer's state of a visit from its rows. */
  async loadVisitState(visitId: string): Promise<VisitState | null> {
    const [row] = await this.driver.all<Row>(
      `SELECT ${VISIT_COLUMNS}, current_identity, current_verified, current_scope FROM visits WHERE visit_id = ?`,
      [visitId],
    );
    if (!row) return null;
    const visit = visitRecord(row);
    const pages = await this.driver.all<Row>(`SELECT ${PAGE_COLUMNS} FROM pages WHERE visit_id = ?`, [
      visitId,
    ]);
    const links = await this.driver.all<Row>(
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

  // ---- visits ---------------------------------------------------------------------------------------------

  async createVisit(visit: VisitRecord): Promise<boolean> {
    const changed = await this.driver.transaction((tx) =>
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

  async getVisit(visitId: string): Promise<VisitRecord | null> {
    const [row] = await this.driver.all<Row>(`SELECT ${VISIT_COLUMNS} FROM visits WHERE visit_id = ?`, [
      visitId,
    ]);
    return row ? visitRecord(row) : null;
  }

  /** Visits newest first. */
  async listVisits(filter: VisitFilter, options: ListOptions): Promise<ListPage<VisitRecord>> {
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
    const rows = await this.driver.all<Row>(
      `SELECT ${VISIT_COLUMNS.replace(/(\w+)/g, 'v.$1')} FROM visits v ${where} ORDER BY v.start_date DESC, v.visit_id DESC LIMIT ?`,
      [...where.params, options.limit + 1],
    );
    return this.#page(rows.map(visitRecord), options.limit, (v) => [v.startDate, v.visitId]);
  }

  // ---- pages ----------------------------------------------------------------------------------------------

  async getPage(pageId: string): Promise<PageState | null> {
    const [row] = await this.driver.all<Row>(`SELECT ${PAGE_COLUMNS} FROM pages WHERE page_id = ?`, [pageId]);
    return row ? pageRecord(row) : null;
  }

  /** Pages by time ascending. */
  async listPages(filter: PageFilter, options: ListOptions): Promise<ListPage<PageState>> {
    const where = new Where().add('visit_id = ?', filter.visitId);
    if (filter.startSince !== undefined) where.add('start_date >= ?', filter.startSince);
    if (options.cursor) {
      const [start, id] = decodeCursor(options.cursor, ['number', 'string']);
      where.add('(start_date > ? OR (start_date = ? AND page_id > ?))', n(start), n(start), s(id));
    }
    const rows = await this.driver.all<Row>(
      `SELECT ${PAGE_COLUMNS} FROM pages ${where} ORDER BY start_date, page_id LIMIT ?`,
      [...where.params, options.limit + 1],
    );
    return this.#page(rows.map(pageRecord), options.limit, (p) => [p.startDate, p.pageId]);
  }

  // ---- events ---------------------------------------------------------------------------------------------

  /** Events in arrival order. */
  async listEvents(filter: EventFilter, options: ListOptions): Promise<ListPage<StoredEvent>> {
    const where = new Where();
    if (filter.visitId !== undefined) where.add('e.visit_id = ?', filter.visitId);
    if (filter.pageId !== undefined) {
      // No index on events.page_id (it cost 50 bytes per event): a page's events are found through its visit.
      where.add('e.visit_id = (SELECT p.visit_id FROM pages p WHERE p.page_id = ?)', filter.pageId);
      where.add('e.page_id = ?', filter.pageId);
    }
    if (filter.receivedSince !== undefined) where.add('e.received_at >= ?', filter.receivedSince);
    if (filter.eventName !== undefined) where.add('e.event_name = ?', filter.eventName);
    if (filter.eventType !== undefined) where.add('e.event_type = ?', filter.eventType);
    if (filter.category === 'all categories') where.add("e.category <> ''");
    else if (filter.category !== undefined)
      where.add(this.#contains("(';' || e.category || ';')"), `;${filter.category};`);
    if (filter.url !== undefined) where.add(this.#contains('e.url'), filter.url);
    let ords: number[] = [];
    if (options.cursor) where.add('e.ord > ?', n(decodeCursor(options.cursor, ['number'])[0]));
    const rows = await this.driver.all<Row>(
      `SELECT ${EVENT_COLUMNS} FROM events e JOIN visits v ON v.visit_id = e.visit_id ${where} ORDER BY e.ord LIMIT ?`,
      [...where.params, options.limit + 1],
    );
    ords = rows.map((r) => n(r.ord));
    const page = this.#page(rows.map(eventRecord), options.limit, (_e, i) => [ords[i]!]);
    return page;
  }

  async getEvent(eventId: string): Promise<StoredEvent | null> {
    const [row] = await this.driver.all<Row>(
      `SELECT ${EVENT_COLUMNS} FROM events e JOIN visits v ON v.visit_id = e.visit_id WHERE e.event_id = ?`,
      [eventId],
    );
    return row ? eventRecord(row) : null;
  }

  // ---- identities -----------------------------------------------------------------------------------------

  /** The identity record; without `verified`, the verified one when it exists (spec/compat.md §14). */
  async getIdentity(identityId: string, verified?: boolean): Promise<IdentityRecord | null> {
    const where = new Where().add('i.identity_id = ?', identityId);
    if (verified !== undefined) where.add('i.verified = ?', verified ? 1 : 0);
    const [row] = await this.driver.all<Row>(
      `SELECT ${IDENTITY_COLUMNS} FROM identities i ${where} ORDER BY i.verified DESC LIMIT 1`,
      where.params,
    );
    return row ? identityRecord(row) : null;
  }

  /** Identities ordered by identityId (then unverified before verified). */
  async listIdentities(filter: IdentityFilter, options: ListOptions): Promise<ListPage<IdentityWithScope>> {
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
    const rows = await this.driver.all<Row>(
      `SELECT ${IDENTITY_COLUMNS}, ${scopeSql} AS scope FROM identities i ${where}
       ORDER BY i.identity_id, i.verified LIMIT ?`,
      [...scopeParams, ...where.params, options.limit + 1],
    );
    const items = rows.map((r) => ({ ...identityRecord(r), scope: sn(r.scope) as Association | null }));
    return this.#page(items, options.limit, (i) => [i.identityId, i.verified ? 1 : 0]);
  }

  /** The most recent association scope of an identity (any visit). */
  async latestAssociation(identityId: string, verified: boolean): Promise<AssociationRecord | null> {
    const [row] = await this.driver.all<Row>(
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

  // ---- actionable events -------------------------------------------------------------------------------

  /** Rule hits of a visit as stored by the rules host (JSON bodies), oldest first. */
  async listActionable(visitId: string): Promise<unknown[]> {
    const rows = await this.driver.all<Row>(
      'SELECT body FROM actionable_events WHERE visit_id = ? ORDER BY created_at, actionable_id',
      [visitId],
    );
    return rows.map((r) => JSON.parse(s(r.body)) as unknown);
  }

  // ---- categories -----------------------------------------------------------------------------------------

  async listCategories(): Promise<Category[]> {
    const rows = await this.driver.all<Row>('SELECT body FROM categories ORDER BY position, name');
    return rows.map((r) => JSON.parse(s(r.body)) as Category);
  }

  /** Creates or replaces; resolves true when created. A replaced category keeps its position. */
  async putCategory(category: Category, now: number): Promise<boolean> {
    return this.driver.transaction(async (tx) => {
      const body = JSON.stringify(category);
      const changed = await tx.run('UPDATE categories SET body = ?, updated_at = ? WHERE name = ?', [
        body,
        now,
        category.name,
      ]);
      if (changed > 0) return false;
      const [max] = await tx.all<Row>('SELECT COALESCE(MAX(position), 0) AS m FROM categories');
      await tx.run('INSERT INTO categories (name, position, body, updated_at) VALUES (?, ?, ?, ?)', [
        category.name,
        n(max?.m ?? 0) + 1,
        body,
        now,
      ]);
      return true;
    });
  }

  async deleteCategory(name: string): Promise<boolean> {
    return (
      (await this.driver.transaction((tx) => tx.run('DELETE FROM categories WHERE name = ?', [name]))) > 0
    );
  }

  /** Replaces every category at once (CLI import). */
  async replaceCategories(categories: readonly Category[], now: number): Promise<void> {
    await this.driver.transaction(async (tx) => {
      await tx.run('DELETE FROM categories');
      let position = 0;
      for (const c of categories) {
        await tx.run('INSERT INTO categories (name, position, body, updated_at) VALUES (?, ?, ?, ?)', [
          c.name,
          ++position,
          JSON.stringify(c),
          now,
        ]);
      }
    });
  }

  /**
   * A token that changes whenever categories change; nodes poll it to reload (spec: within 5 s). It hashes the
   * rows themselves: a count and latest `updated_at` missed changes made in the same millisecond or by a node whose
   * clock lags. Categories are few, so reading them on each poll is cheap.
   */
  async categoriesVersion(): Promise<string> {
    const rows = await this.driver.all<Row>(
      'SELECT name, position, body FROM categories ORDER BY position, name',
    );
    const hash = createHash('sha256');
    for (const r of rows) hash.update(JSON.stringify([s(r.name), n(r.position), s(r.body)]));
    return `${rows.length}:${hash.digest('hex').slice(0, 32)}`;
  }

  // ---- API keys -------------------------------------------------------------------------------------------

  /** Creates a key; the secret is returned once and only its SHA-256 is stored. */
  async createApiKey(
    name: string,
    role: ApiKeyRole,
    now: number,
  ): Promise<{ key: string; record: ApiKeyRecord }> {
    const keyId = randomBytes(8).toString('hex').toUpperCase();
    const key = `bk_${keyId}_${randomBytes(24).toString('base64url')}`;
    await this.driver.transaction((tx) =>
      tx.run('INSERT INTO api_keys (key_id, name, key_hash, role, created_at) VALUES (?, ?, ?, ?, ?)', [
        keyId,
        name,
        hashApiKey(key),
        role,
        now,
      ]),
    );
    return { key, record: { keyId, name, role, createdAt: now, revokedAt: null } };
  }

  async findApiKey(key: string): Promise<ApiKeyRecord | null> {
    const [row] = await this.driver.all<Row>(
      'SELECT key_id, name, role, created_at, revoked_at FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL',
      [hashApiKey(key)],
    );
    return row ? apiKeyRecord(row) : null;
  }

  async listApiKeys(): Promise<ApiKeyRecord[]> {
    const rows = await this.driver.all<Row>(
      'SELECT key_id, name, role, created_at, revoked_at FROM api_keys ORDER BY created_at',
    );
    return rows.map(apiKeyRecord);
  }

  async revokeApiKey(keyId: string, now: number): Promise<boolean> {
    const changed = await this.driver.transaction((tx) =>
      tx.run('UPDATE api_keys SET revoked_at = ? WHERE key_id = ? AND revoked_at IS NULL', [now, keyId]),
    );
    return changed > 0;
  }

  // ---- retention ------------------------------------------------------------------------------------------

  /** Deletes visits (and their pages, events, links) whose last event is older than `visitsBefore`. */
  async purge(
    visitsBefore: number,
    identitiesBefore: number,
  ): Promise<{ visits: number; identities: number }> {
    return this.driver.transaction(async (tx) => {
      const old = 'SELECT visit_id FROM visits WHERE last_event_at < ?';
      await tx.run(`DELETE FROM events WHERE visit_id IN (${old})`, [visitsBefore]);
      await tx.run(`DELETE FROM pages WHERE visit_id IN (${old})`, [visitsBefore]);
      await tx.run(`DELETE FROM visit_identities WHERE visit_id IN (${old})`, [visitsBefore]);
      await tx.run(`DELETE FROM actionable_events WHERE visit_id IN (${old})`, [visitsBefore]);
      const visits = await tx.run('DELETE FROM visits WHERE last_event_at < ?', [visitsBefore]);
      const identities = await tx.run(
        `DELETE FROM identities WHERE last_seen < ? AND NOT EXISTS (SELECT 1 FROM visit_identities x
         WHERE x.identity_id = identities.identity_id AND x.verified = identities.verified)`,
        [identitiesBefore],
      );
      return { visits, identities };
    });
  }

  #page<T>(rows: T[], limit: number, key: (item: T, index: number) => (string | number)[]): ListPage<T> {
    if (rows.length <= limit) return { items: rows, next: null };
    const items = rows.slice(0, limit);
    return { items, next: encodeCursor(key(items[limit - 1]!, limit - 1)) };
  }
}

function apiKeyRecord(r: Row): ApiKeyRecord {
  return {
    keyId: s(r.key_id),
    name: s(r.name),
    role: s(r.role) as ApiKeyRole,
    createdAt: n(r.created_at),
    revokedAt: r.revoked_at === null ? null : n(r.revoked_at),
  };
}
