import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { eventRejectionCatalog } from '@beckon/protocol';
import { utf8Length, validateEvent } from './validate-event.js';
import type { ValidationResult } from './validate-event.js';

const LIMITS = { maxEventBytes: 16384 };

const base = (): Record<string, unknown> => ({
  eventType: 'BUSINESS',
  eventName: 'AddToCart',
  eventID: '44D25DDB78174DEC8F33E28F96428336',
  pageID: '9A1AD4389AC34F0A86D3EB04E50D6137',
  visitID: '0C5E6B4A9F2D4E1B8A7C3D2E1F0A9B8C',
  globalVisitID: '7F6E5D4C3B2A19080706050403020100',
  timestamp: 1413979605190,
  url: 'https://shop.example.com/tv/jvb72',
});

const with_ = (patch: Record<string, unknown>): Record<string, unknown> => ({ ...base(), ...patch });
const without = (field: string): Record<string, unknown> => {
  const raw = base();
  delete raw[field];
  return raw;
};

function expectRejected(result: ValidationResult, code: string, field: string): void {
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.code).toBe(code);
  expect(result.message).toContain(field);
}

describe('validateEvent: accepted events', () => {
  it('accepts the §7 example and normalizes optional fields', () => {
    const result = validateEvent(base(), LIMITS);
    expect(result).toEqual({
      ok: true,
      event: {
        eventType: 'BUSINESS',
        eventName: 'AddToCart',
        eventID: '44D25DDB78174DEC8F33E28F96428336',
        pageID: '9A1AD4389AC34F0A86D3EB04E50D6137',
        visitID: '0C5E6B4A9F2D4E1B8A7C3D2E1F0A9B8C',
        globalVisitID: '7F6E5D4C3B2A19080706050403020100',
        timestamp: 1413979605190,
        url: 'https://shop.example.com/tv/jvb72',
        languageCode: null,
        data: {},
        seq: null,
      },
    });
  });

  it('keeps languageCode, data and seq when given', () => {
    const data = { productName: 'Sony', productPrice: '1000' };
    const result = validateEvent(with_({ languageCode: 'en-US', data, seq: 4 }), LIMITS);
    expect(result.ok && result.event).toMatchObject({ languageCode: 'en-US', data, seq: 4 });
  });

  it('accepts and ignores a client category', () => {
    const result = validateEvent(with_({ category: 'Spoofed' }), LIMITS);
    expect(result.ok).toBe(true);
    expect(result.ok && 'category' in result.event).toBe(false);
  });

  it('treats data: null as {}', () => {
    const result = validateEvent(with_({ data: null }), LIMITS);
    expect(result.ok && result.event.data).toEqual({});
  });

  it('accepts the Id spelling of every id field', () => {
    const raw = base();
    for (const name of ['event', 'page', 'visit', 'globalVisit']) {
      raw[`${name}Id`] = raw[`${name}ID`];
      delete raw[`${name}ID`];
    }
    const result = validateEvent(raw, LIMITS);
    expect(result.ok).toBe(true);
    expect(result.ok && result.event).toMatchObject({
      eventID: '44D25DDB78174DEC8F33E28F96428336',
      pageID: '9A1AD4389AC34F0A86D3EB04E50D6137',
      visitID: '0C5E6B4A9F2D4E1B8A7C3D2E1F0A9B8C',
      globalVisitID: '7F6E5D4C3B2A19080706050403020100',
    });
  });

  it('accepts client ids of 8-64 characters from [A-Za-z0-9_-] and keeps their case', () => {
    const result = validateEvent(with_({ eventID: 'abc_DEF-', pageID: 'p'.repeat(64) }), LIMITS);
    expect(result.ok && result.event.eventID).toBe('abc_DEF-');
    expect(result.ok && result.event.pageID).toBe('p'.repeat(64));
  });

  it('accepts every known SYSTEM event name', () => {
    for (const eventName of ['VisitStarted', 'PageEntered', 'PageExited', 'SignOut']) {
      expect(validateEvent(with_({ eventType: 'SYSTEM', eventName }), LIMITS).ok).toBe(true);
    }
    for (const eventName of ['SignIn', 'UserInfo']) {
      const raw = with_({ eventType: 'SYSTEM', eventName, data: { userId: 'jane' } });
      expect(validateEvent(raw, LIMITS).ok).toBe(true);
    }
  });

  it('accepts any BUSINESS name of 1-128 characters, including system-looking ones', () => {
    expect(validateEvent(with_({ eventName: 'x' }), LIMITS).ok).toBe(true);
    expect(validateEvent(with_({ eventName: 'n'.repeat(128) }), LIMITS).ok).toBe(true);
    expect(validateEvent(with_({ eventName: 'Whatever' }), LIMITS).ok).toBe(true);
  });
});

