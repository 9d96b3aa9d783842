/**
 * Wrappers around a real store that change its timing or make it fail, so tests can reproduce what a networked
 * database (PostgreSQL) does to the ingest path: reads that take a while and interleave, commits that throw.
 */
import type { SqlStore } from '../store/sql-store.js';

type StoreMethod = {
  [K in keyof SqlStore]: SqlStore[K] extends (...args: never[]) => unknown ? K : never;
}[keyof SqlStore];

export interface StoreDoubleOptions {
  /** Methods whose calls wait a random 0..`maxDelayMs` ms before running (default 10). */
  slow?: readonly StoreMethod[];
  maxDelayMs?: number;
  /** Methods that throw while `failing()` returns true. */
  fail?: readonly StoreMethod[];
  failing?: () => boolean;
  /** Random source for the delays (default Math.random), so a property test can replay them. */
  random?: () => number;
  /** Called with the method name when a slow or failing method is entered. */
  onCall?: (method: string) => void;
}

/** A proxy of `store` with slow and failing methods; every other member is the store's own. */
export function storeDouble(store: SqlStore, options: StoreDoubleOptions): SqlStore {
  const slow = new Set<string>(options.slow ?? []);
  const fail = new Set<string>(options.fail ?? []);
  const random = options.random ?? Math.random;
  const maxDelay = options.maxDelayMs ?? 10;
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      const name = String(prop);
      if (!slow.has(name) && !fail.has(name)) return method.bind(target);
      return async (...args: unknown[]) => {
        options.onCall?.(name);
        if (slow.has(name)) await new Promise((resolve) => setTimeout(resolve, random() * maxDelay));
        if (fail.has(name) && (options.failing?.() ?? true)) throw new Error(`${name}: connection refused`);
        return method.apply(target, args);
      };
    },
  });
}
