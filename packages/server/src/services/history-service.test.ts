import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IdentityResource, IngestResult, PageResource, VisitResource } from '@beckon/protocol';
import { T0, createTestApp, newId, testVisit } from '../testing/test-app.js';
import type { TestApp } from '../testing/test-app.js';
import { EMBED_LIMIT } from './history-service.js';

const SECRET = 'application-secret';
const sign = (userId: string) => createHmac('sha256', SECRET).update(userId, 'utf8').digest('hex');

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ config: { security: { applicationSecret: SECRET } } });
});
afterAll(async () => {
  await t.close();
});

describe('embedded lists', () => {
  it(`hold at most ${EMBED_LIMIT} items and flag the cut with <X>Truncated`, async () => {
    const v = testVisit();
    for (let i = 0; i < 11; i++) {
      const res = await t.send(Array.from({ length: 100 }, () => v.event()));
      expect(res.json<IngestResult>().accepted).toBe(100);
    }
    const visit = (await t.get(`/visits/${v.visitID}?include_events=true`)).json<VisitResource>();
    expect(visit.eventIds).toHaveLength(EMBED_LIMIT);
    expect(visit.eventsTruncated).toBe(true);
    const small = (await t.get(`/visits/${v.visitID}?include_pages=true`)).json<VisitResource>();
    expect(small.pageIds).toHaveLength(1);
    expect(small.pagesTruncated).toBeUndefined();
    const [page] = (await t.get(`/visits/${v.visitID}/pages?include_events=true`)).json<PageResource[]>();
    expect(page?.eventIds).toHaveLength(EMBED_LIMIT);
    expect(page?.eventsTruncated).toBe(true);
    // The list endpoint itself pages through all of them.
    const all = await t.get(`/visits/${v.visitID}/events?limit=1000`);
    expect(all.json()).toHaveLength(1000);
    expect(all.headers['x-beckon-next-cursor']).toBeDefined();
  });
});

describe('verified and unverified identities (spec/compat.md §14)', () => {
  it('keeps them apart and prefers the verified one unless `verified` says otherwise', async () => {
    const v = testVisit();
    const w = testVisit();
    const signIn = (data: Record<string, unknown>) => ({ eventType: 'SYSTEM', eventName: 'SignIn', data });
    const res = await t.send([
      v.event(signIn({ userId: 'ann', userIdSignature: sign('ann'), firstName: 'Ann' })),
      w.event(signIn({ userId: 'ann', firstName: 'Impostor' })),
      w.event(signIn({ userId: 'ann', userIdSignature: sign('someone-else') })),
    ]);
    expect(res.json()).toMatchObject({ accepted: 2, rejected: [{ index: 2, code: 'invalidSignature' }] });

    const preferred = (await t.get('/identities/ann?include_visits=true')).json<IdentityResource>();
    expect(preferred).toMatchObject({ verified: true, firstName: 'Ann', visitIds: [v.visitID] });
    const unverified = (
      await t.get('/identities/ann?verified=false&include_visits=true')
    ).json<IdentityResource>();
    expect(unverified).toMatchObject({ verified: false, firstName: 'Impostor', visitIds: [w.visitID] });
    const listed = (await t.get('/identities?verified=true')).json<IdentityResource[]>();
    expect(listed.filter((i) => i.identityId === 'ann').map((i) => i.verified)).toStrictEqual([true]);
    const visits = (await t.get('/identities/ann/visits?verified=false')).json<VisitResource[]>();
    expect(visits.map((x) => x.visitId)).toStrictEqual([w.visitID]);
    expect((await t.get('/identities/ann?verified=maybe')).statusCode).toBe(400);
  });
});

describe('visits created through the API', () => {
  it('take tracker events afterwards', async () => {
    const visitId = newId();
    const globalVisitID = newId();
    const created = await t.api({
      method: 'POST',
      url: '/server/data/visits',
      payload: { visitId, globalVisitID, userAgent: 'Kiosk/1.0' },
    });
    expect(created.statusCode).toBe(201);
    const v = testVisit({ visitID: visitId, globalVisitID });
    const res = await t.send([
      v.event({ eventType: 'SYSTEM', eventName: 'PageEntered', data: { title: 'Kiosk' } }),
    ]);
    expect(res.json()).toStrictEqual({ accepted: 1, duplicates: 0, rejected: [] });
    const visit = (await t.get(`/visits/${visitId}?include_pages=true`)).json<VisitResource>();
    expect(visit).toMatchObject({ userAgent: 'Kiosk/1.0', pageCount: 1, pageIds: [v.pageID] });
  });
});

describe('visit end', () => {
  it('reports endDate once the visit reaches engagement.visitExpirationTime', async () => {
    const short = await createTestApp({ config: { engagement: { visitExpirationTime: 600 } } });
    try {
      const v = testVisit();
      await short.send([v.event()]);
      short.clock.set(T0 + 300_000);
      await short.send([v.event()]);
      expect((await short.get(`/visits/${v.visitID}`)).json().endDate).toBe(0);
      short.clock.set(T0 + 600_000);
      expect((await short.get(`/visits/${v.visitID}`)).json().endDate).toBe(T0 + 300_000);
      const late = await short.send([v.event()]);
      expect(late.json()).toMatchObject({ accepted: 0, rejected: [{ index: 0, code: 'visitExpired' }] });
    } finally {
      await short.close();
    }
  });
});
