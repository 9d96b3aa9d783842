import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { toDataValue, trimExpression } from './expr.js';

describe('DSL expression helpers', () => {
  it('strips whitespace and one trailing semicolon', () => {
    expect(trimExpression('  $(".a").length ;  ')).toBe('$(".a").length');
    expect(trimExpression('   ')).toBe('');
  });

  it('keeps JSON scalars, maps undefined to null and stringifies the rest within 1024 chars', () => {
    expect(toDataValue('x')).toBe('x');
    expect(toDataValue(3)).toBe(3);
    expect(toDataValue(false)).toBe(false);
    expect(toDataValue(undefined)).toBeNull();
    expect(toDataValue(NaN)).toBe('NaN');
    expect(toDataValue({ toString: () => 'y'.repeat(2000) })).toBe('y'.repeat(1024));
    fc.assert(
      fc.property(fc.anything(), (v) => {
        const out = toDataValue(v);
        return (
          out === null ||
          typeof out === 'boolean' ||
          (typeof out === 'number' && Number.isFinite(out)) ||
          (typeof out === 'string' && (typeof v === 'string' || out.length <= 1024))
        );
      }),
    );
  });
});
