/**
 * The `_gt` commands (compat.md §2): `event` in its 8.5 and 8.1 forms (identity events become SYSTEM events),
 * the 8.1 `sendSignIn`/`sendSignOut`/`sendUserInfo`, `getIDs`, `config`, `consent`, `subscribe` and `engage`.
 * Each handler returns false for malformed arguments, which the queue reports as not accepted.
 */
import { GVID_COOKIE, VID_COOKIE, setCookie } from './cookies.js';
import { log, logState } from './log.js';
import { clear, restore } from './sender.js';
import type { NotificationRequests } from './notify/host.js';
import { options, state } from './state.js';
import { dropHeld, emit, makeEvent, releaseHeld, whenIds } from './visit.js';

const IDENTITY = ['SignIn', 'SignOut', 'UserInfo'];
const PAGE_EVENTS = ['VisitStarted', 'PageEntered', 'PageExited'];

/** Push-channel subscriptions and visitor-initiated engagement requests, consumed by the notification agent. */
export const notificationRequests: NotificationRequests = {
  subscriptions: [],
  engage: [],
};

/** True for plain objects (not arrays, not null). */
function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** A JSON copy: functions and `undefined` values disappear (compat.md §2). */
function clean(data: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(data)) as Record<string, unknown>;
}

/** Sends a page event; returns false when the name or data is not acceptable. */
export function sendEvent(name: unknown, data: unknown): boolean {
  // eslint-disable-next-line no-control-regex -- event names exclude control characters (compat.md §2)
  if (typeof name !== 'string' || !/^[^\x00-\x1f\x7f]{1,128}$/.test(name)) return false;
  const identity = name.replace(/^send/, '');
  if (IDENTITY.indexOf(identity) >= 0) {
    let body = data;
    if (isObject(body) && Object.keys(body).length === 1 && isObject(body.data)) body = body.data;
    if (!isObject(body)) body = {};
    emit(makeEvent('SYSTEM', identity, clean(body as Record<string, unknown>)));
    return true;
  }
  if (PAGE_EVENTS.indexOf(name) >= 0) return false;
  if (data !== undefined && !isObject(data)) return false;
  emit(makeEvent('BUSINESS', name, clean(data || {})));
  return true;
}

function event(args: unknown[]): boolean {
  const first = args[0];
  if (isObject(first)) {
    const data: Record<string, unknown> = {};
    for (const k in first) if (k !== 'eventName') data[k] = first[k];
    return sendEvent(first.eventName, data);
  }
  const opts = args[1];
  if (opts !== undefined && !isObject(opts)) return false;
  if (typeof first === 'string' && IDENTITY.indexOf(first.replace(/^send/, '')) >= 0)
    return sendEvent(first, opts);
  return sendEvent(first, opts ? opts.data : undefined);
}

/** Applies `config`; after initialisation only `debug` and `languageCode` change (compat.md §1.4). */
export function config(value: unknown, initialised: boolean): boolean {
  if (!isObject(value)) return false;
  for (const key in value) {
    const v = value[key];
    if (key === 'debug') logState.debug = !!v;
    else if (initialised && key !== 'languageCode') log('option ignored after start:', key);
    else (options as unknown as Record<string, unknown>)[key] = v;
  }
  return true;
}

function consent(given: unknown): boolean {
  if (!options.requireConsent) return true;
  if (given === true && !state.consent) {
    state.consent = true;
    restore();
    releaseHeld();
    if (notificationRequests.consent) notificationRequests.consent(true);
  } else if (given === false) {
    if (notificationRequests.consent) notificationRequests.consent(false);
    state.consent = false;
    setCookie(VID_COOKIE, '', 0, options.cookieDomain);
    setCookie(GVID_COOKIE, '', 0, options.cookieDomain);
    dropHeld();
    clear();
  }
  return true;
}

/** Runs one command; returns whether it was accepted. */
export function runCommand(command: unknown, initialised: boolean): boolean {
  if (!Array.isArray(command)) return false;
  const name = command[0] as string;
  const args = command.slice(1);
  const fn = args[0];
  switch (name) {
    case 'event':
      return event(args);
    case 'sendSignIn':
    case 'sendSignOut':
    case 'sendUserInfo':
      return sendEvent(name, fn);
    case 'config':
      return config(fn, initialised);
    case 'consent':
      return consent(fn);
    case 'getIDs':
      if (typeof fn !== 'function') return false;
      whenIds(() => {
        try {
          fn({ visitID: state.visitID, pageID: state.pageID, globalVisitID: state.globalVisitID });
        } catch (e) {
          log('getIDs callback threw', e);
        }
      });
      return true;
    case 'subscribe':
      if (typeof args[0] !== 'string' || typeof args[1] !== 'function') return false;
      notificationRequests.subscriptions.push({ channel: args[0], fn: args[1] });
      return true;
    case 'engage':
      if (!isObject(fn) || typeof fn.channel !== 'string') return false;
      notificationRequests.engage.push(fn);
      return true;
  }
  return false;
}
