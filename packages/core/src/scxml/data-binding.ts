/**
 * Data binding (W3C 5.3): with early binding every state's `<data>` is initialized when the session starts; with
 * late binding a state's `<data>` is initialized when the state is first entered. A `<data>` that fails to
 * initialize raises `error.execution`. The top-level `<script>` runs once, after the start-up data.
 */
import { ExecutionError } from './datamodel.js';
import { errorEvent } from './events.js';
import { executeBlock } from './execute.js';
import type { ScxmlSession } from './session.js';
import type { StateNode } from './types.js';

/** Start-up initialization: every state's data (early binding) or the root's (late), then the top-level script. */
export function initializeData(session: ScxmlSession): void {
  const doc = session.doc;
  const init = doc.binding === 'early' ? doc.states : [doc.root];
  for (const s of init) initStateData(session, s);
  if (doc.script) executeBlock(session, [doc.script]);
}

/** Initializes one state's `<data>`; with late binding only the first time. */
export function initStateData(session: ScxmlSession, s: StateNode): void {
  if (session.doc.binding === 'late') {
    if (session.dataInitialized.has(s)) return;
    session.dataInitialized.add(s);
  }
  for (const d of s.data) {
    try {
      session.dm.initData(d, session.options.resolver, session.options.initialData);
    } catch (err) {
      if (!(err instanceof ExecutionError)) throw err;
      session.raiseInternal(errorEvent('error.execution', err.message, err.line));
    }
  }
}
