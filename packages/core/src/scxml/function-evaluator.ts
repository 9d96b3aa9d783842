/**
 * The ECMAScript data model by `new Function` + `with`: every data id and system variable of a session lives in one
 * null-prototype scope object, and compiled code resolves free names against it.
 *
 * This evaluator has no time budget; the server uses `vm-evaluator.ts` (same code shapes, compiled inside a
 * `node:vm` context, with a timeout for documents that could loop). The body builders are shared so both behave the
 * same.
 */
import { SYSTEM_VARIABLES } from './events.js';
import type { DataScope, Evaluator } from './types.js';

/** Function body of an expression evaluated against `__s`. */
export const expressionBody = (source: string): string => `with (__s) { return (${source}\n); }`;
/**
 * Function body of a script run against `__s` (a proxy: new names become data model variables). Function
 * declarations are block-scoped inside `with`, so each one is copied into the data model afterwards.
 */
export const scriptBody = (source: string): string => {
  const names = new Set<string>();
  for (const m of source.matchAll(/\bfunction\s+([A-Za-z_$][\w$]*)\s*\(/g)) names.add(m[1]!);
  const exports = [...names].map((n) => `if (typeof ${n} === 'function') __s.${n} = ${n};`).join(' ');
  return `with (__s) { ${source}\n; ${exports} }`;
};
/** Function body assigning `__v` to a location. */
export const assignmentBody = (location: string): string => `with (__s) { (${location}\n) = __v; }`;

const proxies = new WeakMap<DataScope, DataScope>();

/**
 * Wraps a scope so that a script's assignments to undeclared names (and `var` declarations) land in the data model
 * rather than in the global object, and assignments to system variables throw.
 */
export function scriptScope(scope: DataScope, isGlobal: (name: string) => boolean): DataScope {
  let p = proxies.get(scope);
  if (!p) {
    p = new Proxy(scope, {
      has: (t, k) => typeof k === 'string' && k !== '__s' && (k in t || !isGlobal(k)),
      set: (t, k, v) => {
        if (typeof k !== 'string') return false;
        if (SYSTEM_VARIABLES.has(k)) throw new TypeError(`${k} is read-only`);
        t[k] = v;
        return true;
      },
    });
    proxies.set(scope, p);
  }
  return p;
}

/** An evaluator running in the host realm, without a time budget (tests, browsers, trusted tools). */
export function createFunctionEvaluator(): Evaluator {
  const isGlobal = (name: string): boolean => name in globalThis;
  return {
    expression(source) {
      return new Function('__s', expressionBody(source)) as (s: DataScope) => unknown;
    },
    script(source) {
      const fn = new Function('__s', scriptBody(source)) as (s: DataScope) => void;
      return (scope) => fn(scriptScope(scope, isGlobal));
    },
    assignment(location) {
      return new Function('__s', '__v', assignmentBody(location)) as (s: DataScope, v: unknown) => void;
    },
  };
}
