import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IdentityResource, VisitResource } from '@beckon/protocol';
import { T0, newId } from '../testing/test-app.js';
import {
  IDENTITY_FIELDS,
  UA_A,
  UA_B,
  UA_C,
  VISIT_FIELDS,
  createHistoryFixture,
} from '../testing/history-fixture.js';
import type { HistoryFixture } from '../testing/history-fixture.js';

let f: HistoryFixture;
beforeAll(async () => {
  f = await createHistoryFixture();
});
afterAll(async () => {
  await f.t.close();
});

const ok = async <T>(path: string): Promise<T> => {
  const res = await f.t.get(path);
  expect(res.statusCode, `${path}: ${res.body}`).toBe(200);
  return res.json<T>();
};
const expectError = async (path: string, status: number, code: string, mentions?: string) => {
  const res = await f.t.get(path);
  expect(res.statusCode, `${path}: ${res.body}`).toBe(status);
  expect(res.json().code).toBe(code);
  if (mentions) expect(res.json().message).toContain(mentions);
};
const ids = (identities: IdentityResource[]) => identities.map((i) => i.identityId);
const JANE = 'jane@example.com';
const BOB = 'bob@example.com';
const ua = encodeURIComponent;

describe('GET /server/data/identities/{identityId}', () => {
  it('returns the §12.2 Identity with exactly its fields', async () => {
    const jane = await ok<IdentityResource>(`/identities/${JANE}`);
    expect(Object.keys(jane)).toStrictEqual(IDENTITY_FIELDS);
    expect(jane).toStrictEqual({
      identityId: JANE,
      name: 'Jane Doe',
      location: 'Paris',
      entityInCS: null,
      visitScope: 'Authenticated', // the latest association (visit b)
      visitIds: null,
      visits: null,
      pageIds: null,
      pages: null,
      eventIds: null,
      events: null,
      verified: false,
      firstName: 'Jane',
      lastName: 'Doe',
      emailAddress: JANE,
      phoneNumber: null,
      attributes: { tier: 'gold' },
      firstSeen: T0 + 2000,
      lastSeen: T0 + 102_000,
    });
  });

  it('fills visits, pages and events of all associated visits on request', async () => {
    const jane = await ok<IdentityResource>(
      `/identities/${JANE}?include_visits=true&include_visits_detail=true&include_pages=true&include_events=true`,
    );
    expect(jane.visitIds).toStrictEqual([f.b.visitID, f.a.visitID]);
    expect(jane.visits?.map((v) => Object.keys(v))).toStrictEqual([VISIT_FIELDS, VISIT_FIELDS]);
    expect(jane.pageIds).toStrictEqual([f.pages.p1, f.pages.p2, f.pages.p3]);
    expect(jane.pages).toBeNull();
    expect(jane.eventIds).toHaveLength(f.eventsA.length + 4);
    expect(jane.events).toBeNull();
    await expectError(
      `/identities/${JANE}?include_events_detail=true`,
      400,
      'invalidParameter',
      'include_events',
    );
  });

  it('answers 404 notFound to an unknown identity', async () => {
    await expectError('/identities/nobody@example.com', 404, 'notFound');
    await expectError('/identities/nobody/visits', 404, 'notFound');
  });
});

