/**
 * Per-event validation of the browser wire format (spec/compat.md §7, §8, §10). Each event is judged on its own,
 * so one bad event never affects the others in its batch. The result is a normalized event (both `ID` and `Id`
 * spellings accepted on input) or a rejection with a catalogued code and a message that names the field.
 */
import { ID_PATTERN, systemEventNames } from '@beckon/protocol';
import type { EventRejectionCode, EventType } from '@beckon/protocol';

/** A validated event, before the server assigns `receivedAt` and `category`. */
export interface ValidEvent {
  eventType: EventType;
  eventName: string;
  eventID: string;
  pageID: string;
  visitID: string;
  globalVisitID: string;
  timestamp: number;
  url: string;
  languageCode: string | null;
  data: Record<string, unknown>;
  seq: number | null;
}

export type ValidationResult =
  { ok: true; event: ValidEvent } | { ok: false; code: EventRejectionCode; message: string };

export interface EventLimits {
  /** Largest event, as JSON bytes (default 16384). */
  maxEventBytes: number;
}

const SYSTEM_NAMES: ReadonlySet<string> = new Set(systemEventNames);
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
const MAX_URL = 2048;
const MAX_LANGUAGE = 35;

const reject = (code: EventRejectionCode, message: string): ValidationResult => ({
  ok: false,
  code,
  message,
});

/** UTF-8 length of a string without allocating (core has no Buffer). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (
      c >= 0xd800 &&
      c <= 0xdbff &&
      i + 1 < text.length &&
      (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00
    ) {
      bytes += 4;
      i++;
    } else bytes += 3; // BMP, or a lone surrogate (encoded as U+FFFD)
  }
  return bytes;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads `fooID`, accepting `fooId` too (§0). */
function idField(raw: Record<string, unknown>, base: string): unknown {
  const upper = raw[`${base}ID`];
  return upper !== undefined ? upper : raw[`${base}Id`];
}

/**
 * Validates one raw event. `rawJson` is the event's JSON text when the caller already has it, to size it
 * without serializing again; `sizeBound` an upper bound of its size in bytes (see below).
 * without serializing twice.
 */
export function validateEvent(
  raw: unknown,
  limits: EventLimits,
  rawJson?: string,
  sizeBound?: number,
): ValidationResult {
  if (!isPlainObject(raw)) return reject('invalidEvent', 'event must be a JSON object');
  // `sizeBound` is an upper bound of the event's size known to the caller (e.g. the whole body's): when it is
  // within the limit, serializing the event just to measure it would be wasted work on the hot path.
  if (sizeBound === undefined || sizeBound > limits.maxEventBytes) {
    const json = rawJson ?? JSON.stringify(raw);
    // A UTF-16 unit is 1-3 UTF-8 bytes: count exactly only when the cheap bounds cannot decide.
    const size = json.length * 3 <= limits.maxEventBytes ? json.length : utf8Length(json);
    if (size > limits.maxEventBytes) {
      return reject('tooLarge', `event is ${size} bytes, more than the ${limits.maxEventBytes} allowed`);
    }
  }

  const { eventType, eventName, timestamp, url, languageCode, data, seq } = raw;
  if (eventType === undefined) return reject('missingField', 'eventType is required');
  if (eventType !== 'SYSTEM' && eventType !== 'BUSINESS') {
    return reject('invalidField', 'eventType must be SYSTEM or BUSINESS');
  }
  if (eventName === undefined) return reject('missingField', 'eventName is required');
  if (typeof eventName !== 'string' || eventName.length < 1 || eventName.length > 128) {
    return reject('invalidField', 'eventName must be a string of 1-128 characters');
  }
  if (CONTROL_CHARS.test(eventName))
    return reject('invalidField', 'eventName must not contain control characters');

  const ids: Record<'event' | 'page' | 'visit' | 'globalVisit', string> = {
    event: '',
    page: '',
    visit: '',
    globalVisit: '',
  };
  for (const base of ['event', 'page', 'visit', 'globalVisit'] as const) {
    const value = idField(raw, base);
    if (value === undefined || value === null) return reject('missingField', `${base}ID is required`);
    if (typeof value !== 'string' || !ID_PATTERN.test(value)) {
      return reject('invalidField', `${base}ID must match ^[A-Za-z0-9_-]{8,64}$`);
    }
    ids[base] = value;
  }

  if (timestamp === undefined) return reject('missingField', 'timestamp is required');
  if (typeof timestamp !== 'number' || !Number.isSafeInteger(timestamp) || timestamp < 0) {
    return reject('invalidField', 'timestamp must be a non-negative integer (ms since epoch)');
  }
  if (url === undefined) return reject('missingField', 'url is required');
  if (typeof url !== 'string' || url.length > MAX_URL) {
    return reject('invalidField', `url must be a string of at most ${MAX_URL} characters`);
  }
  if (languageCode !== undefined && languageCode !== null) {
    if (
      typeof languageCode !== 'string' ||
      languageCode.length > MAX_LANGUAGE ||
      CONTROL_CHARS.test(languageCode)
    ) {
      return reject(
        'invalidField',
        `languageCode must be a BCP 47 tag of at most ${MAX_LANGUAGE} characters`,
      );
    }
  }
  if (data !== undefined && data !== null && !isPlainObject(data)) {
    return reject('invalidField', 'data must be a JSON object');
  }
  if (
    seq !== undefined &&
    seq !== null &&
    (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1)
  ) {
    return reject('invalidField', 'seq must be a positive integer');
  }

  const eventData = isPlainObject(data) ? data : {};
  if (eventType === 'SYSTEM') {
    if (!SYSTEM_NAMES.has(eventName))
      return reject('unknownSystemEvent', `unknown SYSTEM event ${eventName}`);
    if (eventName === 'SignIn' || eventName === 'UserInfo') {
      const userId = eventData.userId;
      if (typeof userId !== 'string' || userId.trim().length === 0) {
        return reject('missingField', `data.userId is required for ${eventName}`);
      }
      if (userId.trim().length > 256)
        return reject('invalidField', 'data.userId must be at most 256 characters');
    }
  }

  return {
    ok: true,
    event: {
      eventType,
      eventName,
      eventID: ids.event,
      pageID: ids.page,
      visitID: ids.visit,
      globalVisitID: ids.globalVisit,
      timestamp,
      url,
      languageCode: typeof languageCode === 'string' ? languageCode : null,
      data: eventData,
      seq: typeof seq === 'number' ? seq : null,
    },
  };
}
