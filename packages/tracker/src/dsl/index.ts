/**
 * Entry of the lazily loaded DSL chunk (`GPE.dsl.min.js`). It hands its start function to the monitoring core
 * through the `__beckonDsl` hook the core set before injecting this script; without the hook it does nothing.
 */
import type { DslHost } from '../dsl-loader.js';
import { install } from './engine.js';
import { parseDsl } from './parse.js';

function start(host: DslHost): void {
  host.xml
    .then((xml) => {
      const events = parseDsl(xml, host.log);
      host.log('DSL installed:', events.length, 'events');
      install(events, host);
    })
    .catch((e) => host.log('DSL failed', e));
}

try {
  const hook = (window as unknown as { __beckonDsl?: (s: typeof start) => void }).__beckonDsl;
  if (hook) hook(start);
} catch {
  // never throw into the page
}
