/**
 * JSONP wrapping of resources (compat.md §5): `?callback=b` gives `b('<content>');`, `?obj=a&callback=b` gives
 * `a.b('<content>');`. Names must be JavaScript identifiers, so a query string can never inject script.
 */
import { BeckonError } from '@beckon/protocol';

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Escapes content for a single-quoted JavaScript string that is safe inside HTML too. */
export function escapeJsString(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/'/g, "\\'")
    .replace(/\r/g, '\\r')
    .replace(/\n/g, '\\n')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')
    .replace(/<\//g, '<\\/');
}

/**
 * The JSONP prefix for a query (`b` or `a.b`), or undefined when the request is not JSONP.
 * @throws BeckonError invalidParameter for a name that is not an identifier, or `obj` without `callback`.
 */
export function jsonpTarget(query: { callback?: unknown; obj?: unknown }): string | undefined {
  const { callback, obj } = query;
  if (callback === undefined && obj === undefined) return undefined;
  if (typeof callback !== 'string' || !IDENTIFIER.test(callback)) {
    throw new BeckonError('invalidParameter', 'callback must be a JavaScript identifier');
  }
  if (obj === undefined) return callback;
  if (typeof obj !== 'string' || !IDENTIFIER.test(obj)) {
    throw new BeckonError('invalidParameter', 'obj must be a JavaScript identifier');
  }
  return `${obj}.${callback}`;
}

/** Wraps resource content as a JSONP call. */
export function wrapJsonp(target: string, content: Buffer): Buffer {
  return Buffer.from(`${target}('${escapeJsString(content.toString('utf8'))}');`, 'utf8');
}
