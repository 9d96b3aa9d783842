/**
 * The Store: every query Beckon makes, written once in portable SQL over the `SqlDriver` port. The SQLite and
 * PostgreSQL adapters differ only in their driver. The contract suite (store.contract.ts) runs against both.
 * This class owns the driver and the ingest writer; the queries live in one module per concern (ingest-reads,
 * history-queries, category-queries, api-keys, retention), and the types callers need are re-exported here.
 */
import type { Category, StoredEvent } from '@beckon/protocol';
import type { EventWrites, PageState, VisitState } from '@beckon/core';
import * as apiKeys from './api-keys.js';
import * as categoryQueries from './category-queries.js';
import * as history from './history-queries.js';
import * as ingest from './ingest-reads.js';
import { IngestWriter } from './ingest-writer.js';
import type { CommitPlan } from './ingest-writer.js';
import type { StatementBatch } from './sqlite-writer-thread.js';
import { migrate } from './migrations.js';
import type {
  EventFilter,
  IdentityFilter,
  IdentityWithScope,
  PageFilter,
  VisitFilter,
} from './query-filters.js';
import * as retention from './retention.js';
import type { SqlDriver } from './sql-driver.js';
import type {
  ApiKeyRecord,
  ApiKeyRole,
  AssociationRecord,
  IdentityRecord,
  ListOptions,
  ListPage,
  VisitRecord,
} from './records.js';

export { hashApiKey } from './api-keys.js';
export type {
  EventFilter,
  IdentityFilter,
  IdentityWithScope,
  PageFilter,
  VisitFilter,
} from './query-filters.js';

export class SqlStore {
  readonly driver: SqlDriver;
  readonly writer: IngestWriter;
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

  existingEventIds(eventIds: readonly string[]): Promise<Set<string>> {
    return ingest.existingEventIds(this.driver, eventIds);
  }

  pageOwners(pageIds: readonly string[]): Promise<Map<string, string>> {
    return ingest.pageOwners(this.driver, pageIds);
  }

  /** Rebuilds the sessionizer's state of a visit from its rows. */
  loadVisitState(visitId: string): Promise<VisitState | null> {
    return ingest.loadVisitState(this.driver, visitId);
  }

  // ---- visits ---------------------------------------------------------------------------------------------

  createVisit(visit: VisitRecord): Promise<boolean> {
    return history.createVisit(this.driver, visit);
  }

  getVisit(visitId: string): Promise<VisitRecord | null> {
    return history.getVisit(this.driver, visitId);
  }

  /** Visits newest first. */
  listVisits(filter: VisitFilter, options: ListOptions): Promise<ListPage<VisitRecord>> {
    return history.listVisits(this.driver, filter, options);
  }

  // ---- pages ----------------------------------------------------------------------------------------------

  getPage(pageId: string): Promise<PageState | null> {
    return history.getPage(this.driver, pageId);
  }

  /** Pages by time ascending. */
  listPages(filter: PageFilter, options: ListOptions): Promise<ListPage<PageState>> {
    return history.listPages(this.driver, filter, options);
  }

  // ---- events ---------------------------------------------------------------------------------------------

  /** Events in arrival order. */
  listEvents(filter: EventFilter, options: ListOptions): Promise<ListPage<StoredEvent>> {
    return history.listEvents(this.driver, filter, options);
  }

  getEvent(eventId: string): Promise<StoredEvent | null> {
    return history.getEvent(this.driver, eventId);
  }

  // ---- identities -----------------------------------------------------------------------------------------

  /** The identity record; without `verified`, the verified one when it exists (spec/compat.md §14). */
  getIdentity(identityId: string, verified?: boolean): Promise<IdentityRecord | null> {
    return history.getIdentity(this.driver, identityId, verified);
  }

  /** Identities ordered by identityId (then unverified before verified). */
  listIdentities(filter: IdentityFilter, options: ListOptions): Promise<ListPage<IdentityWithScope>> {
    return history.listIdentities(this.driver, filter, options);
  }

  /** The most recent association scope of an identity (any visit). */
  latestAssociation(identityId: string, verified: boolean): Promise<AssociationRecord | null> {
    return history.latestAssociation(this.driver, identityId, verified);
  }

  // ---- actionable events -------------------------------------------------------------------------------

  /** Rule hits of a visit as stored by the rules host (JSON bodies), oldest first. */
  listActionable(visitId: string): Promise<unknown[]> {
    return history.listActionable(this.driver, visitId);
  }

  // ---- categories -----------------------------------------------------------------------------------------

  listCategories(): Promise<Category[]> {
    return categoryQueries.listCategories(this.driver);
  }

  /** Creates or replaces; resolves true when created. A replaced category keeps its position. */
  putCategory(category: Category, now: number): Promise<boolean> {
    return categoryQueries.putCategory(this.driver, category, now);
  }

  deleteCategory(name: string): Promise<boolean> {
    return categoryQueries.deleteCategory(this.driver, name);
  }

  /** Replaces every category at once (CLI import). */
  replaceCategories(categories: readonly Category[], now: number): Promise<void> {
    return categoryQueries.replaceCategories(this.driver, categories, now);
  }

  /** A token that changes whenever categories change; nodes poll it to reload (spec: within 5 s). */
  categoriesVersion(): Promise<string> {
    return categoryQueries.categoriesVersion(this.driver);
  }

  // ---- API keys -------------------------------------------------------------------------------------------

  /** Creates a key; the secret is returned once and only its SHA-256 is stored. */
  createApiKey(name: string, role: ApiKeyRole, now: number): Promise<{ key: string; record: ApiKeyRecord }> {
    return apiKeys.createApiKey(this.driver, name, role, now);
  }

  findApiKey(key: string): Promise<ApiKeyRecord | null> {
    return apiKeys.findApiKey(this.driver, key);
  }

  listApiKeys(): Promise<ApiKeyRecord[]> {
    return apiKeys.listApiKeys(this.driver);
  }

  revokeApiKey(keyId: string, now: number): Promise<boolean> {
    return apiKeys.revokeApiKey(this.driver, keyId, now);
  }

  // ---- retention ------------------------------------------------------------------------------------------

  /** Deletes visits (and their pages, events, links) whose last event is older than `visitsBefore`. */
  purge(visitsBefore: number, identitiesBefore: number): Promise<{ visits: number; identities: number }> {
    return retention.purge(this.driver, visitsBefore, identitiesBefore);
  }
}
