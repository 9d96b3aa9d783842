/**
 * Turns page activity into wire events (compat.md §6–§8): gives each event its ids, starts a new visit when
 * `_gt_vid` has expired or the server answered `visitExpired` (new pageID, `VisitStarted` + `PageEntered` first),
 * renews the visit cookie, and holds events in memory (at most 100) while consent is required but not given.
 */
import type { EventType, WireEvent } from '@beckon/protocol';
import { GVID_COOKIE, TWO_YEARS_SEC, VID_COOKIE, getCookie, setCookie } from './cookies.js';
import { newId } from './ids.js';
import { log } from './log.js';
import { enqueue, hooks } from './sender.js';
import { allowed, options, state } from './state.js';

const MAX_HELD = 100;
const MAX_EVENT_BYTES = 16384;

let held: WireEvent[] = [];
const seq: Record<string, number> = {};
/** pageIDs replaced when a new visit started on the same page view. */
const remap: Record<string, string> = {};
let idWaiters: Array<() => void> = [];

/** Builds an unstamped event for the current page. */
export function makeEvent(eventType: EventType, eventName: string, data: Record<string, unknown>): WireEvent {
  return {
    eventType,
    eventName,
    eventID: newId(),
    pageID: state.pageID,
    visitID: '',
    globalVisitID: '',
    timestamp: new Date().getTime(),
    url: location.href.slice(0, 2048),
    languageCode: options.languageCode || undefined,
    data,
  };
}

/** Sends (or holds, before consent) one event; drops it when its JSON exceeds 16 KB. */
export function emit(event: WireEvent): void {
  if (JSON.stringify(event).length > MAX_EVENT_BYTES)
    return log('event too large, dropped:', event.eventName);
  if (!allowed()) {
    held.push(event);
    if (held.length > MAX_HELD) held.shift();
    return;
  }
  stamp(event);
}

function visitStartedData(): Record<string, unknown> {
  return {
    referrer: document.referrer,
    userAgent: navigator.userAgent,
    language: navigator.language,
    screen: screen.width + 'x' + screen.height,
    timezoneOffset: new Date().getTimezoneOffset(),
  };
}

/** Assigns visit ids and seq, starting a new visit first when needed, then queues the event. */
function stamp(event: WireEvent): void {
  const domain = options.cookieDomain;
  let visitID = getCookie(VID_COOKIE);
  const fresh = !visitID;
  let gvid = getCookie(GVID_COOKIE);
  if (fresh) {
    visitID = newId();
    gvid = gvid || newId();
    setCookie(GVID_COOKIE, gvid, TWO_YEARS_SEC, domain);
  }
  setCookie(VID_COOKIE, visitID, options.visitTimeout, domain);
  state.globalVisitID = gvid || state.globalVisitID || newId();
  if (state.visitID !== visitID) {
    if (state.visitID) {
      // the page view already belongs to another visit: it becomes a new page of the new visit
      const id = newId();
      remap[state.pageID] = id;
      state.pageID = id;
    }
    state.visitID = visitID;
    event.pageID = remap[event.pageID] || event.pageID;
    if (fresh) push(makeEvent('SYSTEM', 'VisitStarted', visitStartedData()));
    if (!(event.eventName === 'PageEntered' && event.pageID === state.pageID)) {
      push(makeEvent('SYSTEM', 'PageEntered', state.pageData));
    }
  }
  event.pageID = remap[event.pageID] || event.pageID;
  push(event);
  const waiters = idWaiters;
  idWaiters = [];
  for (const w of waiters) w();
}

function push(event: WireEvent): void {
  event.visitID = state.visitID;
  event.globalVisitID = state.globalVisitID;
  event.seq = seq[event.pageID] = (seq[event.pageID] || 0) + 1;
  enqueue(event);
}

/** Sends the events held before consent, in order. */
export function releaseHeld(): void {
  const events = held;
  held = [];
  for (const e of events) stamp(e);
}

/** Forgets held events (consent withdrawn, or page unloading before consent). */
export function dropHeld(): void {
  held = [];
}

/** Calls `fn` once the ids exist (compat.md §2 `getIDs`). */
export function whenIds(fn: () => void): void {
  if (state.visitID && allowed()) fn();
  else idWaiters.push(fn);
}

hooks.expired = (events) => {
  setCookie(VID_COOKIE, '', 0, options.cookieDomain);
  log('visit expired, starting a new visit');
  for (const e of events) stamp(e);
};