describe('validateEvent: rejections name the field', () => {
  it('invalidEvent for anything but an object', () => {
    for (const raw of [null, 1, 'event', true, [], [base()]]) {
      const result = validateEvent(raw, LIMITS);
      expect(result).toMatchObject({ ok: false, code: 'invalidEvent' });
    }
  });

  it.each(['eventType', 'eventName', 'timestamp', 'url'])('missingField when %s is absent', (field) => {
    expectRejected(validateEvent(without(field), LIMITS), 'missingField', field);
  });

  it.each(['eventID', 'pageID', 'visitID', 'globalVisitID'])(
    'missingField when %s is absent or null',
    (field) => {
      expectRejected(validateEvent(without(field), LIMITS), 'missingField', field);
      expectRejected(validateEvent(with_({ [field]: null }), LIMITS), 'missingField', field);
    },
  );

  it.each([
    ['eventType', 'system'],
    ['eventType', 42],
    ['eventName', ''],
    ['eventName', 'n'.repeat(129)],
    ['eventName', 12],
    ['eventName', 'bad\nname'],
    ['eventName', 'bad\u007fname'],
    ['eventID', 'short'],
    ['eventID', 'x'.repeat(65)],
    ['eventID', 'has space here'],
    ['pageID', 'bad/slash!'],
    ['visitID', 12345678],
    ['globalVisitID', 'é'.repeat(10)],
    ['timestamp', '1413979605190'],
    ['timestamp', 1.5],
    ['timestamp', -1],
    ['timestamp', Number.MAX_SAFE_INTEGER + 2],
    ['url', 42],
    ['url', 'u'.repeat(2049)],
    ['languageCode', 42],
    ['languageCode', 'x'.repeat(36)],
    ['languageCode', 'en\nUS'],
    ['data', 'text'],
    ['data', [1, 2]],
    ['data', 3],
    ['seq', 0],
    ['seq', -3],
    ['seq', 1.5],
    ['seq', '4'],
  ])('invalidField when %s is %j', (field, value) => {
    expectRejected(validateEvent(with_({ [field]: value }), LIMITS), 'invalidField', field);
  });

  it('checks the Id spelling like the ID spelling', () => {
    const raw = without('pageID');
    raw.pageId = 'bad';
    expectRejected(validateEvent(raw, LIMITS), 'invalidField', 'pageID');
  });

  it('accepts a url of exactly 2048 characters', () => {
    expect(validateEvent(with_({ url: 'u'.repeat(2048) }), LIMITS).ok).toBe(true);
  });

  it('unknownSystemEvent for a SYSTEM name outside §8, naming the event', () => {
    const result = validateEvent(with_({ eventType: 'SYSTEM', eventName: 'AddToCart' }), LIMITS);
    expectRejected(result, 'unknownSystemEvent', 'AddToCart');
    // Names are case-sensitive.
    expectRejected(
      validateEvent(with_({ eventType: 'SYSTEM', eventName: 'signin' }), LIMITS),
      'unknownSystemEvent',
      'signin',
    );
  });

  it.each(['SignIn', 'UserInfo'])(
    'missingField data.userId for %s without a non-empty string userId',
    (eventName) => {
      for (const data of [
        undefined,
        {},
        { userId: '' },
        { userId: '   ' },
        { userId: 42 },
        { userId: null },
      ]) {
        const raw = with_({ eventType: 'SYSTEM', eventName, data });
        expectRejected(validateEvent(raw, LIMITS), 'missingField', 'data.userId');
      }
    },
  );

  it('invalidField data.userId when the trimmed userId exceeds 256 characters', () => {
    const ok = with_({
      eventType: 'SYSTEM',
      eventName: 'SignIn',
      data: { userId: `  ${'u'.repeat(256)}  ` },
    });
    expect(validateEvent(ok, LIMITS).ok).toBe(true);
    const tooLong = with_({ eventType: 'SYSTEM', eventName: 'SignIn', data: { userId: 'u'.repeat(257) } });
    expectRejected(validateEvent(tooLong, LIMITS), 'invalidField', 'data.userId');
  });

  it('SignOut needs no userId', () => {
    expect(validateEvent(with_({ eventType: 'SYSTEM', eventName: 'SignOut' }), LIMITS).ok).toBe(true);
  });
});

