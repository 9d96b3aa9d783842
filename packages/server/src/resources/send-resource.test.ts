import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { acceptsEncoding, contentTypeOf, resourcePath } from './send-resource.js';

describe('resource helpers', () => {
  it('reads Accept-Encoding with q values and *', () => {
    expect(acceptsEncoding('gzip, deflate, br', 'br')).toBe(true);
    expect(acceptsEncoding('gzip;q=0.5, br;q=0', 'br')).toBe(false);
    expect(acceptsEncoding('gzip;q=0.5, br;q=0', 'gzip')).toBe(true);
    expect(acceptsEncoding('*', 'gzip')).toBe(true);
    expect(acceptsEncoding('*;q=0', 'gzip')).toBe(false);
    expect(acceptsEncoding('identity', 'gzip')).toBe(false);
    expect(acceptsEncoding(undefined, 'gzip')).toBe(false);
  });

  it('rejects .., //, backslash and NUL, raw or percent-encoded, with notFound', () => {
    const prefix = '/server/resources/';
    expect(resourcePath('/server/resources/js/build/GPE.min.js?x=1', prefix)).toBe('js/build/GPE.min.js');
    for (const bad of [
      'a/../b',
      'a//b',
      'a\\b',
      'a%00b',
      '%2e%2e/x',
      'a%2F%2Fb',
      'a%5cb',
      '',
      '%zz',
      '/abs',
    ]) {
      expect(() => resourcePath(prefix + bad, prefix)).toThrow(expect.objectContaining({ code: 'notFound' }));
    }
    fc.assert(
      fc.property(
        fc.string().filter((s) => !s.includes('?')),
        fc.string(),
        (a, b) => {
          try {
            const p = resourcePath(`${prefix}${a}..${b}`, prefix);
            return p === undefined;
          } catch (e) {
            return (e as { code?: string }).code === 'notFound';
          }
        },
      ),
    );
  });

  it('maps extensions to content types', () => {
    expect(contentTypeOf('x/GPE.min.js')).toBe('application/javascript; charset=utf-8');
    expect(contentTypeOf('dsl/domain-model.xml')).toBe('application/xml; charset=utf-8');
    expect(contentTypeOf('README')).toBe('application/octet-stream');
  });
});
