/**
 * The halves of a microstep around the transitions' own content (W3C `exitStates` / `enterStates`): leaving the
 * exit set in reverse document order — recording history, running `<onexit>`, cancelling invokes — and entering
 * the entry set in document order — late data binding, `<onentry>`, default initial and history content, and the
 * done events of reached final states.
 */
import { initStateData } from './data-binding.js';
import { makeEvent } from './events.js';
import { executeBlock } from './execute.js';
import type { ScxmlSession } from './session.js';
import {
  byOrder,
  byOrderDesc,
  computeEntry,
  computeExitSet,
  isAtomic,
  isDescendant,
  isInFinalState,
  type History,
} from './state-sets.js';
import type { StateNode, TransitionNode } from './types.js';

/**
 * Exits the states the transitions leave. `history` and `toInvoke` are the session's recorded history values and
 * states awaiting invocation, `undefined` while it has none.
 */
export function exitStates(
  session: ScxmlSession,
  enabled: readonly TransitionNode[],
  history: History,
  toInvoke: Set<StateNode> | undefined,
): void {
  const toExit = computeExitSet(enabled, session.configuration, history, session.doc.root).sort(byOrderDesc);
  if (toInvoke && toInvoke.size > 0) for (const s of toExit) toInvoke.delete(s);
  for (const s of toExit) {
    for (const h of s.history) {
      const f = h.deep
        ? (x: StateNode) => isAtomic(x) && isDescendant(x, s)
        : (x: StateNode) => x.parent === s;
      session.historyValue.set(h.id, [...session.configuration].filter(f));
    }
  }
  for (const s of toExit) {
    for (const block of s.onexit) executeBlock(session, block);
    session.dispatcher.cancelInvokesOf(s);
    session.configuration.delete(s);
    session.configurationReplaced();
  }
}

/** Enters the states the transitions target; `history` is the session's recorded history values. */
export function enterStates(
  session: ScxmlSession,
  enabled: readonly TransitionNode[],
  history: History,
): void {
  const plan = computeEntry(enabled, history, session.doc.root);
  for (const s of plan.states.sort(byOrder)) {
    session.configuration.add(s);
    session.configurationReplaced();
    if (s.invokes.length > 0) session.statesToInvoke.add(s);
    if (session.doc.binding === 'late') initStateData(session, s);
    for (const block of s.onentry) executeBlock(session, block);
    if (s.initial && plan.defaults.includes(s)) executeBlock(session, s.initial.actions);
    const hc = plan.history?.get(s);
    if (hc) executeBlock(session, hc);
    if (s.kind !== 'final') continue;
    const parent = s.parent!;
    if (parent.kind === 'scxml') {
      session.status = 'done';
      continue;
    }
    session.raiseInternal(makeEvent(`done.state.${parent.id}`, 'platform', session.doneData(s)));
    const grand = parent.parent;
    if (
      grand?.kind === 'parallel' &&
      grand.children.every((c) => c.kind === 'history' || isInFinalState(c, session.configuration))
    )
      session.raiseInternal(makeEvent(`done.state.${grand.id}`, 'platform'));
  }
}
