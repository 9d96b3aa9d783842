/**
 * Turns an XML element tree into an immutable `ScxmlDocument`: states in document order with their ancestors and
 * descendant ranges precomputed, transitions with resolved targets and pre-split event descriptors, executable
 * content as a discriminated union. Everything the interpreter would otherwise recompute per event is done here once.
 *
 * This file is the document walk (states, transitions, initial states, precomputed domains); the elements inside a
 * state (executable content, `<invoke>`, `<param>`, `<content>`, `<data>`) are built by build-elements.ts.
 */
import {
  buildAction,
  buildActions,
  buildContent,
  buildData,
  buildInvoke,
  buildParams,
  type BuildContext,
} from './build-elements.js';
import { transitionDomain } from './state-sets.js';
import type { Action, InvokeNode, ScxmlDocument, StateKind, StateNode, TransitionNode } from './types.js';
import { elementsOf, parseXml, splitList, type XmlElement, type XmlProblem } from './xml-tree.js';

/** A problem found while reading a document. */
export type ScxmlProblem = XmlProblem;

/** Result of {@link loadScxml}. */
export type LoadResult =
  | { document: ScxmlDocument; problems: [] }
  | { document: undefined; problems: ScxmlProblem[]; partial?: ScxmlDocument };

/** Parses SCXML text into a document, or returns every problem found with its line. */
export function loadScxml(text: string): LoadResult {
  const parsed = parseXml(text);
  if ('problem' in parsed) return { document: undefined, problems: [parsed.problem] };
  return buildScxml(parsed.root);
}

/** Builds a document from an already-parsed `<scxml>` element. */
export function buildScxml(rootEl: XmlElement): LoadResult {
  const b = new Builder();
  const doc = b.build(rootEl);
  // `partial` lets static checks go on past the first problems; it must never be run.
  if (b.problems.length > 0) return { document: undefined, problems: b.problems, partial: doc };
  return { document: doc, problems: [] };
}

const STATE_TAGS: Record<string, StateKind> = {
  state: 'state',
  parallel: 'parallel',
  final: 'final',
  history: 'history',
};

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

class Builder implements BuildContext {
  readonly problems: ScxmlProblem[] = [];
  private readonly states: StateNode[] = [];
  private readonly byId = new Map<string, StateNode>();
  private readonly transitions: TransitionNode[] = [];
  readonly invokes: InvokeNode[] = [];
  private autoId = 0;

  problem(el: { line: number; column: number }, message: string): void {
    this.problems.push({ line: el.line, column: el.column, message });
  }

  inlineDocument(el: XmlElement): ScxmlDocument | undefined {
    const r = buildScxml(el);
    if (!r.document) this.problems.push(...r.problems);
    return r.document;
  }

  build(el: XmlElement): ScxmlDocument {
    if (el.name !== 'scxml') this.problem(el, `root element must be <scxml>, found <${el.name}>`);
    const binding = el.attrs['binding'] === 'late' ? 'late' : 'early';
    let script: Action | undefined;
    const root = this.state(el, 'scxml', undefined);
    for (const child of elementsOf(el)) {
      if (child.name === 'script') script = buildAction(this, child);
    }
    for (const t of this.transitions) {
      t.targets = t.targetIds
        .map((id) => {
          const s = this.byId.get(id);
          if (!s) this.problem(t, `transition target "${id}" does not exist`);
          return s;
        })
        .filter((s): s is StateNode => s !== undefined);
    }
    for (const s of this.states) this.resolveInitial(s, el);
    for (const s of this.states) {
      s.eventless = s.transitions.some((t) => t.events === undefined) || (s.parent?.eventless ?? false);
      for (const t of s.transitions) t.domain = staticDomain(t, root);
      if (s.initial) s.initial.domain = staticDomain(s.initial, root);
    }
    return {
      root,
      name: el.attrs['name'],
      binding,
      datamodel: el.attrs['datamodel'] ?? 'null',
      states: this.states,
      byId: this.byId,
      script,
      invokes: this.invokes,
      cache: new WeakMap(),
    };
  }

