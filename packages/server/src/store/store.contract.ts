/**
 * The Store contract: one suite that every engine adapter must pass (STYLE.md rule 5), so SQLite and PostgreSQL
 * answer every query the same way. Fixtures go through the real sessionizer and expected answers are computed from
 * the fixture writes (a model of the store), so a filter is checked against its definition, not against a copy of
 * its SQL. Kept in one file on purpose: it is the single list of what a store promises.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHash } from 'node:crypto';
import type { Category, StoredEvent } from '@beckon/protocol';
import type { EventWrites } from '@beckon/core';
import { HistoryBuilder, T0, testId } from '../../../../test/support/history-builder.js';
import {
  CATEGORIES,
  UA_A,
  UA_B,
  identityFixture,
  listingFixture,
} from '../../../../test/support/store-fixtures.js';
import type { ListPage } from './records.js';
import { idBytes } from './id-codec.js';
import { migrate, migrations } from './migrations.js';
import { SqlStore, hashApiKey } from './sql-store.js';
import type { EventFilter } from './sql-store.js';

/** Follows `next` cursors from the first page to the last, checking each page's size. */
async function collect<T>(
  limit: number,
  fetch: (cursor: string | undefined) => Promise<ListPage<T>>,
): Promise<T[]> {
  const all: T[] = [];
  let cursor: string | undefined;
  for (let guard = 0; guard < 10_000; guard++) {
    const page = await fetch(cursor);
    expect(page.items.length).toBeLessThanOrEqual(limit);
    all.push(...page.items);
    if (page.next === null) return all;
    expect(page.items.length).toBe(limit);
    cursor = page.next;
  }
  throw new Error('pagination did not end');
}

const LIMITS = [1, 2, 3, 7, 1000];
const eventIds = (events: readonly StoredEvent[]) => events.map((e) => e.eventID);

