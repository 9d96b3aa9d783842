/**
 * Per-element builders for what sits inside a state: executable content (`<raise>` … `<send>`, `<if>` with its
 * branches), `<invoke>` with `<finalize>`, `<param>`, `<content>` and `<data>`. The document walk in
 * build-document.ts calls them and collects their problems.
 */
import type {
  Action,
  ContentNode,
  DataNode,
  InvokeNode,
  ParamNode,
  ScxmlDocument,
  SendNode,
  StateNode,
} from './types.js';
import { elementsOf, serializeXml, splitList, textOf, type XmlElement } from './xml-tree.js';

/** What the element builders need from the document walk. */
export interface BuildContext {
  /** Records a problem at an element's position. */
  problem(el: { line: number; column: number }, message: string): void;
  /** The document's `<invoke>`s so far, in document order (an invoke's `index` is its place here). */
  readonly invokes: InvokeNode[];
  /** Builds an inline `<content><scxml>` document; `undefined` (with its problems recorded) if it has problems. */
  inlineDocument(el: XmlElement): ScxmlDocument | undefined;
}

/** A block of executable content: the element's children, unknown SCXML elements reported and left out. */
export function buildActions(cx: BuildContext, el: XmlElement): Action[] {
  const out: Action[] = [];
  for (const c of elementsOf(el)) {
    const a = buildAction(cx, c);
    if (a) out.push(a);
  }
  return out;
}

/** One executable element; `undefined` for an element that is not executable content. */
export function buildAction(cx: BuildContext, el: XmlElement): Action | undefined {
  const a = el.attrs;
  const pos = { line: el.line, column: el.column };
  switch (el.name) {
    case 'raise':
      if (!a['event']) cx.problem(el, '<raise> needs an event');
      return { type: 'raise', event: a['event'] ?? '', ...pos };
    case 'log':
      return { type: 'log', label: a['label'], expr: a['expr'], ...pos };
    case 'assign':
      if (!a['location']) cx.problem(el, '<assign> needs a location');
      return {
        type: 'assign',
        location: a['location'] ?? '',
        expr: a['expr'],
        text: inlineText(el),
        ...pos,
      };
    case 'script':
      return { type: 'script', source: textOf(el), ...pos };
    case 'cancel':
      return { type: 'cancel', sendid: a['sendid'], sendidexpr: a['sendidexpr'], ...pos };
    case 'foreach':
      return {
        type: 'foreach',
        array: a['array'] ?? '',
        item: a['item'] ?? '',
        index: a['index'],
        actions: buildActions(cx, el),
        ...pos,
      };
    case 'if':
      return buildIf(cx, el);
    case 'send':
      return { type: 'send', ...buildSend(cx, el) };
    default:
      if (el.ns === '' || el.ns === 'http://www.w3.org/2005/07/scxml')
        cx.problem(el, `unknown executable element <${el.name}>`);
      return undefined;
  }
}

function buildIf(cx: BuildContext, el: XmlElement): Action {
  const branches: { cond: string | undefined; actions: Action[] }[] = [
    { cond: el.attrs['cond'] ?? 'false', actions: [] },
  ];
  for (const c of elementsOf(el)) {
    if (c.name === 'elseif') branches.push({ cond: c.attrs['cond'] ?? 'false', actions: [] });
    else if (c.name === 'else') branches.push({ cond: undefined, actions: [] });
    else {
      const a = buildAction(cx, c);
      if (a) branches[branches.length - 1]!.actions.push(a);
    }
  }
  return { type: 'if', branches, line: el.line, column: el.column };
}

function buildSend(cx: BuildContext, el: XmlElement): SendNode {
  const a = el.attrs;
  return {
    event: a['event'],
    eventexpr: a['eventexpr'],
    target: a['target'],
    targetexpr: a['targetexpr'],
    sendType: a['type'],
    typeexpr: a['typeexpr'],
    id: a['id'],
    idlocation: a['idlocation'],
    delay: a['delay'],
    delayexpr: a['delayexpr'],
    namelist: splitList(a['namelist']),
    params: buildParams(el),
    content: buildContent(cx, el),
    line: el.line,
    column: el.column,
  };
}

/** An `<invoke>` of state `parent`, appended to the document's invokes. */
export function buildInvoke(cx: BuildContext, el: XmlElement, parent: StateNode): InvokeNode {
  const a = el.attrs;
  const fin = elementsOf(el).find((c) => c.name === 'finalize');
  const node: InvokeNode = {
    invokeType: a['type'],
    typeexpr: a['typeexpr'],
    src: a['src'],
    srcexpr: a['srcexpr'],
    id: a['id'],
    idlocation: a['idlocation'],
    autoforward: a['autoforward'] === 'true',
    namelist: splitList(a['namelist']),
    params: buildParams(el),
    content: buildContent(cx, el),
    finalize: fin ? buildActions(cx, fin) : [],
    index: cx.invokes.length,
    parent,
    line: el.line,
    column: el.column,
  };
  cx.invokes.push(node);
  return node;
}

/** The `<param>` children of `<send>`, `<invoke>` or `<donedata>`. */
export function buildParams(el: XmlElement): ParamNode[] {
  return elementsOf(el)
    .filter((c) => c.name === 'param')
    .map((c) => ({
      name: c.attrs['name'] ?? '',
      expr: c.attrs['expr'],
      location: c.attrs['location'],
      line: c.line,
      column: c.column,
    }));
}

/** The `<content>` child, if any: `expr`, inline text or markup, or an inline `<scxml>` document. */
export function buildContent(cx: BuildContext, el: XmlElement): ContentNode | undefined {
  const c = elementsOf(el).find((x) => x.name === 'content');
  if (!c) return undefined;
  const kids = elementsOf(c);
  const scxmlEl = kids.find((k) => k.name === 'scxml');
  const inlineDoc = scxmlEl ? cx.inlineDocument(scxmlEl) : undefined;
  const text = kids.length > 0 && !scxmlEl ? c.children.map(serializeXml).join('') : textOf(c);
  return { expr: c.attrs['expr'], text, inlineDoc, line: c.line, column: c.column };
}

/** One `<data>` of a `<datamodel>`. */
export function buildData(el: XmlElement): DataNode {
  return {
    id: el.attrs['id'] ?? '',
    expr: el.attrs['expr'],
    src: el.attrs['src'],
    text: inlineText(el),
    line: el.line,
    column: el.column,
  };
}

function inlineText(el: XmlElement): string | undefined {
  if (el.children.length === 0) return undefined;
  const allText = el.children.every((c) => typeof c === 'string');
  const text = (allText ? textOf(el) : el.children.map(serializeXml).join('')).trim();
  return text.length > 0 ? text : undefined;
}
