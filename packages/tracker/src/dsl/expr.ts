/**
 * DSL expressions (compat.md §9): `condition`, `postcondition` and `val` values are JavaScript evaluated with `$`
 * and `event` in scope. A throwing expression yields `null` and a debug log; under a CSP without `unsafe-eval`
 * the `Function` constructor throws, so every non-empty expression yields `null` there.
 */
import { dollar } from './dollar.js';

type Compiled = ($: unknown, event: Event | null) => unknown;
const cache: Record<string, Compiled | null> = {};

/** Removes surrounding whitespace and one trailing `;`. */
export function trimExpression(source: string): string {
  return source.trim().replace(/;\s*$/, '').trim();
}

/** Evaluates an expression; `onError` receives the reason when it throws or does not compile. */
export function evaluate(source: string, event: Event | null, onError: (e: unknown) => void): unknown {
  const body = trimExpression(source);
  if (!body) return undefined;
  let fn = cache[body];
  if (fn === undefined) {
    try {
      fn = cache[body] = new Function('$', 'event', 'return (' + body + '\n);') as Compiled;
    } catch (e) {
      fn = cache[body] = null;
      onError(e);
    }
  }
  if (!fn) return null;
  try {
    const jq = (window as unknown as { jQuery?: unknown }).jQuery;
    return fn(jq || dollar, event);
  } catch (e) {
    onError(e);
    return null;
  }
}

/** A `condition` or `postcondition`: empty means true. */
export function test(source: string, event: Event | null, onError: (e: unknown) => void): boolean {
  return !trimExpression(source) || !!evaluate(source, event, onError);
}

/** Normalises a `val` result for the event data (compat.md §9). */
export function toDataValue(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  const t = typeof value;
  if (t === 'string' || t === 'boolean' || (t === 'number' && isFinite(value as number))) return value;
  try {
    return String(value).slice(0, 1024);
  } catch {
    return null; // e.g. an object without prototype
  }
}
