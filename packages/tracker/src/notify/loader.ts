/**
 * Starts the notification agent (compat.md §13) from the monitoring core. The agent itself is a lazily loaded
 * chunk (`GPE.notify.min.js`) so the core stays under its 5 KB budget: this module only waits until the ids
 * exist (that is, after consent when it is required), unless `notifications: false`, then injects the chunk and
 * hands it a `NotifyHost` through the `__beckonNotify` hook.
 */
import { notificationRequests } from '../commands.js';
import { log } from '../log.js';
import { pageListeners } from '../page.js';
import { allowed, endpoint, options, state } from '../state.js';
import { whenIds } from '../visit.js';
import { NOTIFY_HOOK, type NotifyHost } from './host.js';

/** Loads the notification agent once the visit exists, unless notifications are off. */
export function loadNotify(): void {
  if (options.notifications === false) return;
  const base = () => state.chunkBase || endpoint() + '/server/resources/js/build/';
  const host: NotifyHost = {
    ids: () => ({ visitID: state.visitID, pageID: state.pageID }),
    endpoint,
    chunkBase: base,
    requests: notificationRequests,
    allowed,
    onPage: (fn) => pageListeners.push(fn),
    log,
  };
  (window as unknown as Record<string, unknown>)[NOTIFY_HOOK] = (start: (h: NotifyHost) => void) => {
    try {
      start(host);
    } catch (e) {
      log('notification agent failed', e);
    }
  };
  whenIds(() => {
    const s = document.createElement('script');
    s.async = true;
    s.src = base() + 'GPE.notify.min.js';
    (document.head || document.body).appendChild(s);
  });
}
