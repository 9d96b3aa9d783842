import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nameMatches, parseDelay } from './events.js';
import { compileFast } from './fast-expressions.js';

describe('event descriptors', () => {
  it('match by whole dot-separated tokens', () => {
    expect(nameMatches(['error'], 'error.execution')).toBe(true);
    expect(nameMatches(['error'], 'errors')).toBe(false);
    expect(nameMatches(['*'], 'anything')).toBe(true);
    expect(nameMatches(['a.b', 'c'], 'c.d')).toBe(true);
  });

  it('a descriptor always matches itself and any extension of it', () => {
    const token = fc.stringMatching(/^[a-z]{1,5}$/);
    fc.assert(
      fc.property(
        fc.array(token, { minLength: 1, maxLength: 3 }),
        fc.array(token, { maxLength: 2 }),
        (d, ext) => {
          const name = [...d, ...ext].join('.');
          expect(nameMatches([d.join('.')], name)).toBe(true);
        },
      ),
    );
  });
});

describe('parseDelay', () => {
  it('reads CSS2 durations', () => {
    expect(parseDelay('500ms')).toBe(500);
    expect(parseDelay('2s')).toBe(2000);
    expect(parseDelay('.5s')).toBe(500);
    expect(parseDelay('1.5min')).toBe(90_000);
    expect(parseDelay('1d')).toBe(86_400_000);
    expect(parseDelay('soon')).toBeUndefined();
  });
});

describe('expression shortcuts', () => {
  const scope = Object.assign(Object.create(null) as Record<string, unknown>, {
    ae: { engagement: { channel: 'chat' } },
  });

  it('evaluate literals, paths and comparisons like the evaluator would', () => {
    expect(compileFast('30')!(scope)).toBe(30);
    expect(compileFast("'refused'")!(scope)).toBe('refused');
    expect(compileFast('ae.engagement.channel')!(scope)).toBe('chat');
    expect(compileFast("ae.engagement.channel === 'chat'")!(scope)).toBe(true);
    expect(compileFast("ae.engagement.channel !== 'chat'")!(scope)).toBe(false);
  });

  it('leave everything else to the evaluator', () => {
    expect(compileFast('a + 1')).toBeUndefined();
    expect(compileFast('f(x)')).toBeUndefined();
    expect(compileFast("'it\\'s'")).toBeUndefined();
    expect(() => compileFast('Math.PI')!(scope)).toThrow();
  });
});
