import { describe, expect, it } from 'vitest';
import { E164, localToIso, validateCallback } from './callback-form.js';

describe('callback form validation', () => {
  const now = new Date('2026-03-02T10:00:00').getTime();

  it('accepts E.164 numbers only', () => {
    expect(E164.test('+14155550123')).toBe(true);
    expect(E164.test('+4930123456')).toBe(true);
    expect(E164.test('14155550123')).toBe(false);
    expect(E164.test('+0415555012')).toBe(false);
    expect(E164.test('+1 415 555 0123')).toBe(false);
    expect(E164.test('+1234567890123456')).toBe(false);
  });

  it('requires the preferred time within the next 7 days', () => {
    expect(validateCallback('+14155550123', '', now)).toBeNull();
    expect(validateCallback('+14155550123', '2026-03-03T09:30', now)).toBeNull();
    expect(validateCallback('+14155550123', '2026-03-10T10:30', now)).toMatch(/7 days/);
    expect(validateCallback('+14155550123', '2026-03-01T10:00', now)).toMatch(/7 days/);
    expect(validateCallback('555', '', now)).toMatch(/international/);
  });

  it('writes local times as ISO 8601 with the UTC offset', () => {
    const iso = localToIso('2026-03-03T09:30');
    expect(iso).toMatch(/^2026-03-03T09:30:00[+-]\d{2}:\d{2}$/);
    expect(new Date(iso!).getTime()).toBe(new Date('2026-03-03T09:30').getTime());
    expect(localToIso('tomorrow')).toBeNull();
  });
});
