import { describe, it, expect } from 'vitest';
import type { Category } from '@beckon/protocol';
import type { CategorizeInput } from '../ingest/sessionize.js';
import { compileCategories, validateCategory } from './category.js';
import type { CategoryValidation } from './category.js';

const input = (patch: Partial<CategorizeInput> = {}): CategorizeInput => ({
  url: 'https://bank.example.com/',
  title: '',
  referrer: '',
  eventName: 'PageEntered',
  languageCode: null,
  data: {},
  ...patch,
});

/** Validates then compiles one category of one tag. */
function tagMatches(tag: Record<string, unknown>, patch: Partial<CategorizeInput>): boolean {
  const result = validateCategory({ name: 'C', tags: [tag] });
  if (!result.ok) throw new Error(result.message);
  return compileCategories([result.category]).categorize(input(patch)) === 'C';
}

function expectInvalid(result: CategoryValidation, field: string, text?: string): void {
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.field).toBe(field);
  // The whole body has no field name to quote.
  if (field !== 'body') expect(result.message).toContain(field);
  if (text) expect(result.message).toContain(text);
}

describe('validateCategory', () => {
  it('accepts the §11 example and fills defaults', () => {
    const result = validateCategory({ name: 'Loans', tags: [{ expression: '/loans/' }] });
    expect(result).toEqual({
      ok: true,
      category: {
        name: 'Loans',
        description: '',
        tags: [{ expression: '/loans/', regex: false, caseSensitive: false, fields: ['url', 'title'] }],
      },
    });
  });

  it('takes the name from the path, and refuses a body name that differs', () => {
    const result = validateCategory({ tags: [] }, 'Loans');
    expect(result.ok && result.category.name).toBe('Loans');
    expect(validateCategory({ name: 'Loans', tags: [] }, 'Loans').ok).toBe(true);
    expectInvalid(validateCategory({ name: 'Other', tags: [] }, 'Loans'), 'name');
  });

  it('accepts every allowed field, data paths included', () => {
    const fields = [
      'url',
      'title',
      'eventName',
      'languageCode',
      'referrer',
      'data.a',
      'data.a.b',
      'data.x-y.z_1',
    ];
    const result = validateCategory({ name: 'C', tags: [{ expression: 'x', fields }] });
    expect(result.ok && result.category.tags[0]?.fields).toEqual(fields);
  });

  it('accepts names of 1-64 characters without ";" or control characters', () => {
    expect(validateCategory({ name: 'a', tags: [] }).ok).toBe(true);
    expect(validateCategory({ name: 'Prêts & crédits 🏠', tags: [] }).ok).toBe(true);
    expect(validateCategory({ name: 'n'.repeat(64), tags: [] }).ok).toBe(true);
  });

  it.each([
    ['body', null],
    ['body', []],
    ['body', 'Loans'],
    ['name', { tags: [] }],
    ['name', { name: '', tags: [] }],
    ['name', { name: 'n'.repeat(65), tags: [] }],
    ['name', { name: 'a;b', tags: [] }],
    ['name', { name: 'a\nb', tags: [] }],
    ['name', { name: 'a\u0000b', tags: [] }],
    ['name', { name: 42, tags: [] }],
    ['description', { name: 'C', description: 42, tags: [] }],
    ['description', { name: 'C', description: 'd'.repeat(1025), tags: [] }],
    ['tags', { name: 'C' }],
    ['tags', { name: 'C', tags: {} }],
    ['tags', { name: 'C', tags: Array.from({ length: 101 }, () => ({ expression: 'x' })) }],
    ['tags[0]', { name: 'C', tags: ['x'] }],
    ['tags[1]', { name: 'C', tags: [{ expression: 'x' }, null] }],
    ['tags[0].expression', { name: 'C', tags: [{}] }],
    ['tags[0].expression', { name: 'C', tags: [{ expression: '' }] }],
    ['tags[0].expression', { name: 'C', tags: [{ expression: 'e'.repeat(513) }] }],
    ['tags[0].expression', { name: 'C', tags: [{ expression: 7 }] }],
    ['tags[0].regex', { name: 'C', tags: [{ expression: 'x', regex: 'true' }] }],
    ['tags[0].caseSensitive', { name: 'C', tags: [{ expression: 'x', caseSensitive: 1 }] }],
    ['tags[0].fields', { name: 'C', tags: [{ expression: 'x', fields: [] }] }],
    ['tags[0].fields', { name: 'C', tags: [{ expression: 'x', fields: 'url' }] }],
    ['tags[0].fields', { name: 'C', tags: [{ expression: 'x', fields: ['body'] }] }],
    ['tags[0].fields', { name: 'C', tags: [{ expression: 'x', fields: ['data'] }] }],
    ['tags[0].fields', { name: 'C', tags: [{ expression: 'x', fields: ['data.'] }] }],
    ['tags[0].fields', { name: 'C', tags: [{ expression: 'x', fields: ['data.a..b'] }] }],
    ['tags[0].fields', { name: 'C', tags: [{ expression: 'x', fields: ['URL'] }] }],
    ['tags[0].fields', { name: 'C', tags: [{ expression: 'x', fields: [3] }] }],
  ])('names the field %s', (field, body) => {
    expectInvalid(validateCategory(body), field);
  });

  it('accepts an expression of exactly 512 characters', () => {
    expect(validateCategory({ name: 'C', tags: [{ expression: 'e'.repeat(512) }] }).ok).toBe(true);
  });

  it('says a broken regex is "not a valid regular expression"', () => {
    const result = validateCategory({
      name: 'C',
      tags: [{ expression: 'x' }, { expression: '([a-z', regex: true }],
    });
    expectInvalid(result, 'tags[1].expression', 'not a valid regular expression');
    // The same text is a fine substring expression.
    expect(validateCategory({ name: 'C', tags: [{ expression: '([a-z' }] }).ok).toBe(true);
  });
});

