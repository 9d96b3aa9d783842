import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../testing/test-app.js';
import type { TestApp } from '../testing/test-app.js';
import { CategoryService } from './category-service.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const input = (url: string, title = '') => ({
  url,
  title,
  referrer: '',
  eventName: 'E',
  languageCode: null,
  data: {},
});

describe('CategoryService', () => {
  it('applies an edit made on another node once it polls the store', async () => {
    const other = new CategoryService({ store: t.store, now: t.clock.now });
    await other.reload();
    t.clock.advance(1000);
    await t.services.categories.put('Cars', { tags: [{ expression: '/cars/' }] });
    expect(t.services.categories.categorizer.categorize(input('https://x/cars/1'))).toBe('Cars');
    expect(other.categorizer.categorize(input('https://x/cars/1'))).toBe('');
    await other.reloadIfChanged();
    expect(other.categorizer.categorize(input('https://x/cars/1'))).toBe('Cars');

    t.clock.advance(1000);
    await t.services.categories.put('Cars', { tags: [{ expression: '/autos/' }] });
    await other.reloadIfChanged();
    expect(other.categorizer.categorize(input('https://x/cars/1'))).toBe('');
    expect(other.categorizer.categorize(input('https://x/autos/1'))).toBe('Cars');

    t.clock.advance(1000);
    await t.services.categories.remove('Cars');
    await other.reloadIfChanged();
    expect(other.categorizer.categorize(input('https://x/autos/1'))).toBe('');
  });

  it('replaceAll validates every category first, so a bad import changes nothing', async () => {
    const categories = t.services.categories;
    t.clock.advance(1000);
    await categories.replaceAll([{ name: 'A', tags: [{ expression: 'a' }] }]);
    await expect(
      categories.replaceAll([
        { name: 'B', tags: [{ expression: 'b' }] },
        { name: 'C', tags: [{ expression: '(', regex: true }] },
      ]),
    ).rejects.toMatchObject({ code: 'invalidField', message: expect.stringMatching(/categories\[1\]/) });
    await expect(
      categories.replaceAll([
        { name: 'B', tags: [] },
        { name: 'B', tags: [] },
      ]),
    ).rejects.toMatchObject({ message: expect.stringMatching(/duplicate/) });
    await expect(categories.replaceAll({ name: 'B' })).rejects.toMatchObject({ code: 'invalidField' });
    expect((await categories.list()).map((c) => c.name)).toStrictEqual(['A']);
    t.clock.advance(1000);
    await categories.replaceAll([
      { name: 'Y', tags: [{ expression: 'y' }] },
      { name: 'X', tags: [{ expression: 'x' }] },
    ]);
    expect((await categories.list()).map((c) => c.name)).toStrictEqual(['Y', 'X']);
    expect(categories.categorizer.categorize(input('https://x/yx'))).toBe('Y;X');
    await categories.replaceAll([]);
  });
});
