import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { escapeJsString, jsonpTarget, wrapJsonp } from './jsonp.js';

describe('jsonp', () => {
  it('accepts identifiers for callback and obj', () => {
    expect(jsonpTarget({})).toBeUndefined();
    expect(jsonpTarget({ callback: 'b' })).toBe('b');
    expect(jsonpTarget({ obj: '$a_1', callback: '_b' })).toBe('$a_1._b');
  });

  it('rejects non-identifiers and obj without callback with invalidParameter', () => {
    for (const q of [
      { callback: 'a.b' },
      { callback: '1a' },
      { callback: '' },
      { obj: 'a' },
      { obj: 'a-b', callback: 'b' },
    ]) {
      expect(() => jsonpTarget(q)).toThrow(
        expect.objectContaining({ code: 'invalidParameter', status: 400 }),
      );
    }
  });

  it('escapes quotes, backslashes, line terminators and </', () => {
    expect(escapeJsString("a\\'\r\n\u2028\u2029</script>")).toBe("a\\\\\\'\\r\\n\\u2028\\u2029<\\/script>");
    expect(wrapJsonp('a.b', Buffer.from("it's")).toString()).toBe("a.b('it\\'s');");
  });

  it('round-trips any content through a JavaScript string literal', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        const js = wrapJsonp('f', Buffer.from(s, 'utf8')).toString('utf8');
        let got: unknown;
        new Function('f', js)((v: unknown) => (got = v));
        return got === Buffer.from(s, 'utf8').toString('utf8') && !js.includes('</');
      }),
    );
  });
});