describe('compileCategories: matching', () => {
  it('matches url and title by default, as a case-insensitive substring', () => {
    expect(tagMatches({ expression: '/LOANS/' }, { url: 'https://bank.example.com/loans/car' })).toBe(true);
    expect(tagMatches({ expression: 'mortgage' }, { title: 'Mortgage rates' })).toBe(true);
    expect(
      tagMatches({ expression: 'mortgage' }, { referrer: 'https://x/mortgage', eventName: 'mortgage' }),
    ).toBe(false);
  });

  it.each([
    ['url', { url: 'https://bank.example.com/needle' }],
    ['title', { title: 'a needle here' }],
    ['eventName', { eventName: 'NeedleClicked' }],
    ['languageCode', { languageCode: 'needle-US' }],
    ['referrer', { referrer: 'https://search.example/?q=needle' }],
    ['data.a', { data: { a: 'needle' } }],
    ['data.a.b', { data: { a: { b: 'the needle' } } }],
  ])('reads the field %s', (field, patch) => {
    expect(tagMatches({ expression: 'needle', fields: [field] }, patch)).toBe(true);
    expect(tagMatches({ expression: 'needle', fields: [field] }, {})).toBe(false);
  });

  it('a missing languageCode never matches', () => {
    expect(tagMatches({ expression: 'null', fields: ['languageCode'] }, { languageCode: null })).toBe(false);
  });

  it('matches numbers and booleans as their JSON text', () => {
    expect(tagMatches({ expression: '1000', fields: ['data.price'] }, { data: { price: 1000 } })).toBe(true);
    expect(
      tagMatches({ expression: '^2\\.5$', regex: true, fields: ['data.price'] }, { data: { price: 2.5 } }),
    ).toBe(true);
    expect(tagMatches({ expression: 'true', fields: ['data.vip'] }, { data: { vip: true } })).toBe(true);
    expect(tagMatches({ expression: 'false', fields: ['data.vip'] }, { data: { vip: false } })).toBe(true);
    expect(tagMatches({ expression: '1e+21', fields: ['data.n'] }, { data: { n: 1e21 } })).toBe(true);
  });

  it('objects, arrays, null and missing fields never match', () => {
    const anything = { expression: '.*', regex: true };
    for (const value of [{ b: 'x' }, ['x'], null, undefined]) {
      expect(tagMatches({ ...anything, fields: ['data.a'] }, { data: { a: value } })).toBe(false);
    }
    expect(tagMatches({ ...anything, fields: ['data.a.b'] }, { data: { a: 'string' } })).toBe(false);
    expect(tagMatches({ ...anything, fields: ['data.a.0'] }, { data: { a: ['x'] } })).toBe(false);
    expect(tagMatches({ ...anything, fields: ['data.a.length'] }, { data: { a: 'xyz' } })).toBe(false);
    expect(tagMatches({ expression: 'object', fields: ['data.a'] }, { data: { a: {} } })).toBe(false);
    expect(tagMatches({ ...anything, fields: ['data.constructor'] }, { data: {} })).toBe(false);
    expect(tagMatches({ ...anything, fields: ['data.__proto__'] }, { data: {} })).toBe(false);
  });

  it('honours caseSensitive for substrings', () => {
    expect(tagMatches({ expression: 'Loans', caseSensitive: true }, { title: 'Loans' })).toBe(true);
    expect(tagMatches({ expression: 'Loans', caseSensitive: true }, { title: 'loans' })).toBe(false);
    expect(tagMatches({ expression: 'Loans' }, { title: 'LOANS' })).toBe(true);
  });

  it('uses RegExp.test, with flag i unless case-sensitive', () => {
    const tag = { expression: '^Mortgage', regex: true, fields: ['title'] };
    expect(tagMatches(tag, { title: 'mortgage rates' })).toBe(true);
    expect(tagMatches({ ...tag, caseSensitive: true }, { title: 'mortgage rates' })).toBe(false);
    expect(tagMatches({ ...tag, caseSensitive: true }, { title: 'Mortgage rates' })).toBe(true);
    expect(tagMatches(tag, { title: 'Best mortgage' })).toBe(false);
    // A regex expression is not a substring: "." is a wildcard, and a substring tag takes it literally.
    expect(tagMatches({ expression: 'a.c', regex: true }, { title: 'abc' })).toBe(true);
    expect(tagMatches({ expression: 'a.c' }, { title: 'abc' })).toBe(false);
  });

  it('gives the same answer on repeated calls', () => {
    const result = validateCategory({ name: 'C', tags: [{ expression: 'x', regex: true }] });
    if (!result.ok) throw new Error(result.message);
    const categorizer = compileCategories([result.category]);
    for (let i = 0; i < 3; i++) expect(categorizer.categorize(input({ title: 'x' }))).toBe('C');
  });

  it('cuts values at 2048 characters before matching', () => {
    const url = `${'u'.repeat(2045)}needle`;
    expect(tagMatches({ expression: 'needle', fields: ['url'] }, { url })).toBe(false);
    expect(tagMatches({ expression: 'unee', fields: ['url'] }, { url })).toBe(true);
    expect(
      tagMatches(
        { expression: 'u$', regex: true, fields: ['data.v'] },
        { data: { v: `${'u'.repeat(2048)}x` } },
      ),
    ).toBe(true);
  });

  it('a category matches when any of its tags matches', () => {
    const result = validateCategory({
      name: 'Loans',
      tags: [
        { expression: '/loans/', fields: ['url'] },
        { expression: '^Mortgage', regex: true, caseSensitive: true, fields: ['title'] },
      ],
    });
    if (!result.ok) throw new Error(result.message);
    const categorizer = compileCategories([result.category]);
    expect(categorizer.categorize(input({ url: 'https://b/loans/' }))).toBe('Loans');
    expect(categorizer.categorize(input({ title: 'Mortgage 101' }))).toBe('Loans');
    expect(categorizer.categorize(input({ title: 'mortgage 101' }))).toBe('');
  });

  it('an event gets all matching categories, in definition order, joined by ";"', () => {
    const make = (name: string, expression: string): Category => {
      const result = validateCategory({ name, tags: [{ expression }] });
      if (!result.ok) throw new Error(result.message);
      return result.category;
    };
    const categories = [
      make('Zeta', 'tv'),
      make('Alpha', 'nothing'),
      make('Mid', 'sony'),
      make('Beta', 'shop'),
    ];
    const categorizer = compileCategories(categories);
    expect(categorizer.categories).toBe(categories);
    expect(categorizer.categorize(input({ url: 'https://shop.example.com/tv/sony' }))).toBe('Zeta;Mid;Beta');
    expect(categorizer.categorize(input({ url: 'https://other/' }))).toBe('');
    expect(compileCategories([]).categorize(input())).toBe('');
  });
});
