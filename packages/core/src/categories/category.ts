/**
 * Categories (spec/compat.md §11): validation of a category definition and its compilation into a matcher that
 * the ingest pipeline applies to every event. Server-side categorization is authoritative (DESIGN.md D5).
 */
import type { Category, CategoryTag } from '@beckon/protocol';
import type { CategorizeInput } from '../ingest/sessionize.js';

// eslint-disable-next-line no-control-regex
const NAME_PATTERN = /^[^;\x00-\x1f]{1,64}$/;
const FIELD_PATTERN = /^(url|title|eventName|languageCode|referrer|data(\.[^.]+)+)$/;
const MAX_VALUE = 2048;
const DEFAULT_FIELDS = ['url', 'title'];

export type CategoryValidation =
  { ok: true; category: Category } | { ok: false; field: string; message: string };

const fail = (field: string, message: string): CategoryValidation => ({ ok: false, field, message });

/** Validates a category body and fills defaults. `name` comes from the path when the API is used. */
export function validateCategory(raw: unknown, name?: string): CategoryValidation {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return fail('body', 'category must be a JSON object');
  const body = raw as Record<string, unknown>;
  const categoryName = name ?? body.name;
  if (typeof categoryName !== 'string' || !NAME_PATTERN.test(categoryName)) {
    return fail('name', 'name must be 1-64 characters without ";" or control characters');
  }
  if (body.name !== undefined && body.name !== categoryName)
    return fail('name', 'name in the body differs from the path');
  const description = body.description ?? '';
  if (typeof description !== 'string' || description.length > 1024) {
    return fail('description', 'description must be a string of at most 1024 characters');
  }
  if (!Array.isArray(body.tags)) return fail('tags', 'tags must be an array');
  if (body.tags.length > 100) return fail('tags', 'at most 100 tags');
  const tags: CategoryTag[] = [];
  for (const [i, rawTag] of body.tags.entries()) {
    const at = `tags[${i}]`;
    if (typeof rawTag !== 'object' || rawTag === null || Array.isArray(rawTag))
      return fail(at, `${at} must be an object`);
    const tag = rawTag as Record<string, unknown>;
    const { expression } = tag;
    if (typeof expression !== 'string' || expression.length < 1 || expression.length > 512) {
      return fail(`${at}.expression`, `${at}.expression must be a string of 1-512 characters`);
    }
    const regex = tag.regex ?? false;
    const caseSensitive = tag.caseSensitive ?? false;
    if (typeof regex !== 'boolean') return fail(`${at}.regex`, `${at}.regex must be a boolean`);
    if (typeof caseSensitive !== 'boolean')
      return fail(`${at}.caseSensitive`, `${at}.caseSensitive must be a boolean`);
    const fields = tag.fields ?? DEFAULT_FIELDS;
    if (!Array.isArray(fields) || fields.length === 0) {
      return fail(`${at}.fields`, `${at}.fields must be a non-empty array`);
    }
    for (const field of fields) {
      if (typeof field !== 'string' || !FIELD_PATTERN.test(field)) {
        return fail(
          `${at}.fields`,
          `${at}.fields: unknown field ${JSON.stringify(field)}; allowed url, title, eventName, languageCode, referrer, data.<key>`,
        );
      }
    }
    if (regex) {
      try {
        new RegExp(expression, caseSensitive ? '' : 'i');
      } catch (error) {
        return fail(
          `${at}.expression`,
          `${at}.expression is not a valid regular expression: ${(error as Error).message}`,
        );
      }
    }
    tags.push({ expression, regex, caseSensitive, fields: [...(fields as string[])] });
  }
  return { ok: true, category: { name: categoryName, description, tags } };
}

type FieldReader = (input: CategorizeInput) => string | null;

function readPath(data: Record<string, unknown>, path: string[]): unknown {
  let value: unknown = data;
  for (const key of path) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function fieldReader(field: string): FieldReader {
  switch (field) {
    case 'url':
      return (input) => input.url;
    case 'title':
      return (input) => input.title;
    case 'eventName':
      return (input) => input.eventName;
    case 'languageCode':
      return (input) => input.languageCode;
    case 'referrer':
      return (input) => input.referrer;
    default: {
      const path = field.split('.').slice(1);
      return (input) => {
        const value = readPath(input.data, path);
        if (typeof value === 'string') return value;
        if (typeof value === 'number' || typeof value === 'boolean') return JSON.stringify(value);
        return null;
      };
    }
  }
}

function tagMatcher(tag: CategoryTag): (input: CategorizeInput) => boolean {
  const readers = tag.fields.map(fieldReader);
  let test: (value: string) => boolean;
  if (tag.regex) {
    const re = new RegExp(tag.expression, tag.caseSensitive ? '' : 'i');
    test = (value) => {
      re.lastIndex = 0;
      return re.test(value);
    };
  } else if (tag.caseSensitive) {
    test = (value) => value.includes(tag.expression);
  } else {
    const needle = tag.expression.toLowerCase();
    test = (value) => value.toLowerCase().includes(needle);
  }
  return (input) => {
    for (const read of readers) {
      const value = read(input);
      if (value !== null && test(value.length > MAX_VALUE ? value.slice(0, MAX_VALUE) : value)) return true;
    }
    return false;
  };
}

/** A compiled set of categories; `categorize` returns matching names in definition order joined by `;`. */
export interface Categorizer {
  readonly categories: readonly Category[];
  categorize(input: CategorizeInput): string;
}

/** Compiles validated categories (see `validateCategory`) into a categorizer. */
export function compileCategories(categories: readonly Category[]): Categorizer {
  const compiled = categories.map((category) => ({
    name: category.name,
    tags: category.tags.map(tagMatcher),
  }));
  return {
    categories,
    categorize(input) {
      let result = '';
      for (const category of compiled) {
        if (category.tags.some((match) => match(input)))
          result = result === '' ? category.name : `${result};${category.name}`;
      }
      return result;
    },
  };
}