describe('GET /server/data/visits/{visitId}/identities', () => {
  it('lists the identities of a visit with their scope in that visit', async () => {
    const inB = await ok<IdentityResource[]>(`/visits/${f.b.visitID}/identities`);
    expect(ids(inB)).toStrictEqual([BOB, JANE]); // ordered by identityId
    expect(inB.map((i) => i.visitScope)).toStrictEqual(['Recognized', 'Authenticated']);
    for (const i of inB) expect(Object.keys(i)).toStrictEqual(IDENTITY_FIELDS);
    expect(ids(await ok(`/visits/${f.c.visitID}/identities`))).toStrictEqual([]);
  });

  it('filters by association', async () => {
    const b = `/visits/${f.b.visitID}/identities`;
    expect(ids(await ok(`${b}?association=Authenticated`))).toStrictEqual([JANE]);
    expect(ids(await ok(`${b}?association=Recognized`))).toStrictEqual([BOB]);
    expect(ids(await ok(`/visits/${f.a.visitID}/identities?association=Recognized`))).toStrictEqual([]);
    await expectError(`${b}?association=Anonymous`, 400, 'invalidParameter', 'association');
  });

  it('fills include lists', async () => {
    const [bob] = await ok<IdentityResource[]>(
      `/visits/${f.b.visitID}/identities?association=Recognized&include_visits=true&include_pages=true&include_pages_detail=true&include_events=true&include_events_detail=true`,
    );
    expect(bob?.visitIds).toStrictEqual([f.b.visitID]);
    expect(bob?.visits).toBeNull();
    expect(bob?.pageIds).toStrictEqual([f.pages.p3]);
    expect(bob?.pages?.map((p) => p.pageId)).toStrictEqual([f.pages.p3]);
    expect(bob?.events?.map((e) => e.eventName)).toStrictEqual([
      'VisitStarted',
      'PageEntered',
      'UserInfo',
      'SignIn',
    ]);
  });

  it('answers 404 for an unknown visit', async () => {
    await expectError(`/visits/${newId()}/identities`, 404, 'notFound');
  });
});

describe('GET /server/data/identities', () => {
  it('lists all identities by identityId, filtered by location and userAgent', async () => {
    expect(ids(await ok('/identities'))).toStrictEqual([BOB, JANE]);
    expect(ids(await ok('/identities?location=Paris'))).toStrictEqual([JANE]);
    expect(ids(await ok('/identities?location=paris'))).toStrictEqual([]);
    expect(ids(await ok(`/identities?userAgent=${ua(UA_A)}`))).toStrictEqual([JANE]);
    expect(ids(await ok(`/identities?userAgent=${ua(UA_B)}`))).toStrictEqual([BOB, JANE]);
    expect(ids(await ok(`/identities?userAgent=${ua(UA_C)}`))).toStrictEqual([]);
    const [bob] = await ok<IdentityResource[]>('/identities?location=Lyon&include_visits=true');
    expect(bob?.visitIds).toStrictEqual([f.b.visitID]);
    expect(bob?.visitScope).toBe('Recognized');
  });
});

describe('GET /server/data/identities/{identityId}/visits', () => {
  const visits = (query = '') => ok<VisitResource[]>(`/identities/${JANE}/visits${query}`);
  const vids = (list: VisitResource[]) => list.map((v) => v.visitId);

  it('lists the visits of an identity newest first, filtered by age, globalVisitID and userAgent', async () => {
    expect(vids(await visits())).toStrictEqual([f.b.visitID, f.a.visitID]);
    expect(vids(await visits('?age=250'))).toStrictEqual([f.b.visitID]); // started at T0 + 100 s; now T0 + 300 s
    expect(vids(await visits('?age=150'))).toStrictEqual([]);
    expect(vids(await visits(`?globalVisitID=${f.a.globalVisitID}`))).toStrictEqual([
      f.b.visitID,
      f.a.visitID,
    ]);
    expect(vids(await visits(`?globalVisitID=${f.c.globalVisitID}`))).toStrictEqual([]);
    expect(vids(await visits(`?userAgent=${ua(UA_A)}`))).toStrictEqual([f.a.visitID]);
    expect(vids(await visits(`?userAgent=${ua(UA_C)}`))).toStrictEqual([]);
  });

  it('fills pages and events of each visit on request', async () => {
    const [b] = await visits('?age=250&include_pages=true&include_events=true&include_events_detail=true');
    expect(b?.pageIds).toStrictEqual([f.pages.p3]);
    expect(b?.pages).toBeNull();
    expect(b?.events?.map((e) => e.eventName)).toStrictEqual([
      'VisitStarted',
      'PageEntered',
      'UserInfo',
      'SignIn',
    ]);
    await expectError(`/identities/${JANE}/visits?age=-5`, 400, 'invalidParameter', 'age');
    await expectError(
      `/identities/${JANE}/visits?globalVisitID=%20`,
      400,
      'invalidParameter',
      'globalVisitID',
    );
  });
});