/** Registers the whole Store contract for one engine. `openFresh` opens a migrated store on an empty database. */
export function describeStoreContract(name: string, openFresh: () => Promise<SqlStore>): void {
  describe(`Store contract: ${name}`, () => {
    let store: SqlStore;
    beforeEach(async () => {
      store = await openFresh();
    });
    afterEach(async () => {
      vi.restoreAllMocks();
      await store.close();
    });

    describe('migrations', () => {
      it('are idempotent: running them again applies nothing and keeps the data', async () => {
        const { writes } = listingFixture();
        await store.commit(writes);
        expect(await store.migrate()).toBe(0);
        expect(await store.migrate()).toBe(0);
        const rows = await store.driver.all<{ version: number }>('SELECT version FROM schema_migrations');
        expect(rows.map((r) => Number(r.version)).sort((a, b) => a - b)).toEqual(
          migrations.map((m) => m.version),
        );
        expect((await store.listEvents({}, { limit: 1000 })).items).toHaveLength(writes.length);
        await store.ping();
      });
      it('run safely from several nodes at once on an empty database', async () => {
        const tables = migrations.flatMap((m) =>
          [...m.sql.matchAll(/CREATE TABLE (\w+)/g)].map((x) => x[1]!),
        );
        // The race is timing-dependent: a few rounds make a regression show up reliably.
        for (let round = 0; round < 3; round++) {
          for (const table of [...tables, 'schema_migrations'])
            await store.driver.exec(`DROP TABLE ${table}`);
          const applied = await Promise.all([1, 2, 3, 4, 5, 6].map(() => migrate(store.driver)));
          // Each migration is applied exactly once, by whichever node takes the lock first.
          expect(applied.reduce((a, b) => a + b, 0)).toBe(migrations.length);
        }
        const { writes } = listingFixture();
        await store.commit(writes);
        expect((await store.listEvents({}, { limit: 1000 })).items).toHaveLength(writes.length);
      });
    });

    describe('event ids as bytes (migrations 9 and 10)', () => {
      /** A visit with the tracker's ids (32 hex digits), beside the fixture's other ids. */
      const trackerVisit = (): EventWrites[] => {
        const b = new HistoryBuilder({ start: T0 + 100_000 });
        const hex = (n: number) => n.toString(16).toUpperCase().padStart(32, 'A');
        const [started, entered] = b.startVisit({ visit: hex(1), page: hex(2) });
        const viewed = b.event({ visit: hex(1), page: hex(2), eventName: 'ProductView', eventId: hex(3) });
        const added = b.event({ visit: hex(1), page: hex(2), eventName: 'AddToCart', eventId: hex(4) });
        return [started!, entered!, viewed, added];
      };

      it('store the tracker ids in 16 bytes and read every id back as sent', async () => {
        const writes = trackerVisit();
        await store.commit(writes);
        for (const w of writes) expect(await store.getEvent(w.event.eventID)).toEqual(w.event);
        const hexEvent = writes.at(-1)!.event;
        const [row] = await store.driver.all<{ n: number }>(
          'SELECT length(event_id) AS n FROM events WHERE event_id = beckon_id(?)',
          [hexEvent.eventID],
        );
        expect(Number(row!.n)).toBe(16);
        const ofVisit = await store.listEvents({ visitId: hexEvent.visitID }, { limit: 10 });
        expect(eventIds(ofVisit.items)).toEqual(writes.slice(-4).map((w) => w.event.eventID));
        const ofPage = await store.listEvents({ pageId: hexEvent.pageID }, { limit: 10 });
        expect(eventIds(ofPage.items)).toEqual(writes.map((w) => w.event.eventID)); // VisitStarted names the page too
      });

      it('convert in SQL exactly as the inserts encode in JavaScript, for every form of id', async () => {
        const ids = [
          '44D25DDB78174DEC8F33E28F96428336', // the tracker's form: 16 bytes
          '44d25ddb78174dec8f33e28f96428336', // lowercase hex: kept as text
          'abcdefgh_1234567', // 16 characters: a zero byte appended
          'short-id',
          'A'.repeat(64),
          '0123456789ABCDEF', // hex, but 16 digits: text
        ];
        for (const id of ids) {
          const [row] = await store.driver.all<{ same: unknown; back: string }>(
            'SELECT beckon_id(?) = ? AS same, beckon_text(?) AS back',
            [id, idBytes(id), idBytes(id)],
          );
          expect([id, Number(row!.same)]).toEqual([id, 1]);
          expect(row!.back).toBe(id);
        }
      });

      it('rewrite the ids of events stored as text before them', async () => {
        const writes = trackerVisit();
        await store.commit(writes);
        const before = (await store.listEvents({}, { limit: 1000 })).items;
        // back to the table as migration 8 left it, rows and all
        const d = store.driver;
        if (d.dialect === 'sqlite') {
          await d.run(`UPDATE events SET event_id = beckon_text(event_id), visit_id = beckon_text(visit_id),
            page_id = beckon_text(page_id)`);
          await d.exec('DROP INDEX events_visit; CREATE INDEX events_visit ON events (visit_id, ord)');
        } else {
          await d.exec(`ALTER TABLE events ALTER COLUMN event_id TYPE text COLLATE "C" USING beckon_text(event_id),
            ALTER COLUMN visit_id TYPE text COLLATE "C" USING beckon_text(visit_id),
            ALTER COLUMN page_id TYPE text COLLATE "C" USING beckon_text(page_id);
            DROP FUNCTION beckon_id(text); DROP FUNCTION beckon_text(bytea)`);
        }
        await d.run('DELETE FROM schema_migrations WHERE version IN (9, 10)');
        const [asText] = await d.all<{ n: number }>(
          "SELECT count(*) AS n FROM events WHERE event_id = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA4'",
        );
        expect(Number(asText!.n)).toBe(1);

        expect(await store.migrate()).toBe(2);
        expect((await store.listEvents({}, { limit: 1000 })).items).toEqual(before);
        for (const w of writes) expect(await store.getEvent(w.event.eventID)).toEqual(w.event);
        const [stored] = await d.all<{ n: number }>(
          'SELECT length(event_id) AS n FROM events WHERE event_id = beckon_id(?)',
          ['AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA4'],
        );
        expect(Number(stored!.n)).toBe(16);
        // ingest still dedupes against the rewritten rows
        await store.commit(writes.slice(-1));
        expect((await store.listEvents({}, { limit: 1000 })).items).toHaveLength(before.length);
      });
    });

    describe('ingest writes', () => {
      it('group-commits many concurrent commit() calls in few transactions, every row readable', async () => {
        const b = new HistoryBuilder();
        const calls: EventWrites[][] = [];
        for (let i = 0; i < 60; i++) {
          const [started, entered] = b.startVisit({ visit: testId('VG', i), page: testId('PG', i) });
          calls.push([started!], [entered!]);
        }
        const before = store.writer.commits;
        await Promise.all(calls.map((w) => store.commit(w)));
        expect(store.writer.commits - before).toBeGreaterThanOrEqual(1);
        expect(store.writer.commits - before).toBeLessThanOrEqual(3);
        const events = (await store.listEvents({}, { limit: 1000 })).items;
        expect(eventIds(events)).toEqual(calls.flat().map((w) => w.event.eventID));
        expect((await store.listVisits({}, { limit: 1000 })).items).toHaveLength(60);
        const visit = await store.getVisit(testId('VG', 7));
        expect(visit?.pageCount).toBe(1);
      });

      it('keeps each transaction within maxEventsPerCommit', async () => {
        const sizes: number[] = [];
        const small = new SqlStore(store.driver, {
          maxEventsPerCommit: 10,
          onCommit: (events) => sizes.push(events),
        });
        const b = new HistoryBuilder();
        const writes = Array.from({ length: 35 }, (_, i) =>
          b.event({ visit: testId('VM', 1), page: testId('PM', 1), eventName: `E${i}` }),
        );
        await Promise.all(writes.map((w) => small.commit([w])));
        await small.writer.drain();
        expect(sizes.reduce((a, c) => a + c, 0)).toBe(35);
        expect(Math.max(...sizes)).toBeLessThanOrEqual(10);
        expect(sizes.length).toBeGreaterThanOrEqual(4);
        expect((await store.listEvents({}, { limit: 100 })).items).toHaveLength(35);
      });

      it('rolls back a failed transaction whole, rejects its callers, and keeps working', async () => {
        const b = new HistoryBuilder();
        const good = b.startVisit({ visit: testId('VF', 1), page: testId('PF', 1) });
        const bad = b.event({ visit: testId('VF', 1), page: testId('PF', 1), eventName: 'Broken' });
        // NOT NULL violation in the middle of the transaction, after the first event's row was written.
        const broken: EventWrites = { ...bad, event: { ...bad.event, url: null as unknown as string } };
        const results = await Promise.allSettled([store.commit(good), store.commit([broken])]);
        expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
        expect((await store.existingEventIds(eventIds(good.map((w) => w.event)))).size).toBe(0);
        expect(await store.getVisit(testId('VF', 1))).toBeNull();
        await store.commit(good);
        expect((await store.listEvents({}, { limit: 10 })).items).toHaveLength(2);
      });

      it('ignores a duplicate eventID, across and within transactions (first one kept)', async () => {
        const b = new HistoryBuilder();
        const [started, entered] = b.startVisit({ visit: testId('VD', 1), page: testId('PD', 1) });
        await store.commit([started!, entered!]);
        await store.commit([started!]);
        const replay = b.event({
          visit: testId('VD', 1),
          page: testId('PD', 1),
          eventName: 'Again',
          eventId: entered!.event.eventID,
        });
        const fresh = b.event({ visit: testId('VD', 1), page: testId('PD', 1), eventName: 'Fresh' });
        const twin = b.event({
          visit: testId('VD', 1),
          page: testId('PD', 1),
          eventName: 'Twin',
          eventId: fresh.event.eventID,
        });
        await store.commit([replay, fresh, twin]);
        const events = (await store.listEvents({}, { limit: 100 })).items;
        expect(events.map((e) => e.eventName)).toEqual(['VisitStarted', 'PageEntered', 'Fresh']);
      });

      it('round-trips a stored event exactly (getEvent), and null for an unknown one', async () => {
        const { writes } = listingFixture();
        await store.commit(writes);
        for (const w of writes) expect(await store.getEvent(w.event.eventID)).toEqual(w.event);
        expect(await store.getEvent(testId('NOPE', 1))).toBeNull();
      });

      it('existingEventIds and pageOwners answer for long id lists (chunked queries)', async () => {
        const { writes, visits, pages } = listingFixture();
        await store.commit(writes);
        const known = [writes[0]!.event.eventID, writes[5]!.event.eventID, writes.at(-1)!.event.eventID];
        const ids = Array.from({ length: 1200 }, (_, i) => testId('MISS', i));
        ids.splice(0, 0, known[0]!);
        ids.splice(600, 0, known[1]!);
        ids.push(known[2]!);
        expect([...(await store.existingEventIds(ids))].sort()).toEqual([...known].sort());
        expect((await store.existingEventIds([])).size).toBe(0);
        const pageIds = [...Array.from({ length: 1100 }, (_, i) => testId('NOPG', i)), pages.p2, pages.p6];
        expect(await store.pageOwners(pageIds)).toEqual(
          new Map([
            [pages.p2, visits.v1],
            [pages.p6, visits.v5],
          ]),
        );
      });
    });

    describe('visit state', () => {
      it('loadVisitState round-trips pages, associations and the current identity', async () => {
        const { writes, builder, visits } = identityFixture();
        const b = builder;
        writes.push(b.event({ visit: visits.v3, page: testId('PI', 3), eventName: 'PageExited' }));
        writes.push(
          b.event({
            visit: visits.v3,
            page: testId('PI', 9),
            eventName: 'PageEntered',
            data: { title: 'T' },
          }),
        );
        writes.push(b.event({ visit: visits.v3, page: testId('PI', 9), eventName: 'SignOut' }));
        await store.commit(writes);
        for (const visitId of Object.values(visits)) {
          const expected = b.state(visitId)!;
          const loaded = await store.loadVisitState(visitId);
          expect(loaded).not.toBeNull();
          const { pages, associations, current, ...scalars } = expected;
          expect(loaded).toMatchObject(scalars);
          expect(loaded!.pages).toEqual(pages);
          expect(loaded!.associations).toEqual(associations);
          expect(loaded!.current).toEqual(current);
        }
        expect((await store.loadVisitState(visits.v3))!.current).toMatchObject({
          identityId: 'bob',
          scope: 'Recognized',
        });
        expect((await store.loadVisitState(visits.v2))!.current).toMatchObject({
          identityId: 'jane',
          verified: true,
        });
        expect(await store.loadVisitState(testId('NOPE', 2))).toBeNull();
      });

      it('createVisit creates once; getVisit and loadVisitState read it', async () => {
        const record = {
          visitId: testId('VC', 1),
          globalVisitID: testId('GC', 1),
          userAgent: UA_A,
          userAgentId: 'X',
          languageCode: 'en',
          referrer: null,
          startDate: T0,
          lastEventAt: T0,
          endedAt: 0,
          pageCount: 0,
        };
        expect(await store.createVisit(record)).toBe(true);
        expect(await store.createVisit({ ...record, userAgent: UA_B })).toBe(false);
        expect(await store.getVisit(record.visitId)).toEqual(record);
        expect(await store.getVisit(testId('NOPE', 3))).toBeNull();
        const state = await store.loadVisitState(record.visitId);
        expect(state).toMatchObject({ visitId: record.visitId, userAgent: UA_A, current: null });
        expect(state!.pages.size).toBe(0);
      });
    });

    describe('listing', () => {
      let fx: ReturnType<typeof listingFixture>;
      let all: StoredEvent[];
      beforeEach(async () => {
        fx = listingFixture();
        all = fx.writes.map((w) => w.event);
        await store.commit(fx.writes);
      });

      it('lists visits newest first (ties by visitId, descending), with every filter and pagination', async () => {
        const states = Object.values(fx.visits).map((id) => fx.builder.state(id)!);
        const ordered = states
          .sort((a, b) => b.startDate - a.startDate || (a.visitId < b.visitId ? 1 : -1))
          .map((s) => s.visitId);
        expect(ordered.slice(0, 2)).toEqual([fx.visits.v5, fx.visits.v4]);
        const cases: [Parameters<SqlStore['listVisits']>[0], string[]][] = [
          [{}, ordered],
          [{ globalVisitID: fx.gvids.g1 }, [fx.visits.v2, fx.visits.v1]],
          [{ userAgent: UA_B }, [fx.visits.v5, fx.visits.v4, fx.visits.v2]],
          [{ userAgent: UA_B.toLowerCase() }, []],
          [
            { startSince: fx.builder.state(fx.visits.v3)!.startDate },
            [fx.visits.v5, fx.visits.v4, fx.visits.v3],
          ],
          [{ globalVisitID: fx.gvids.g2, startSince: fx.tieAt }, [fx.visits.v5, fx.visits.v4]],
        ];
        for (const [filter, expected] of cases) {
          for (const limit of LIMITS) {
            const got = await collect(limit, (cursor) => store.listVisits(filter, { limit, cursor }));
            expect(
              got.map((v) => v.visitId),
              JSON.stringify({ filter, limit }),
            ).toEqual(expected);
          }
        }
        const v1 = (await store.listVisits({ globalVisitID: fx.gvids.g1 }, { limit: 10 })).items[1]!;
        const s1 = fx.builder.state(fx.visits.v1)!;
        expect(v1).toEqual({
          visitId: s1.visitId,
          globalVisitID: s1.globalVisitID,
          userAgent: UA_A,
          userAgentId: s1.userAgentId,
          languageCode: null,
          referrer: null,
          startDate: s1.startDate,
          lastEventAt: s1.lastEventAt,
          endedAt: 0,
          pageCount: 2,
        });
      });

      it('lists pages by start time ascending (ties by pageId), filtered by visit and start, paginated', async () => {
        const v1 = [fx.pages.p1, fx.pages.p2];
        const cases: [Parameters<SqlStore['listPages']>[0], string[]][] = [
          [{ visitId: fx.visits.v1 }, v1],
          [{ visitId: fx.visits.v5 }, [fx.pages.p6, fx.pages.p7]],
          [
            {
              visitId: fx.visits.v1,
              startSince: fx.builder.state(fx.visits.v1)!.pages.get(fx.pages.p2)!.startDate,
            },
            [fx.pages.p2],
          ],
          [{ visitId: testId('NOPE', 4) }, []],
        ];
        for (const [filter, expected] of cases) {
          for (const limit of LIMITS) {
            const got = await collect(limit, (cursor) => store.listPages(filter, { limit, cursor }));
            expect(
              got.map((p) => p.pageId),
              JSON.stringify({ filter, limit }),
            ).toEqual(expected);
          }
        }
        const p1 = fx.builder.state(fx.visits.v1)!.pages.get(fx.pages.p1)!;
        expect(p1.durationMs).toBeGreaterThan(0);
        expect(await store.getPage(fx.pages.p1)).toEqual(p1);
        expect(await store.getPage(fx.pages.p2)).toMatchObject({
          endDate: 0,
          durationMs: null,
          category: 'Loans;Car Loans',
        });
        expect(await store.getPage(testId('NOPE', 5))).toBeNull();
      });

      it('lists events in arrival order with every filter, each matching its definition', async () => {
        const hasCategory = (e: StoredEvent, c: string) => e.category.split(';').includes(c);
        const cases: [EventFilter, (e: StoredEvent) => boolean][] = [
          [{}, () => true],
          [{ visitId: fx.visits.v1 }, (e) => e.visitID === fx.visits.v1],
          [{ pageId: fx.pages.p3 }, (e) => e.pageID === fx.pages.p3],
          [{ receivedSince: all[6]!.receivedAt }, (e) => e.receivedAt >= all[6]!.receivedAt],
          [{ eventName: 'Search' }, (e) => e.eventName === 'Search'],
          [{ eventName: 'search' }, () => false],
          [{ eventType: 'BUSINESS' }, (e) => e.eventType === 'BUSINESS'],
          [
            { eventType: 'SYSTEM', visitId: fx.visits.v2 },
            (e) => e.eventType === 'SYSTEM' && e.visitID === fx.visits.v2,
          ],
          [{ category: 'Loans' }, (e) => hasCategory(e, 'Loans')],
          [{ category: 'Car Loans' }, (e) => hasCategory(e, 'Car Loans')],
          [{ category: 'Loan' }, () => false],
          [{ category: 'loans' }, () => false],
          [{ category: 'Other' }, () => false],
          [{ category: 'all categories' }, (e) => e.category !== ''],
          [{ category: 'TV', url: '/TV' }, (e) => hasCategory(e, 'TV')],
          [{ url: '/TV' }, (e) => e.url.includes('/TV')],
          [{ url: '/tv' }, (e) => e.url.includes('/tv')],
          [{ url: '100%25_sure' }, (e) => e.url.includes('100%25_sure')],
          [{ url: '%_' }, () => false],
          [{ url: 'a%b' }, (e) => e.url.includes('a%b')],
          [
            { visitId: fx.visits.v1, category: 'Loans', eventName: 'Search' },
            (e) => e.visitID === fx.visits.v1 && hasCategory(e, 'Loans') && e.eventName === 'Search',
          ],
        ];
        for (const [filter, matches] of cases) {
          const expected = eventIds(all.filter(matches));
          for (const limit of LIMITS) {
            const got = await collect(limit, (cursor) => store.listEvents(filter, { limit, cursor }));
            expect(eventIds(got), JSON.stringify({ filter, limit })).toEqual(expected);
          }
        }
        // The fixture must exercise the distinctions the filters draw.
        const count = (f: (e: StoredEvent) => boolean) => all.filter(f).length;
        expect(count((e) => hasCategory(e, 'Car Loans') && !hasCategory(e, 'Loans'))).toBeGreaterThan(0);
        expect(count((e) => hasCategory(e, 'Loans') && !hasCategory(e, 'Car Loans'))).toBeGreaterThan(0);
        expect(count((e) => e.category === '')).toBeGreaterThan(0);
        expect(count((e) => e.url.includes('/tv'))).toBeGreaterThan(0);
        expect(CATEGORIES.map((c) => c.name)).toContain('Other');
      });

      it('continues a cursor without gaps or repeats while events keep arriving', async () => {
        const first = await store.listEvents({}, { limit: 5 });
        const later = fx.builder.event({ visit: fx.visits.v1, page: fx.pages.p2, eventName: 'Later' });
        await store.commit([later]);
        const rest = await collect(5, (cursor) =>
          store.listEvents({}, { limit: 5, cursor: cursor ?? first.next! }),
        );
        expect(eventIds([...first.items, ...rest])).toEqual([...eventIds(all), later.event.eventID]);
      });

      it('rejects a cursor it did not issue with invalidParameter', async () => {
        const visitCursor = (await store.listVisits({}, { limit: 1 })).next!;
        for (const cursor of ['garbage!', 'W10', visitCursor]) {
          await expect(store.listEvents({}, { limit: 5, cursor })).rejects.toMatchObject({
            code: 'invalidParameter',
          });
        }
        await expect(store.listVisits({}, { limit: 5, cursor: 'e30' })).rejects.toMatchObject({
          code: 'invalidParameter',
        });
      });
    });

    describe('identities', () => {
      it('merge latest-wins key by key, in one transaction or across many, verified kept apart', async () => {
        const { writes, at } = identityFixture();
        const oneByOne = await openFresh();
        try {
          await store.commit(writes);
          for (const w of writes) await oneByOne.commit([w]);
          for (const s of [store, oneByOne]) {
            expect(await s.getIdentity('jane', false)).toEqual({
              identityId: 'jane',
              verified: false,
              firstName: 'Janet',
              lastName: 'Doe',
              emailAddress: null,
              phoneNumber: null,
              location: 'Paris',
              attributes: { tier: 'silver', pets: 1 },
              firstSeen: at.janeSignIn,
              lastSeen: at.janeInfo,
            });
            expect(await s.getIdentity('jane', true)).toEqual({
              identityId: 'jane',
              verified: true,
              firstName: 'J-verified',
              lastName: null,
              emailAddress: null,
              phoneNumber: null,
              location: null,
              attributes: { vip: true },
              firstSeen: at.janeVerified,
              lastSeen: at.janeVerified,
            });
            expect(await s.getIdentity('bob')).toMatchObject({
              verified: false,
              firstName: 'Bob',
              lastName: 'Builder',
              phoneNumber: '+4712345678',
              attributes: {},
              firstSeen: at.bobInfo,
              lastSeen: at.bobInfoAgain,
            });
          }
        } finally {
          await oneByOne.close();
        }
      });

      it('getIdentity prefers the verified record; ids are exact and case-sensitive', async () => {
        await store.commit(identityFixture().writes);
        expect(await store.getIdentity('jane')).toMatchObject({ verified: true });
        expect(await store.getIdentity('alice')).toMatchObject({ verified: false, location: 'Oslo' });
        expect(await store.getIdentity('alice', true)).toBeNull();
        expect(await store.getIdentity('Jane')).toBeNull();
        expect(await store.getIdentity(' jane ')).toBeNull();
      });

      it('listIdentities orders by identityId, filters, scopes and paginates', async () => {
        const { writes, visits, at } = identityFixture();
        await store.commit(writes);
        const key = (i: { identityId: string; verified: boolean; scope: string | null }) =>
          `${i.identityId}/${i.verified ? 'v' : 'u'}/${i.scope}`;
        const cases: [Parameters<SqlStore['listIdentities']>[0], string[]][] = [
          [{}, ['alice/u/Recognized', 'bob/u/Authenticated', 'jane/u/Authenticated', 'jane/v/Authenticated']],
          [{ location: 'Paris' }, ['jane/u/Authenticated']],
          [{ location: 'paris' }, []],
          [{ verified: true }, ['jane/v/Authenticated']],
          [{ userAgent: UA_A }, ['bob/u/Authenticated', 'jane/u/Authenticated']],
          [{ userAgent: UA_B }, ['alice/u/Recognized', 'bob/u/Authenticated', 'jane/v/Authenticated']],
          [{ visitId: visits.v1 }, ['bob/u/Recognized', 'jane/u/Authenticated']],
          [{ visitId: visits.v1, association: 'Authenticated' }, ['jane/u/Authenticated']],
          [{ visitId: visits.v1, association: 'Recognized' }, ['bob/u/Recognized']],
          [{ visitId: visits.v2, association: 'Recognized' }, ['alice/u/Recognized']],
          [{ visitId: visits.v2, verified: false }, ['alice/u/Recognized']],
          [{ visitId: visits.anonymous }, []],
        ];
        for (const [filter, expected] of cases) {
          for (const limit of [1, 2, 1000]) {
            const got = await collect(limit, (cursor) => store.listIdentities(filter, { limit, cursor }));
            expect(got.map(key), JSON.stringify({ filter, limit })).toEqual(expected);
          }
        }
        expect(await store.latestAssociation('bob', false)).toEqual({
          visitId: visits.v3,
          identityId: 'bob',
          verified: false,
          scope: 'Authenticated',
          associatedAt: at.bobSignIn,
        });
        expect(await store.latestAssociation('bob', true)).toBeNull();
        const filtered = await store.listVisits(
          { identity: { identityId: 'jane', verified: false } },
          { limit: 10 },
        );
        expect(filtered.items.map((v) => v.visitId)).toEqual([visits.v1]);
        const bobs = await store.listVisits(
          { identity: { identityId: 'bob', verified: false } },
          { limit: 10 },
        );
        expect(bobs.items.map((v) => v.visitId)).toEqual([visits.v3, visits.v1]);
      });
    });

    describe('categories', () => {
      const category = (name: string, description = name): Category => ({
        name,
        description,
        tags: [{ expression: name.toLowerCase(), regex: false, caseSensitive: false, fields: ['url'] }],
      });

      it('creates, replaces in place, deletes, lists in order and changes version on every change', async () => {
        const versions = [await store.categoriesVersion()];
        const changed = async () => {
          const v = await store.categoriesVersion();
          expect(v).not.toBe(versions.at(-1));
          versions.push(v);
        };
        expect(await store.listCategories()).toEqual([]);
        expect(await store.putCategory(category('Loans'), T0 + 1)).toBe(true);
        await changed();
        expect(await store.putCategory(category('Cards'), T0 + 2)).toBe(true);
        await changed();
        expect(await store.putCategory(category('Loans', 'replaced'), T0 + 3)).toBe(false);
        await changed();
        expect(await store.categoriesVersion()).toBe(versions.at(-1));
        expect(await store.listCategories()).toEqual([category('Loans', 'replaced'), category('Cards')]);
        expect(await store.deleteCategory('Loans')).toBe(true);
        await changed();
        expect(await store.deleteCategory('Loans')).toBe(false);
        expect(await store.putCategory(category('Loans'), T0 + 5)).toBe(true);
        await changed();
        expect((await store.listCategories()).map((c) => c.name)).toEqual(['Cards', 'Loans']);
        await store.replaceCategories([category('Zed'), category('Alpha'), category('Cards')], T0 + 6);
        await changed();
        expect((await store.listCategories()).map((c) => c.name)).toEqual(['Zed', 'Alpha', 'Cards']);
        expect(await store.putCategory(category('Beta'), T0 + 7)).toBe(true);
        expect((await store.listCategories()).map((c) => c.name)).toEqual(['Zed', 'Alpha', 'Cards', 'Beta']);
        await store.replaceCategories([], T0 + 8);
        await changed();
        expect(await store.listCategories()).toEqual([]);
      });

      it('changes version even when two changes share a millisecond or a node clock lags', async () => {
        await store.putCategory(category('Loans'), T0 + 100);
        await store.putCategory(category('Cards'), T0 + 100);
        const before = await store.categoriesVersion();
        // Same instant as the last change.
        await store.putCategory(category('Cards', 'same millisecond'), T0 + 100);
        const sameMs = await store.categoriesVersion();
        expect(sameMs).not.toBe(before);
        // Another node whose clock is 50 ms behind replaces a category.
        await store.putCategory(category('Loans', 'lagging clock'), T0 + 50);
        expect(await store.categoriesVersion()).not.toBe(sameMs);
        // Delete one and create another in the same millisecond: same count, same latest time.
        const beforeSwap = await store.categoriesVersion();
        await store.deleteCategory('Cards');
        await store.putCategory(category('Bonds'), T0 + 100);
        expect(await store.categoriesVersion()).not.toBe(beforeSwap);
      });
    });

    describe('API keys', () => {
      it('creates, finds by secret, stores only the hash, revokes', async () => {
        const { key, record } = await store.createApiKey('ci', 'full', T0);
        const other = await store.createApiKey('dashboard', 'read', T0 + 1);
        expect(record).toEqual({
          keyId: expect.any(String),
          name: 'ci',
          role: 'full',
          createdAt: T0,
          revokedAt: null,
        });
        expect(key).not.toBe(other.key);
        expect(await store.findApiKey(key)).toEqual(record);
        expect(await store.findApiKey(other.key)).toEqual(other.record);
        expect(await store.findApiKey(`${key}x`)).toBeNull();
        expect(await store.findApiKey('')).toBeNull();

        const rows = await store.driver.all<Record<string, unknown>>('SELECT * FROM api_keys');
        const stored = JSON.stringify(rows);
        expect(stored).not.toContain(key);
        // The secret is everything after `bk_<keyId>_`; it may itself contain '_' (base64url).
        const prefix = `bk_${record.keyId}_`;
        expect(key.startsWith(prefix)).toBe(true);
        const secret = key.slice(prefix.length);
        expect(secret).toHaveLength(32);
        expect(stored).not.toContain(secret);
        const hash = createHash('sha256').update(key).digest('hex');
        expect(hashApiKey(key)).toBe(hash);
        expect(rows.find((r) => r.key_id === record.keyId)?.key_hash).toBe(hash);

        expect(await store.revokeApiKey(record.keyId, T0 + 10)).toBe(true);
        expect(await store.revokeApiKey(record.keyId, T0 + 11)).toBe(false);
        expect(await store.revokeApiKey('NOSUCHKEY', T0 + 11)).toBe(false);
        expect(await store.findApiKey(key)).toBeNull();
        expect(await store.findApiKey(other.key)).toEqual(other.record);
        expect(await store.listApiKeys()).toEqual([{ ...record, revokedAt: T0 + 10 }, other.record]);
      });
    });

    describe('retention', () => {
      it('purges old visits with their rows, and identities old and no longer linked', async () => {
        const b = new HistoryBuilder();
        const old = testId('VO', 1);
        const recent = testId('VO', 2);
        const writes = [
          ...b.startVisit({ visit: old, page: testId('PO', 1) }),
          b.event({ visit: old, page: testId('PO', 1), eventName: 'SignIn', data: { userId: 'gone' } }),
        ];
        const goneSeen = writes.at(-1)!.event.receivedAt;
        b.now = T0 + 10 * 86_400_000;
        writes.push(...b.startVisit({ visit: recent, page: testId('PO', 2) }));
        writes.push(
          b.event({ visit: recent, page: testId('PO', 2), eventName: 'UserInfo', data: { userId: 'kept' } }),
        );
        await store.commit(writes);
        const action =
          'INSERT INTO actionable_events (actionable_id, visit_id, rule_id, created_at, body) VALUES (?, ?, ?, ?, ?)';
        await store.driver.run(action, ['A1', old, 'r', T0, '{}']);
        await store.driver.run(action, ['A2', recent, 'r', b.now, '{}']);
        const cutoff = T0 + 86_400_000;

        // The old identity was seen after `identitiesBefore`: its visit goes, it stays (unlinked) for now.
        expect(await store.purge(cutoff, goneSeen)).toEqual({ visits: 1, identities: 0 });
        expect(await store.getVisit(old)).toBeNull();
        expect(await store.getPage(testId('PO', 1))).toBeNull();
        expect((await store.listEvents({ visitId: old }, { limit: 10 })).items).toEqual([]);
        expect(await store.latestAssociation('gone', false)).toBeNull();
        expect(await store.getIdentity('gone')).not.toBeNull();
        const actions = await store.driver.all<{ actionable_id: string }>(
          'SELECT actionable_id FROM actionable_events',
        );
        expect(actions.map((a) => a.actionable_id)).toEqual(['A2']);

        expect(await store.purge(cutoff, cutoff)).toEqual({ visits: 0, identities: 1 });
        expect(await store.getIdentity('gone')).toBeNull();
        // `kept` is old enough by date but still linked to a live visit.
        expect(await store.purge(cutoff, b.now + 1)).toEqual({ visits: 0, identities: 0 });
        expect(await store.getIdentity('kept')).not.toBeNull();
        expect((await store.listEvents({}, { limit: 10 })).items.map((e) => e.visitID)).toEqual([
          recent,
          recent,
          recent,
        ]);
      });
    });
  });
}
