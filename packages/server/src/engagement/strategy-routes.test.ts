import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp } from '../testing/test-app.js';
import type { TestApp } from '../testing/test-app.js';

const QUIET = `<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript" initial="idle">
  <state id="idle"><transition event="actionable" target="done"/></state>
  <final id="done"/>
</scxml>`;
const BROKEN = `<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript" initial="idle">
  <state id="idle"><transition event="actionable" target="nowhere"/></state>
</scxml>`;

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const put = (app: TestApp, name: string, body: string) =>
  app.api({
    method: 'PUT',
    url: `/server/data/strategies/${name}`,
    headers: { 'content-type': 'application/scxml+xml' },
    payload: body,
  });

describe('strategy deployment', () => {
  it('deploys through REST, lists and serves the source; a broken document is a compileError with its line', async () => {
    t = await createTestApp({ contactCenter: true });
    expect((await put(t, 'quiet', QUIET)).statusCode).toBe(200);
    expect((await t.get('/strategies')).json()).toEqual(['default', 'quiet']);
    expect((await t.get('/strategies/quiet')).body).toContain('<final id="done"/>');
    const bad = await put(t, 'broken', BROKEN);
    expect(bad.statusCode).toBe(400);
    const body = bad.json() as { code: string; errors: { line: number; message: string }[] };
    expect(body.code).toBe('compileError');
    expect(body.errors[0]).toMatchObject({ line: 2, message: expect.stringContaining('nowhere') });
    expect((await t.get('/strategies/broken')).statusCode).toBe(404);
  });

  it('deploys strategies/*.scxml with the application', async () => {
    t = await createTestApp({ contactCenter: true });
    const files = { 'strategies/quiet.scxml': Buffer.from(QUIET).toString('base64') };
    const res = await t.api({ method: 'PUT', url: '/server/data/applications/bank', payload: { files } });
    expect(res.statusCode).toBe(200);
    expect((await t.get('/strategies')).json()).toContain('quiet');
  });
});
