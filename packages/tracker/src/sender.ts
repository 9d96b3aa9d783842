/**
 * Sends stamped events to `POST /server/events` (compat.md §10): batches of at most 20 events after 250 ms,
 * retries on network errors, 5xx and 429 after 1, 2, 4, 8, 16 s (or `Retry-After`), and keeps every event not
 * yet acknowledged in `sessionStorage` so that a page change resends it (same eventIDs; the server drops
 * duplicates). Body type `text/plain` keeps the request "simple", so no CORS preflight is needed.
 */
import type { IngestResult, WireEvent } from '@beckon/protocol';
import { log } from './log.js';
import { allowed, endpoint, options } from './state.js';

const BATCH = 20;
const DELAY_MS = 250;
const BACKOFF_SEC = [1, 2, 4, 8, 16];

let pending: WireEvent[] = [];
let inflight: WireEvent[] = [];
let timer: ReturnType<typeof setTimeout> | undefined;
let attempt = 0;
let waiting = false;

/** Called with the events the server rejected as `visitExpired`; set by the visit module. */
export const hooks = { expired: (_events: WireEvent[]): void => undefined };

function storageKey(): string {
  return options.name + '_q';
}

/** Mirrors unacknowledged events into sessionStorage (only with consent). */
function persist(): void {
  if (!allowed()) return;
  try {
    const all = inflight.concat(pending);
    if (all.length) sessionStorage.setItem(storageKey(), JSON.stringify(all));
    else sessionStorage.removeItem(storageKey());
  } catch {
    // storage full or disabled: events stay in memory
  }
}

/** Takes back events a previous page of this tab left unacknowledged. */
export function restore(): void {
  try {
    const saved = JSON.parse(sessionStorage.getItem(storageKey()) || '[]') as WireEvent[];
    if (saved.length) {
      log('resending', saved.length, 'stored events');
      pending = saved.concat(pending);
      schedule();
    }
  } catch {
    // unreadable storage: nothing to resend
  }
}

/** Drops everything not yet sent and the stored copy (consent withdrawn). */
export function clear(): void {
  pending = [];
  try {
    sessionStorage.removeItem(storageKey());
  } catch {
    // nothing to clear
  }
}

/** Queues one stamped event for sending. */
export function enqueue(event: WireEvent): void {
  pending.push(event);
  persist();
  if (pending.length >= BATCH) flush();
  else schedule();
}

function schedule(delay = DELAY_MS): void {
  if (!timer) {
    timer = setTimeout(() => {
      timer = undefined;
      waiting = false;
      try {
        flush();
      } catch (e) {
        log('send failed', e); // e.g. no fetch in this browser: never surface in the page
      }
    }, delay);
  }
}

function retry(retryAfter: string | null): void {
  pending = inflight.concat(pending);
  inflight = [];
  const sec = Number(retryAfter) > 0 ? Number(retryAfter) : (BACKOFF_SEC[Math.min(attempt, 4)] as number);
  attempt++;
  log('send failed, retry in', sec, 's');
  waiting = true;
  schedule(sec * 1000);
}

/** Sends the next batch unless one is in flight or a retry is waiting. */
export function flush(): void {
  if (inflight.length || waiting || !pending.length) return;
  inflight = pending.splice(0, BATCH);
  const batch = inflight;
  fetch(endpoint() + '/server/events', {
    method: 'POST',
    body: JSON.stringify(batch),
    headers: { 'Content-Type': 'text/plain' },
    credentials: 'omit',
  })
    .then((res) => {
      if (res.status >= 500 || res.status === 429) return retry(res.headers.get('Retry-After'));
      inflight = [];
      attempt = 0;
      if (res.status !== 202) log('batch refused with status', res.status);
      persist();
      return res.json().then((body: IngestResult) => {
        const expired = (body.rejected || []).filter((r) => r.code === 'visitExpired');
        for (const r of body.rejected || []) log('event rejected:', r.code, r.message);
        const events = expired.map((r) => batch[r.index]).filter((e): e is WireEvent => !!e);
        if (events.length) hooks.expired(events);
      });
    })
    .catch(() => (inflight.length ? retry(null) : undefined))
    .then(() => {
      if (!inflight.length) flush();
    });
}

/** Hands every unacknowledged event to `sendBeacon` (page is going away), falling back to `fetch` keepalive. */
export function beacon(): void {
  const all = inflight.concat(pending);
  const url = endpoint() + '/server/events';
  let delivered = true;
  for (let i = 0; i < all.length; i += BATCH) {
    const body = JSON.stringify(all.slice(i, i + BATCH));
    let ok = false;
    try {
      ok = !!navigator.sendBeacon && navigator.sendBeacon(url, body);
    } catch {
      ok = false;
    }
    if (!ok) {
      delivered = false;
      try {
        fetch(url, {
          method: 'POST',
          body,
          keepalive: true,
          headers: { 'Content-Type': 'text/plain' },
        }).catch(() => undefined);
      } catch {
        // nothing more can be done while the page unloads
      }
    }
  }
  // The browser owns queued beacons; only a refused beacon leaves its events stored for the next page.
  if (delivered) {
    inflight = [];
    clear();
  }
}
