import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Category, StoredEvent } from '@beckon/protocol';
import { createTestApp, testVisit } from '../testing/test-app.js';
import type { TestApp } from '../testing/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const put = (name: string, payload: unknown) =>
  t.api({
    method: 'PUT',
    url: `/server/data/categories/${encodeURIComponent(name)}`,
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify(payload),
  });
const remove = (name: string) =>
  t.api({ method: 'DELETE', url: `/server/data/categories/${encodeURIComponent(name)}` });
const list = async () => (await t.get('/categories')).json<Category[]>();

describe('categories API (spec/compat.md §11)', () => {
  it('creates with 201, replaces with 200, and fills tag defaults', async () => {
    const created = await put('Loans', { description: 'Loan pages', tags: [{ expression: '/loans/' }] });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toStrictEqual({
      name: 'Loans',
      description: 'Loan pages',
      tags: [{ expression: '/loans/', regex: false, caseSensitive: false, fields: ['url', 'title'] }],
    });
    const replaced = await put('Loans', {
      name: 'Loans',
      tags: [
        { expression: '^Mortgage', regex: true, caseSensitive: true, fields: ['title', 'data.product.kind'] },
      ],
    });
    expect(replaced.statusCode).toBe(200);
    expect(replaced.json()).toStrictEqual({
      name: 'Loans',
      description: '',
      tags: [
        { expression: '^Mortgage', regex: true, caseSensitive: true, fields: ['title', 'data.product.kind'] },
      ],
    });
    expect(await list()).toStrictEqual([replaced.json()]);
    expect((await remove('Loans')).statusCode).toBe(204);
  });

  it('lists in definition order; a replaced category keeps its place', async () => {
    for (const name of ['Zeta', 'Alpha', 'Home & Garden']) {
      expect((await put(name, { tags: [{ expression: name }] })).statusCode).toBe(201);
    }
    expect((await put('Zeta', { tags: [{ expression: 'z2' }] })).statusCode).toBe(200);
    expect((await list()).map((c) => c.name)).toStrictEqual(['Zeta', 'Alpha', 'Home & Garden']);
    for (const name of ['Zeta', 'Alpha', 'Home & Garden']) expect((await remove(name)).statusCode).toBe(204);
    expect(await list()).toStrictEqual([]);
  });

  it('deletes with 204, then answers 404 notFound', async () => {
    await put('Temp', { tags: [{ expression: 'x' }] });
    const first = await remove('Temp');
    expect(first.statusCode).toBe(204);
    expect(first.body).toBe('');
    const again = await remove('Temp');
    expect(again.statusCode).toBe(404);
    expect(again.json()).toMatchObject({ code: 'notFound' });
  });

  it('answers 400 to a broken regular expression, saying so, and stores nothing', async () => {
    const res = await put('Broken', { tags: [{ expression: '([a-z', regex: true }] });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('invalidField');
    expect(res.json().message).toMatch(/regular expression/);
    expect(res.json().message).toContain('tags[0].expression');
    expect(await list()).toStrictEqual([]);
    // Not a regex: the same text is a plain substring and is fine.
    expect((await put('Broken', { tags: [{ expression: '([a-z' }] })).statusCode).toBe(201);
    await remove('Broken');
  });

  it('answers 400 naming the field to other invalid bodies', async () => {
    const cases: [string, unknown, RegExp][] = [
      ['A', { tags: 'x' }, /tags/],
      ['A', { tags: [{ expression: '' }] }, /expression/],
      ['A', { tags: [{ expression: 'x', fields: ['body'] }] }, /fields/],
      ['A', { tags: [{ expression: 'x', regex: 'yes' }] }, /regex/],
      ['A', { name: 'B', tags: [] }, /name/],
      ['A;B', { tags: [] }, /name/],
      ['A', [1, 2], /object/],
    ];
    for (const [name, body, message] of cases) {
      const res = await put(name, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(['invalidField', 'invalidParameter', 'missingField']).toContain(res.json().code);
      expect(res.json().message).toMatch(message);
    }
    const tooLong = await put('x'.repeat(65), { tags: [] });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json().message).toMatch(/name/);
    expect(await list()).toStrictEqual([]);
  });

  it('gives an event every matching category in definition order, joined by ;', async () => {
    await put('Products', { tags: [{ expression: '/shop/' }] });
    await put('Sale', { tags: [{ expression: 'sale', fields: ['data.campaign'] }] });
    await put('Never', { tags: [{ expression: 'nothing-matches-this' }] });
    const v = testVisit();
    await t.send([
      v.event({ url: 'https://x.example/shop/tv', data: { campaign: 'SALE-2024' } }),
      v.event({ url: 'https://x.example/shop/tv' }),
      v.event({ url: 'https://x.example/about', data: { campaign: 'sale' } }),
      v.event({ url: 'https://x.example/about' }),
    ]);
    const events = (await t.get(`/visits/${v.visitID}/events`)).json<StoredEvent[]>();
    expect(events.map((e) => e.category)).toStrictEqual(['Products;Sale', 'Products', 'Sale', '']);
    const sale = (await t.get(`/visits/${v.visitID}/events?category=Sale`)).json<StoredEvent[]>();
    expect(sale.map((e) => e.category)).toStrictEqual(['Products;Sale', 'Sale']);
    const any = (await t.get(`/visits/${v.visitID}/events?category=all%20categories`)).json<StoredEvent[]>();
    expect(any).toHaveLength(3);
    for (const name of ['Products', 'Sale', 'Never']) await remove(name);
  });
});
