/**
 * The set algebra of the W3C algorithm (Appendix D): transition domains, exit sets, entry sets, conflict
 * resolution and "is in final state" — pure functions of the document, the configuration and the history values.
 *
 * Kept apart from the session so the run loop reads as the recommendation's pseudo-code and these can be reasoned
 * about (and tested) on their own.
 */
import type { Action, StateNode, TransitionNode } from './types.js';

/** Recorded history configurations, by history state id (`undefined` when none was recorded yet). */
export type History = ReadonlyMap<string, StateNode[]> | undefined;

export const byOrder = (a: StateNode, b: StateNode): number => a.order - b.order;
export const byOrderDesc = (a: StateNode, b: StateNode): number => b.order - a.order;
export const isDescendant = (s: StateNode, of: StateNode): boolean =>
  s.order > of.order && s.order <= of.lastDescendant;
export const isAtomic = (s: StateNode): boolean =>
  s.kind === 'final' || (s.kind === 'state' && s.initial === undefined);
export const isCompound = (s: StateNode): boolean =>
  (s.kind === 'state' || s.kind === 'scxml') && s.initial !== undefined;

/** Targets with history states replaced by their recorded (or default) configuration. */
export function effectiveTargets(t: TransitionNode, history: History): StateNode[] {
  if (t.domain !== null) return t.targets; // no history target: precomputed by the builder
  const out: StateNode[] = [];
  for (const s of t.targets) {
    if (s.kind !== 'history') {
      if (!out.includes(s)) out.push(s);
      continue;
    }
    const stored = history?.get(s.id);
    for (const x of stored ?? (s.initial ? effectiveTargets(s.initial, history) : []))
      if (!out.includes(x)) out.push(x);
  }
  return out;
}

/** The state whose descendants a transition exits and enters; `undefined` for a targetless transition. */
export function transitionDomain(
  t: TransitionNode,
  history: History,
  root: StateNode,
): StateNode | undefined {
  if (t.domain !== null) return t.domain;
  const targets = effectiveTargets(t, history);
  if (targets.length === 0) return undefined;
  if (t.source.kind === 'scxml') return t.source;
  if (t.internal && isCompound(t.source) && targets.every((s) => isDescendant(s, t.source))) return t.source;
  for (const anc of t.source.ancestors) {
    if (anc.kind !== 'scxml' && !isCompound(anc)) continue;
    if (targets.every((s) => isDescendant(s, anc))) return anc;
  }
  return root;
}

/** Active states the transitions leave (unordered). */
export function computeExitSet(
  transitions: readonly TransitionNode[],
  configuration: ReadonlySet<StateNode>,
  history: History,
  root: StateNode,
): StateNode[] {
  const out: StateNode[] = [];
  for (const t of transitions) {
    if (t.targets.length === 0) continue;
    const domain = transitionDomain(t, history, root);
    for (const s of configuration)
      if ((domain === undefined || isDescendant(s, domain)) && !out.includes(s)) out.push(s);
  }
  return out;
}

/** The optimal enabled transition set: a transition preempts later ones whose exit sets intersect its own. */
export function removeConflicts(
  enabled: TransitionNode[],
  configuration: ReadonlySet<StateNode>,
  history: History,
  root: StateNode,
): TransitionNode[] {
  const filtered: TransitionNode[] = [];
  const exitSets = new Map<TransitionNode, StateNode[]>();
  const exitSet = (t: TransitionNode): StateNode[] => {
    let set = exitSets.get(t);
    if (!set) exitSets.set(t, (set = computeExitSet([t], configuration, history, root)));
    return set;
  };
  for (const t1 of enabled) {
    let preempted = false;
    const toRemove: TransitionNode[] = [];
    for (const t2 of filtered) {
      const e1 = exitSet(t1);
      if (!exitSet(t2).some((s) => e1.includes(s))) continue;
      if (isDescendant(t1.source, t2.source)) toRemove.push(t2);
      else {
        preempted = true;
        break;
      }
    }
    if (preempted) continue;
    for (const t of toRemove) filtered.splice(filtered.indexOf(t), 1);
    filtered.push(t1);
  }
  return filtered;
}

/** The states a microstep enters, those entered by default, and default history content to run. */
export interface EntryPlan {
  readonly states: StateNode[];
  readonly defaults: StateNode[];
  history: Map<StateNode, Action[]> | undefined;
}

/** Computes the entry set of a microstep (W3C `computeEntrySet`). */
export function computeEntry(
  transitions: readonly TransitionNode[],
  history: History,
  root: StateNode,
): EntryPlan {
  const plan: EntryPlan = { states: [], defaults: [], history: undefined };
  for (const t of transitions) {
    for (const s of t.targets) addDescendants(s, plan, history);
    const domain = transitionDomain(t, history, root);
    for (const s of effectiveTargets(t, history)) addAncestors(s, domain, plan, history);
  }
  return plan;
}

function covers(plan: EntryPlan, child: StateNode): boolean {
  for (const x of plan.states) if (x === child || isDescendant(x, child)) return true;
  return false;
}

function addDescendants(s: StateNode, plan: EntryPlan, history: History): void {
  if (s.kind === 'history') {
    const stored = history?.get(s.id);
    const targets = stored ?? s.initial?.targets ?? [];
    if (!stored && s.initial) (plan.history ??= new Map()).set(s.parent!, s.initial.actions);
    for (const t of targets) addDescendants(t, plan, history);
    for (const t of targets) addAncestors(t, s.parent, plan, history);
    return;
  }
  if (!plan.states.includes(s)) plan.states.push(s);
  if (s.kind === 'parallel') {
    for (const child of s.children)
      if (child.kind !== 'history' && !covers(plan, child)) addDescendants(child, plan, history);
  } else if (isCompound(s)) {
    plan.defaults.push(s);
    for (const t of s.initial!.targets) addDescendants(t, plan, history);
    for (const t of s.initial!.targets) addAncestors(t, s, plan, history);
  }
}

function addAncestors(s: StateNode, upTo: StateNode | undefined, plan: EntryPlan, history: History): void {
  for (const anc of s.ancestors) {
    if (anc === upTo || anc.kind === 'scxml') break;
    if (!plan.states.includes(anc)) plan.states.push(anc);
    if (anc.kind !== 'parallel') continue;
    for (const child of anc.children)
      if (child.kind !== 'history' && !covers(plan, child)) addDescendants(child, plan, history);
  }
}

/** True when a compound state's final child, or every region of a parallel state, is reached. */
export function isInFinalState(s: StateNode, configuration: ReadonlySet<StateNode>): boolean {
  if (s.kind === 'parallel')
    return s.children.every((c) => c.kind === 'history' || isInFinalState(c, configuration));
  if (isCompound(s)) return s.children.some((c) => c.kind === 'final' && configuration.has(c));
  return false;
}
