/**
 * Loads the Business Events DSL (compat.md §9) lazily: the engine is a second chunk (`GPE.dsl.min.js`) so that
 * the monitoring core stays under 5 KB gzipped. The core fetches the XML and injects the chunk in parallel, so
 * the split costs no extra round trip; the chunk calls the global hook `__beckonDsl` with its start function.
 */
import { sendEvent } from './commands.js';
import { log, logState } from './log.js';
import { pageListeners } from './page.js';
import { endpoint, options, state } from './state.js';

/** What the DSL chunk receives from the core. */
export interface DslHost {
  /** The DSL text, or a rejection when it could not be loaded. */
  xml: Promise<string>;
  /** Sends a business event, as `['event', name, {data}]`. */
  emit(name: string, data: Record<string, unknown>): void;
  log(...args: unknown[]): void;
  /** Whether debug logging is on (the chunk logs its own parse errors). */
  debug(): boolean;
  /** Registers a callback for each SPA navigation (a new page view). */
  onPage(fn: () => void): void;
}

/** Starts the DSL download and the engine chunk, unless `dslResource` is the empty string. */
export function loadDsl(): void {
  if (options.dslResource === '') return;
  const url = options.dslResource || endpoint() + '/server/resources/dsl/domain-model.xml';
  const host: DslHost = {
    xml: fetch(url, { credentials: 'omit' }).then((r) => (r.ok ? r.text() : Promise.reject(r.status))),
    emit: (name, data) => sendEvent(name, data),
    log,
    debug: () => logState.debug,
    onPage: (fn) => pageListeners.push(fn),
  };
  host.xml.catch((e) => log('DSL not loaded:', url, e));
  (window as unknown as { __beckonDsl: (start: (h: DslHost) => void) => void }).__beckonDsl = (start) => {
    try {
      start(host);
    } catch (e) {
      log('DSL engine failed', e);
    }
  };
  const s = document.createElement('script');
  s.async = true;
  s.src = (state.chunkBase || endpoint() + '/server/resources/js/build/') + 'GPE.dsl.min.js';
  (document.head || document.body).appendChild(s);
}
