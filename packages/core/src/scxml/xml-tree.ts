/**
 * Reads XML into a small element tree that keeps the line and column of every element.
 *
 * SCXML diagnostics (deploy-time rejections, `beckon strategy check`, runtime error logs) always name a line, so the
 * position is captured here once, at the only place that sees the source text.
 */
import { SaxesParser } from 'saxes';

/** An element with its local name, attributes, children and position. */
export interface XmlElement {
  readonly name: string;
  readonly ns: string;
  readonly attrs: Record<string, string>;
  readonly children: XmlNode[];
  readonly line: number;
  readonly column: number;
}

/** A child: an element or a text run (CDATA included). */
export type XmlNode = XmlElement | string;

/** A syntax error with its position. */
export interface XmlProblem {
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/** Parses `text`; returns the root element or the first well-formedness problem. */
export function parseXml(text: string): { root: XmlElement } | { problem: XmlProblem } {
  const parser = new SaxesParser({ xmlns: true, position: true });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let problem: XmlProblem | undefined;
  parser.on('error', (err) => {
    problem ??= { line: parser.line, column: parser.column, message: err.message };
  });
  let startLine = 1;
  let startColumn = 1;
  parser.on('opentagstart', (tag) => {
    // Reported when the name has been read: step back over it and the '<' to the tag's first column.
    startLine = parser.line;
    startColumn = Math.max(1, parser.column - tag.name.length - 1);
  });
  parser.on('opentag', (tag) => {
    const attrs: Record<string, string> = {};
    for (const [key, attr] of Object.entries(tag.attributes)) {
      if (typeof attr === 'string') attrs[key] = attr;
      else if (attr.prefix !== 'xmlns' && attr.name !== 'xmlns')
        attrs[attr.prefix ? attr.name : attr.local] = attr.value;
    }
    const el: XmlElement = {
      name: tag.local ?? tag.name,
      ns: tag.uri ?? '',
      attrs,
      children: [],
      line: startLine,
      column: startColumn,
    };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(el);
    else root ??= el;
    stack.push(el);
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  const onText = (t: string): void => {
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(t);
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  try {
    parser.write(text).close();
  } catch (err) {
    problem ??= { line: parser.line, column: parser.column, message: (err as Error).message };
  }
  if (problem) return { problem };
  if (!root) return { problem: { line: 1, column: 1, message: 'no root element' } };
  return { root };
}

/** The concatenated text of an element's direct text children. */
export function textOf(el: XmlElement): string {
  let s = '';
  for (const c of el.children) if (typeof c === 'string') s += c;
  return s;
}

/** The tokens of a whitespace-separated attribute list (`initial`, `target`, `event`, `namelist`). */
export const splitList = (s: string | undefined): string[] =>
  (s ?? '').split(/\s+/).filter((x) => x.length > 0);

/** Element children only. */
export function elementsOf(el: XmlElement): XmlElement[] {
  return el.children.filter((c): c is XmlElement => typeof c !== 'string');
}

const escapeXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Serializes an element back to markup (used for non-SCXML inline `<content>`). */
export function serializeXml(node: XmlNode): string {
  if (typeof node === 'string') return escapeXml(node);
  const attrs = Object.entries(node.attrs)
    .map(([k, v]) => ` ${k}="${escapeXml(v).replace(/"/g, '&quot;')}"`)
    .join('');
  return `<${node.name}${attrs}>${node.children.map(serializeXml).join('')}</${node.name}>`;
}
