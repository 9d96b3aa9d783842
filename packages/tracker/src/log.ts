/**
 * Debug logging. The tracker never writes to the console unless the page asked for `debug: true` (compat.md §3),
 * and every line carries the `[beckon]` prefix so it can be filtered among the host page's own logs.
 */

/** Mutable so that a later `config` can switch debug on or off (compat.md §1.4). */
export const logState = { debug: false };

/** Logs to the console when debug is on; never throws. */
export function log(...args: unknown[]): void {
  if (logState.debug) {
    try {
      console.log('[beckon]', ...args);
    } catch {
      // a console that throws must not break the page
    }
  }
}
