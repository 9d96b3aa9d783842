/**
 * Event names, descriptors and the constants of the SCXML Event I/O processor.
 *
 * Kept apart so the interpreter, the send router and the static checker agree on one matching rule.
 */
import type { ScxmlEvent } from './types.js';

/** The SCXML Event I/O processor type URI. */
export const SCXML_PROCESSOR = 'http://www.w3.org/TR/scxml/#SCXMLEventProcessor';

/** Type names accepted for the SCXML processor in `<send type>`. */
export const SCXML_SEND_TYPES: ReadonlySet<string> = new Set([SCXML_PROCESSOR, 'scxml']);

/** Type names accepted for `<invoke type>` of an SCXML child. */
export const SCXML_INVOKE_TYPES: ReadonlySet<string> = new Set([
  'http://www.w3.org/TR/scxml/',
  'http://www.w3.org/TR/scxml',
  'scxml',
  SCXML_PROCESSOR,
]);

/** System variables a document may read but never assign. */
export const SYSTEM_VARIABLES: ReadonlySet<string> = new Set([
  '_event',
  '_sessionid',
  '_name',
  '_ioprocessors',
  '_x',
  'In',
]);

/**
 * True when one of the (normalized) descriptors matches `name`: `*` matches everything, `a.b` matches `a.b` and
 * `a.b.c` but not `a.bc`.
 */
export function nameMatches(descriptors: readonly string[], name: string): boolean {
  for (const d of descriptors) {
    if (d === '*' || d === name) return true;
    if (name.length > d.length && name.charCodeAt(d.length) === 46 /* . */ && name.startsWith(d)) return true;
  }
  return false;
}

/** An error event (`error.execution` / `error.communication`), carrying the reason and the document line. */
export function errorEvent(
  name: 'error.execution' | 'error.communication',
  message: string,
  line: number,
  sendid?: string,
): ScxmlEvent {
  return makeEvent(name, 'platform', { message, line }, sendid);
}

/**
 * Parses a CSS2 duration (`"500ms"`, `"2s"`, `".5s"`, `"1.5min"`, `"1h"`, `"1d"`) into milliseconds; `undefined` when
 * malformed. A bare number is taken as milliseconds.
 */
export function parseDelay(text: string): number | undefined {
  const m = /^\s*(\d*\.?\d+)\s*(ms|s|m|min|h|d)?\s*$/.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  switch (m[2]) {
    case 's':
      return n * 1000;
    case 'm':
    case 'min':
      return n * 60_000;
    case 'h':
      return n * 3_600_000;
    case 'd':
      return n * 86_400_000;
    default:
      return n;
  }
}

/** An event with every `_event` field present (W3C 5.10.1: fields exist even when empty). */
export function makeEvent(
  name: string,
  type: ScxmlEvent['type'],
  data?: unknown,
  sendid?: string,
  invokeid?: string,
): ScxmlEvent {
  return { name, type, sendid, origin: undefined, origintype: undefined, invokeid, data };
}
