// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { countdown } from './countdown.js';
import { formatDuration, splitCategories } from './format.js';

describe('countdown', () => {
  it('counts whole seconds down to zero, with the share of time left', () => {
    expect(countdown(15_000, 15, 0)).toEqual({ seconds: 15, fraction: 1, expired: false });
    expect(countdown(15_000, 15, 14_001)).toEqual({ seconds: 1, fraction: 999 / 15_000, expired: false });
    expect(countdown(15_000, 15, 20_000)).toEqual({ seconds: 0, fraction: 0, expired: true });
    expect(countdown(null, 15, 0)).toBeNull();
    expect(countdown(15_400, 15, 0)!.seconds).toBe(15);
  });
});

describe('format', () => {
  it('formats durations and splits categories', () => {
    expect(formatDuration(75_000)).toBe('1:15');
    expect(formatDuration(3_723_000)).toBe('1:02:03');
    expect(formatDuration(-5)).toBe('0:00');
    expect(formatDuration(null)).toBe('0:00');
    expect(splitCategories('A; B;;C')).toEqual(['A', 'B', 'C']);
    expect(splitCategories('')).toEqual([]);
  });
});