  private state(el: XmlElement, kind: StateKind, parent: StateNode | undefined): StateNode {
    const id = el.attrs['id'] ?? (kind === 'scxml' ? '' : `__state${this.autoId++}`);
    const node: Mutable<StateNode> = {
      kind,
      id,
      parent,
      children: [],
      order: this.states.length,
      lastDescendant: this.states.length,
      ancestors: parent ? [parent, ...parent.ancestors] : [],
      transitions: [],
      initial: undefined,
      onentry: [],
      onexit: [],
      invokes: [],
      data: [],
      history: [],
      deep: el.attrs['type'] === 'deep',
      eventless: false,
      donedata: undefined,
      line: el.line,
      column: el.column,
    };
    this.states.push(node);
    if (kind !== 'scxml') {
      if (this.byId.has(id)) this.problem(el, `duplicate state id "${id}"`);
      this.byId.set(id, node);
    }
    (node as { initialAttr?: string[]; initialEl?: XmlElement }).initialAttr = el.attrs['initial']
      ? splitList(el.attrs['initial'])
      : undefined;
    for (const child of elementsOf(el)) {
      const childKind = STATE_TAGS[child.name];
      if (childKind) {
        const c = this.state(child, childKind, node);
        node.children.push(c);
        if (childKind === 'history') node.history.push(c);
        continue;
      }
      switch (child.name) {
        case 'transition':
          if (kind === 'history') node.initial = this.transition(child, node);
          else node.transitions.push(this.transition(child, node));
          break;
        case 'initial': {
          const t = elementsOf(child).find((c) => c.name === 'transition');
          if (!t) this.problem(child, '<initial> needs a <transition>');
          else (node as { initialEl?: XmlElement }).initialEl = t;
          break;
        }
        case 'onentry':
          node.onentry.push(buildActions(this, child));
          break;
        case 'onexit':
          node.onexit.push(buildActions(this, child));
          break;
        case 'invoke':
          node.invokes.push(buildInvoke(this, child, node));
          break;
        case 'datamodel':
          for (const d of elementsOf(child)) if (d.name === 'data') node.data.push(buildData(d));
          break;
        case 'donedata':
          node.donedata = { params: buildParams(child), content: buildContent(this, child) };
          break;
        case 'script':
          if (kind !== 'scxml')
            this.problem(child, '<script> is only allowed at the top level or in executable content');
          break;
        default:
          if (child.ns === '' || child.ns === 'http://www.w3.org/2005/07/scxml')
            this.problem(child, `unexpected <${child.name}> in <${el.name}>`);
      }
    }
    node.lastDescendant = this.states.length - 1;
    return node;
  }

  private resolveInitial(s: Mutable<StateNode>, rootEl: XmlElement): void {
    if (s.kind === 'history') {
      if (!s.initial) this.problem(s, `history state "${s.id}" needs a default <transition>`);
      return;
    }
    if (s.kind !== 'state' && s.kind !== 'scxml') return;
    const real = s.children.filter((c) => c.kind !== 'history');
    if (real.length === 0) return;
    const extra = s as { initialAttr?: string[]; initialEl?: XmlElement };
    let t: TransitionNode;
    if (extra.initialEl) {
      t = this.transition(extra.initialEl, s);
    } else {
      const ids = extra.initialAttr ?? [real[0]!.id];
      t = this.synthetic(s, ids, s === this.states[0] ? rootEl : s);
    }
    t.targets = t.targetIds
      .map((id) => {
        const target = this.byId.get(id);
        if (!target) this.problem(t, `initial state "${id}" does not exist`);
        return target;
      })
      .filter((x): x is StateNode => x !== undefined);
    s.initial = t;
    delete extra.initialAttr;
    delete extra.initialEl;
  }

  private synthetic(source: StateNode, ids: string[], pos: { line: number; column: number }): TransitionNode {
    return {
      source,
      events: undefined,
      cond: undefined,
      targetIds: ids,
      targets: [],
      internal: true,
      actions: [],
      order: -1,
      domain: null,
      line: pos.line,
      column: pos.column,
    };
  }

  private transition(el: XmlElement, source: StateNode): TransitionNode {
    const events =
      el.attrs['event'] === undefined ? undefined : splitList(el.attrs['event']).map(normalizeDescriptor);
    const t: TransitionNode = {
      source,
      events,
      cond: el.attrs['cond'],
      targetIds: splitList(el.attrs['target']),
      targets: [],
      internal: el.attrs['type'] === 'internal',
      actions: buildActions(this, el),
      order: this.transitions.length,
      domain: null,
      line: el.line,
      column: el.column,
    };
    this.transitions.push(t);
    return t;
  }
}

function normalizeDescriptor(d: string): string {
  if (d === '*') return d;
  if (d.endsWith('.*')) return d.slice(0, -2);
  if (d.endsWith('.')) return d.slice(0, -1);
  return d;
}

/**
 * The W3C transition domain, when it does not depend on history values (`null` otherwise). Without a history target
 * `transitionDomain` never reads history, so the build-time answer is the run-time one and can be cached on the node.
 */
function staticDomain(t: TransitionNode, root: StateNode): StateNode | undefined | null {
  if (t.targets.some((x) => x.kind === 'history')) return null;
  return transitionDomain(t, undefined, root);
}
