import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, newId, testVisit } from '../testing/test-app.js';
import type { TestApp } from '../testing/test-app.js';

const LOANS = `package default

rule "loan-shopper"
  cooldown 30m
when count(event PageEntered in "Loans" distinct url) within 5m >= 3
then engage callback "LoanAdvice" queue "loans" data { lastPage: last.url }
end
`;

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** Polls `read` until `done` (up to ~10 s: rule state and hits are committed by the SQLite writer thread). */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 500; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
  return read();
}

async function loansCategory(app: TestApp) {
  const res = await app.api({
    method: 'PUT',
    url: '/server/data/categories/Loans',
    payload: { tags: [{ expression: '/loans/' }] },
  });
  expect(res.statusCode).toBe(201);
}

/** Deploys `text` as package `default` through the REST endpoint. */
async function deployDefault(app: TestApp, text: string): Promise<void> {
  const res = await app.api({
    method: 'PUT',
    url: '/server/data/rules/packages/default',
    headers: { 'content-type': 'text/x-beckon-rules' },
    payload: text,
  });
  expect(res.statusCode).toBe(200);
}

describe('rules wired into the server', () => {
  it('three loan pages → one actionable event stored with the visit and published on the bus', async () => {
    t = await createTestApp();
    await loansCategory(t);
    await deployDefault(t, LOANS);
    const published: unknown[] = [];
    t.bus.subscribe('actionable', (m) => published.push(m));

    const v = testVisit();
    for (const page of ['a', 'b', 'c']) {
      const res = await t.send([
        v.event({
          eventType: 'SYSTEM',
          eventName: 'PageEntered',
          pageID: newId(),
          url: `https://bank.example/loans/${page}`,
        }),
      ]);
      expect(res.statusCode).toBe(202);
    }
    const hits = await until(
      async () =>
        (await t!.get(`/visits/${v.visitID}/actionable`)).json() as { ruleId: string; data: unknown }[],
      (list) => list.length > 0,
    );
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({
      ruleId: 'default/loan-shopper',
      name: 'LoanAdvice',
      data: { lastPage: 'https://bank.example/loans/c' },
      engagement: { channel: 'callback', queue: 'loans' },
    });
    // The hit is readable as soon as the writer thread has committed it, and published only once the main thread
    // has heard back from that commit: a read can come in between.
    await until(
      async () => published.length,
      (count) => count > 0,
    );
    expect(published).toHaveLength(1);

    const list = (await t.get('/rules/packages')).json() as { name: string; ruleCount: number }[];
    expect(list).toMatchObject([{ name: 'default', ruleCount: 1 }]);
    const text = await t.api({
      url: '/server/data/rules/packages/default',
      headers: { accept: 'text/x-beckon-rules' },
    });
    expect(text.body).toContain('rule "loan-shopper"');
  });

  it("a pending timer does not move the visit's time line: timers run on the app's clock", async () => {
    // the test app's clock stands years before the real one; a timer armed on the system clock fired at once,
    // moved the visit's time base to the real time, and the next events fell outside every window
    t = await createTestApp();
    await loansCategory(t);
    await deployDefault(t, `${LOANS}\nrule "idle"\nwhen idle 60s\nthen emit "Idle"\nend\n`);
    const v = testVisit();
    for (const page of ['a', 'b', 'c']) {
      v.newPage();
      await t.send([
        v.event({ eventType: 'SYSTEM', eventName: 'PageEntered', url: `https://bank.example/loans/${page}` }),
      ]);
      // let the evaluation commit and arm the visit's idle timer before the next event
      await until(
        async () => (await t!.get(`/visits/${v.visitID}/events`)).json() as unknown[],
        (list) => list.length > 0,
      );
      await new Promise((r) => setTimeout(r, 50));
    }
    const hits = await until(
      async () => (await t!.get(`/visits/${v.visitID}/actionable`)).json() as { ruleId: string }[],
      (list) => list.length > 0,
    );
    expect(hits.map((h) => h.ruleId)).toEqual(['default/loan-shopper']);
  });

  it('a package that does not compile is a 400 compileError with line and column', async () => {
    t = await createTestApp();
    const res = await t.api({
      method: 'PUT',
      url: '/server/data/rules/packages/default',
      headers: { 'content-type': 'text/x-beckon-rules' },
      payload: 'package default\n\nrule "x"\nwhen event\nthen engage chat "X"\nend\n',
    });
    expect(res.statusCode).toBe(400);
    const body = res.json() as { code: string; errors: { line: number; column: number; message: string }[] };
    expect(body.code).toBe('compileError');
    expect(body.errors[0]).toMatchObject({ line: expect.any(Number), column: expect.any(Number) });
    const read = await t.api({
      method: 'PUT',
      url: '/server/data/rules/packages/default',
      headers: { 'content-type': 'text/x-beckon-rules', authorization: `Bearer ${t.readKey}` },
      payload: LOANS,
    });
    expect(read.statusCode).toBe(403);
  });

  it('deploys rules/*.rules with the application, and rejects a broken one', async () => {
    t = await createTestApp();
    const files = (rules: string) => ({
      files: {
        'rules/loans.rules': Buffer.from(rules).toString('base64'),
        'resources/x.html': Buffer.from('x').toString('base64'),
      },
    });
    const ok = await t.api({ method: 'PUT', url: '/server/data/applications/bank', payload: files(LOANS) });
    expect(ok.statusCode).toBe(200);
    expect(((await t.get('/rules/packages')).json() as unknown[]).length).toBe(1);
    const bad = await t.api({
      method: 'PUT',
      url: '/server/data/applications/bank',
      payload: files('package default\nrule'),
    });
    expect(bad.statusCode).toBe(400);
    expect((bad.json() as { code: string }).code).toBe('compileError');
  });

  it('unknown visit → 404 on /actionable', async () => {
    t = await createTestApp();
    expect((await t.get(`/visits/${newId()}/actionable`)).statusCode).toBe(404);
  });
});
