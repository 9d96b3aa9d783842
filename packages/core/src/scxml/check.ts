/**
 * Static checks of a strategy document, each with its line: what `beckon strategy check` prints and what a deploy
 * rejects. Errors: malformed XML or SCXML, transitions to missing ids, unknown `beckon` targets, send types and
 * `src` values a deployed strategy may not use. Warnings: states no transition can ever reach.
 */
import { loadScxml } from './build-document.js';
import { BECKON_SEND_TYPE, BECKON_TARGETS } from './beckon-io.js';
import { SCXML_SEND_TYPES } from './events.js';
import type { Action, ScxmlDocument, SendNode, StateNode } from './types.js';

/** One finding. */
export interface Diagnostic {
  readonly line: number;
  readonly column: number;
  readonly severity: 'error' | 'warning';
  readonly message: string;
}

/** Options of {@link checkStrategy}. */
export interface CheckOptions {
  /** Apply the deployed-strategy rules of spec/engagement.md §3 (default true). */
  readonly deployed?: boolean;
}

/** Checks SCXML text; returns diagnostics sorted by line (empty when clean) and the document when it loaded. */
export function checkStrategy(
  text: string,
  options: CheckOptions = {},
): { document: ScxmlDocument | undefined; diagnostics: Diagnostic[] } {
  const loaded = loadScxml(text);
  const out: Diagnostic[] = loaded.problems.map((p) => ({ ...p, severity: 'error' as const }));
  const doc: ScxmlDocument | undefined =
    loaded.document ?? (loaded.document === undefined ? loaded.partial : undefined);
  if (!doc) return { document: undefined, diagnostics: out };
  const error = (at: { line: number; column: number }, message: string) =>
    out.push({ line: at.line, column: at.column, severity: 'error', message });
  if ((options.deployed ?? true) && doc.datamodel !== 'ecmascript')
    error(doc.root, `datamodel must be "ecmascript", found "${doc.datamodel}"`);
  for (const s of unreachable(doc)) {
    out.push({
      line: s.line,
      column: s.column,
      severity: 'warning',
      message: `state "${s.id}" is unreachable`,
    });
  }
  if (options.deployed ?? true) {
    for (const send of sends(doc)) checkSend(send, error);
    for (const inv of doc.invokes) {
      if (inv.src !== undefined && !/^strategy:[\w.-]+$/.test(inv.src))
        error(inv, `invoke src "${inv.src}" must name a deployed strategy ("strategy:<name>")`);
    }
  }
  out.sort((a, b) => a.line - b.line || a.column - b.column);
  return { document: loaded.document, diagnostics: out };
}

function checkSend(send: SendNode, error: (at: SendNode, message: string) => void): void {
  const type = send.sendType;
  if (type === BECKON_SEND_TYPE) {
    if (send.target === undefined && send.targetexpr === undefined)
      error(send, '<send type="beckon"> needs a target');
    else if (send.target !== undefined && !(BECKON_TARGETS as readonly string[]).includes(send.target))
      error(send, `unknown beckon target "${send.target}" (expected one of ${BECKON_TARGETS.join(', ')})`);
    return;
  }
  if (type !== undefined && !SCXML_SEND_TYPES.has(type)) {
    error(send, `send type "${type}" is not available to strategies (use type="beckon" for outside effects)`);
    return;
  }
  const t = send.target;
  if (t !== undefined && !t.startsWith('#_'))
    error(send, `send target "${t}" is not the session, a child, the parent or #_internal`);
}

function* sends(doc: ScxmlDocument): Generator<SendNode> {
  function* walk(actions: readonly Action[]): Generator<SendNode> {
    for (const a of actions) {
      if (a.type === 'send') yield a;
      else if (a.type === 'foreach') yield* walk(a.actions);
      else if (a.type === 'if') for (const b of a.branches) yield* walk(b.actions);
    }
  }
  for (const s of doc.states) {
    for (const block of [...s.onentry, ...s.onexit]) yield* walk(block);
    for (const t of s.transitions) yield* walk(t.actions);
    if (s.initial) yield* walk(s.initial.actions);
    for (const inv of s.invokes) yield* walk(inv.finalize);
  }
}

/** States that no initial entry, transition or history default can ever activate. */
export function unreachable(doc: ScxmlDocument): StateNode[] {
  const reached = new Set<StateNode>([doc.root]);
  const work: StateNode[] = [doc.root];
  const reach = (s: StateNode) => {
    for (const x of [s, ...s.ancestors]) {
      if (reached.has(x)) continue;
      reached.add(x);
      work.push(x);
    }
  };
  while (work.length > 0) {
    const s = work.pop()!;
    if (s.initial) s.initial.targets.forEach(reach);
    if (s.kind === 'parallel') s.children.filter((c) => c.kind !== 'history').forEach(reach);
    for (const t of s.transitions) t.targets.forEach(reach);
  }
  return doc.states.filter((s) => !reached.has(s) && s.kind !== 'history' && s.kind !== 'scxml');
}
