/**
 * Shortcuts for the expressions strategies write most: literals (`30`, `'refused'`, `null`), dotted paths
 * (`_event.data`, `ae.engagement.channel`) and a path compared with a literal (`ae.engagement.channel === 'chat'`).
 *
 * They are evaluated here without the evaluator (no `with` scope, no vm boundary), with the same result and the same
 * errors. A path whose first name is not in the data model is left to the evaluator, which resolves globals.
 */
import type { DataScope } from './types.js';

type Fast = (scope: DataScope) => unknown;

const IDENT = '[A-Za-z_$][\\w$]*';
const PATH = new RegExp(`^(${IDENT})((?:\\.${IDENT})*)$`);
const COMPARE = new RegExp(`^(${IDENT}(?:\\.${IDENT})*)\\s*(===|!==)\\s*(.+)$`);

/** Returns a literal's value, or `NOT_LITERAL`. */
const NOT_LITERAL = Symbol('notLiteral');
function literal(text: string): unknown {
  if (/^-?(?:0|[1-9]\d*)(?:\.\d+)?$/.test(text)) return Number(text);
  if (/^'[^'\\\n]*'$/.test(text) || /^"[^"\\\n]*"$/.test(text)) return text.slice(1, -1);
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (text === 'null') return null;
  return NOT_LITERAL;
}

/** Marker thrown when a path's root is not a data model variable: the caller falls back to the evaluator. */
export const FALLBACK = Symbol('fallback');

function pathGetter(path: string): Fast | undefined {
  const m = PATH.exec(path);
  if (!m) return undefined;
  const root = m[1]!;
  const rest = m[2] ? m[2].slice(1).split('.') : [];
  if (root === 'undefined' || root === 'NaN' || root === 'Infinity' || root === 'this') return undefined;
  return (scope) => {
    if (!(root in scope)) throw FALLBACK;
    let v = scope[root];
    for (const key of rest) v = (v as Record<string, unknown>)[key];
    return v;
  };
}

/** A shortcut for `source`, or `undefined` when the evaluator must handle it. */
export function compileFast(source: string): Fast | undefined {
  const text = source.trim();
  const lit = literal(text);
  if (lit !== NOT_LITERAL) return () => lit;
  const path = pathGetter(text);
  if (path) return path;
  const cmp = COMPARE.exec(text);
  if (!cmp) return undefined;
  const right = literal(cmp[3]!.trim());
  const left = pathGetter(cmp[1]!);
  if (right === NOT_LITERAL || !left) return undefined;
  return cmp[2] === '===' ? (scope) => left(scope) === right : (scope) => left(scope) !== right;
}