describe('validateEvent: size limit in UTF-8 bytes', () => {
  /** An event whose JSON is exactly `bytes` long, padded with `unit` (ASCII, 2-, 3- or 4-byte characters). */
  function eventOfBytes(bytes: number, unit: string): Record<string, unknown> {
    const raw = with_({ data: { pad: '' } });
    const overhead = new TextEncoder().encode(JSON.stringify(raw)).length;
    const unitBytes = new TextEncoder().encode(unit).length;
    const room = bytes - overhead;
    const pad = unit.repeat(Math.floor(room / unitBytes)) + 'a'.repeat(room % unitBytes);
    raw.data = { pad };
    expect(new TextEncoder().encode(JSON.stringify(raw)).length).toBe(bytes);
    return raw;
  }

  it.each(['a', 'é', '€', '😀'])(
    'accepts exactly maxEventBytes and rejects one more (padding %s)',
    (unit) => {
      expect(validateEvent(eventOfBytes(16384, unit), LIMITS).ok).toBe(true);
      const result = validateEvent(eventOfBytes(16385, unit), LIMITS);
      expect(result).toMatchObject({ ok: false, code: 'tooLarge' });
      expect(!result.ok && result.message).toContain('16385');
    },
  );

  it('counts bytes, not UTF-16 units: 6000 "€" is 18000 bytes', () => {
    const raw = with_({ data: { pad: '€'.repeat(6000) } });
    expect(JSON.stringify(raw).length).toBeLessThan(16384);
    expect(validateEvent(raw, LIMITS)).toMatchObject({ ok: false, code: 'tooLarge' });
  });

  it('sizes the raw JSON text when the caller passes it', () => {
    const raw = base();
    const json = JSON.stringify(raw);
    const limits = { maxEventBytes: utf8Length(json) };
    expect(validateEvent(raw, limits, json).ok).toBe(true);
    expect(validateEvent(raw, limits, `${json} `)).toMatchObject({ ok: false, code: 'tooLarge' });
  });

  it('utf8Length agrees with TextEncoder on any string, lone surrogates included', () => {
    const anyCharOrHalf = fc.oneof(
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
      fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code)),
    );
    fc.assert(
      fc.property(fc.string({ unit: anyCharOrHalf }), (text) => {
        expect(utf8Length(text)).toBe(new TextEncoder().encode(text).length);
      }),
    );
    for (const text of ['\ud800', '\ud800é', '\udc00\ud800', 'a\ud83d\ude00b']) {
      expect(utf8Length(text)).toBe(new TextEncoder().encode(text).length);
    }
  });
});

describe('validateEvent: property', () => {
  const codes = new Set(Object.keys(eventRejectionCatalog));

  it('never throws on arbitrary JSON and always yields a valid event or a catalogued code', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (raw) => {
        const result = validateEvent(raw, LIMITS);
        if (!result.ok) {
          expect(codes.has(result.code)).toBe(true);
          expect(result.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on near-valid events with arbitrary JSON in any field', () => {
    const fields = [
      'eventType',
      'eventName',
      'eventID',
      'eventId',
      'pageID',
      'visitID',
      'globalVisitID',
      'timestamp',
      'url',
      'languageCode',
      'data',
      'seq',
    ];
    const eventArb = fc
      .tuple(
        fc.constantFrom('SYSTEM', 'BUSINESS'),
        fc.constantFrom('SignIn', 'UserInfo', 'SignOut', 'PageEntered', 'Other'),
        fc.dictionary(fc.constantFrom(...fields), fc.jsonValue(), { maxKeys: 3 }),
        fc.jsonValue(),
      )
      .map(([eventType, eventName, patch, userId]) => ({
        ...base(),
        eventType,
        eventName,
        data: { userId },
        ...patch,
      }));
    fc.assert(
      fc.property(eventArb, (raw) => {
        const result = validateEvent(raw, LIMITS);
        if (result.ok) {
          expect(result.event.eventType === 'SYSTEM' || result.event.eventType === 'BUSINESS').toBe(true);
          expect(typeof result.event.data).toBe('object');
        } else {
          expect(codes.has(result.code)).toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
