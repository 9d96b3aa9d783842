/**
 * Page views (compat.md §6, §8): a new pageID and `PageEntered` on load and on every SPA navigation
 * (`pushState`, `replaceState`, `popstate` that change the URL outside its fragment), `PageExited` with
 * `durationMs` on navigation away and on `pagehide`, the latter sent with `sendBeacon`.
 */
import { newId } from './ids.js';
import { log } from './log.js';
import { beacon } from './sender.js';
import { allowed, options, state } from './state.js';
import { dropHeld, emit, makeEvent } from './visit.js';

/** Listeners told about each new page view (the DSL engine restarts its triggers). */
export const pageListeners: Array<() => void> = [];

function withoutHash(url: string): string {
  const i = url.indexOf('#');
  return i < 0 ? url : url.slice(0, i);
}

let lastUrl = '';

/** Starts a page view: new pageID, `PageEntered` with title and referrer. */
export function enterPage(referrer: string): void {
  state.pageID = newId();
  state.pageStart = new Date().getTime();
  state.pageData = { title: document.title, referrer };
  lastUrl = withoutHash(location.href);
  emit(makeEvent('SYSTEM', 'PageEntered', state.pageData));
}

function exitEvent() {
  return makeEvent('SYSTEM', 'PageExited', { durationMs: new Date().getTime() - state.pageStart });
}

function navigated(): void {
  try {
    if (withoutHash(location.href) === lastUrl) return;
    const previous = lastUrl;
    emit(exitEvent());
    enterPage(previous);
    log('navigation to', location.href);
    for (const fn of pageListeners) fn();
  } catch (e) {
    log('navigation tracking failed', e);
  }
}

/** Installs SPA navigation tracking and the pagehide beacon. */
export function watchPages(): void {
  if (options.trackHistory) {
    for (const name of ['pushState', 'replaceState'] as const) {
      const original = history[name];
      history[name] = function (this: History, ...args: Parameters<History['pushState']>) {
        const result = original.apply(this, args);
        navigated();
        return result;
      };
    }
    addEventListener('popstate', navigated);
  }
  // a page restored from the back/forward cache already sent its PageExited: it starts a new page view
  addEventListener('pageshow', (e) => {
    if ((e as PageTransitionEvent).persisted) {
      enterPage(document.referrer);
      for (const fn of pageListeners) fn();
    }
  });
  addEventListener('pagehide', () => {
    try {
      emit(exitEvent());
      dropHeld();
      if (allowed()) beacon();
    } catch (e) {
      log('pagehide failed', e);
    }
  });
}
