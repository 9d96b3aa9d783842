import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, testVisit, type TestApp } from '../testing/test-app.js';
import type { PushMessage } from './hub.js';

let t: TestApp;
const pushed: Array<[string, PushMessage]> = [];
const visit = testVisit();

beforeAll(async () => {
  t = await createTestApp();
  const hub = t.services.notifications;
  const push = hub.push.bind(hub);
  hub.push = (v, m) => {
    pushed.push([v, m]);
    push(v, m);
  };
  await t.send([visit.event()]);
});
afterAll(() => t?.close());

const notify = (body: unknown, visitID = visit.visitID, key?: string) =>
  t.api({
    method: 'POST',
    url: `/server/data/notification/notify/${visitID}`,
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    payload: JSON.stringify(body),
  });

describe('POST /server/data/notification/notify/{visitID}', () => {
  it('pushes each message in order and answers 200 with an empty body', async () => {
    pushed.length = 0;
    const res = await notify([
      { page: visit.pageID, channel: 'gpe.appendContent', data: { url: 'https://x/a.html' } },
      { channel: 'gpe.custom.hello' },
    ]);
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('');
    expect(pushed).toEqual([
      [
        visit.visitID,
        { channel: 'gpe.appendContent', data: { url: 'https://x/a.html' }, page: visit.pageID },
      ],
      [visit.visitID, { channel: 'gpe.custom.hello', data: {} }],
    ]);
  });

  it('rejects channels without the gpe. prefix, empty and oversized batches', async () => {
    pushed.length = 0;
    const prefix = await notify([{ channel: 'gpe.ok' }, { channel: 'custom.x', data: {} }]);
    expect(prefix.statusCode).toBe(400);
    expect(prefix.json()).toMatchObject({ code: 'invalidField' });
    expect((await notify([])).statusCode).toBe(400);
    const many = Array.from({ length: 21 }, () => ({ channel: 'gpe.x' }));
    expect((await notify(many)).statusCode).toBe(400);
    expect((await notify({ channel: 'gpe.x' })).statusCode).toBe(400);
    expect(pushed).toEqual([]);
  });

  it('answers 404 for an unknown visit and 400 for a malformed visitID', async () => {
    expect((await notify([{ channel: 'gpe.x' }], testVisit().visitID)).json()).toMatchObject({
      code: 'notFound',
    });
    expect((await notify([{ channel: 'gpe.x' }], 'bad!id')).statusCode).toBe(400);
  });

  it('requires an API key with write rights', async () => {
    const none = await t.app.inject({
      method: 'POST',
      url: `/server/data/notification/notify/${visit.visitID}`,
      headers: { 'content-type': 'application/json' },
      payload: '[{"channel":"gpe.x"}]',
    });
    expect(none.statusCode).toBe(401);
    expect((await notify([{ channel: 'gpe.x' }], visit.visitID, t.readKey)).statusCode).toBe(403);
  });
});
