/**
 * Transition selection (W3C `selectEventlessTransitions` / `selectTransitions`): for each active atomic state in
 * document order, the first transition of it or its nearest ancestor whose event and condition match, reduced to
 * the optimal enabled transition set. A condition that throws counts as false and raises `error.execution`.
 */
import { ExecutionError } from './datamodel.js';
import { errorEvent, nameMatches } from './events.js';
import type { ScxmlSession } from './session.js';
import { byOrder, isAtomic, removeConflicts, type History } from './state-sets.js';
import type { ScxmlEvent, StateNode, TransitionNode } from './types.js';

const NONE: readonly TransitionNode[] = Object.freeze([]);

/** Atomic states of a configuration in document order (the session caches them until its configuration changes). */
export function atomicStates(configuration: ReadonlySet<StateNode>): StateNode[] {
  const out: StateNode[] = [];
  for (const s of configuration) if (isAtomic(s)) out.push(s);
  return out.length > 1 ? out.sort(byOrder) : out;
}

/**
 * The optimal enabled transition set for `ev`, or for eventless transitions when `ev` is `undefined`. `atomic` is
 * {@link atomicStates} of the session's configuration; `history` its recorded history values.
 */
export function selectTransitions(
  session: ScxmlSession,
  atomic: readonly StateNode[],
  history: History,
  ev: ScxmlEvent | undefined,
): readonly TransitionNode[] {
  if (ev === undefined) {
    let any = false;
    for (const a of atomic) any ||= a.eventless;
    if (!any) return NONE;
  }
  let enabled: TransitionNode[] | undefined;
  for (const state of atomic) {
    let found: TransitionNode | undefined;
    for (let s: StateNode | undefined = state; s && !found; s = s.parent) {
      for (const t of s.transitions) {
        if (
          ev === undefined
            ? t.events !== undefined
            : t.events === undefined || !nameMatches(t.events, ev.name)
        )
          continue;
        if (t.cond !== undefined && !condition(session, t)) continue;
        found = t;
        break;
      }
    }
    if (!found) continue;
    if (!enabled) enabled = [found];
    else if (!enabled.includes(found)) enabled.push(found);
  }
  if (!enabled) return NONE;
  return enabled.length > 1
    ? removeConflicts(enabled, session.configuration, history, session.doc.root)
    : enabled;
}

function condition(session: ScxmlSession, t: TransitionNode): boolean {
  try {
    return session.dm.cond(t.cond!, t.line);
  } catch (err) {
    if (!(err instanceof ExecutionError)) throw err;
    session.raiseInternal(errorEvent('error.execution', err.message, err.line));
    return false;
  }
}
