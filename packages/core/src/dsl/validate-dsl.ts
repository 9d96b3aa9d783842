/**
 * Deployment-time validation of the Business Events DSL (`domain-model.xml`, compat.md §9). The browser skips
 * invalid events silently; the server instead rejects the whole application with every problem it finds, each
 * with the line and column of the offending tag, so that authors fix the file before visitors run it.
 */
import { SaxesParser } from 'saxes';

/** One problem found in a DSL file. Lines and columns are 1-based. */
export interface DslIssue {
  line: number;
  column: number;
  message: string;
}

/** Maximum DSL size in bytes (UTF-8). */
export const DSL_MAX_BYTES = 256 * 1024;
/** Bounds of `timer:<ms>` actions. */
export const DSL_TIMER_MIN_MS = 100;
export const DSL_TIMER_MAX_MS = 86_400_000;

const allowedAttributes: Record<string, readonly string[]> = {
  properties: ['debug'],
  events: [],
  event: ['id', 'name', 'condition', 'postcondition'],
  trigger: ['name', 'element', 'action', 'type', 'url', 'count'],
  val: ['name', 'value'],
};
const allowedChildren: Record<string, readonly string[]> = {
  properties: ['events'],
  events: ['event'],
  event: ['trigger', 'val'],
  trigger: ['val'],
  val: [],
};
// eslint-disable-next-line no-control-regex -- event names exclude control characters (compat.md §2)
const EVENT_NAME = /^[^\x00-\x1f\x7f]{1,128}$/;

interface Frame {
  name: string;
  line: number;
  column: number;
  children: string[];
  triggerNames?: Set<string>;
}

function checkUrl(url: string): string | undefined {
  const m = /^\/(.*)\/([a-z]*)$/.exec(url);
  if (!m) return undefined;
  try {
    new RegExp(m[1] ?? '', m[2]);
    return undefined;
  } catch {
    return `url ${url} is not a valid regular expression`;
  }
}

function checkTrigger(attrs: Record<string, string>, report: (m: string) => void): void {
  const action = attrs.action ?? '';
  const timer = /^timer:(\d+)$/.exec(action);
  if (action.startsWith('timer:') && !timer) report(`action ${action} must be timer:<milliseconds>`);
  if (timer) {
    const ms = Number(timer[1]);
    if (ms < DSL_TIMER_MIN_MS || ms > DSL_TIMER_MAX_MS) {
      report(`timer ${ms} ms is outside ${DSL_TIMER_MIN_MS}–${DSL_TIMER_MAX_MS}`);
    }
    if (attrs.type !== 'timeout' && attrs.type !== 'nomove')
      report('timer triggers need type="timeout" or "nomove"');
  } else if (action && !action.startsWith('timer:')) {
    if (!/^[A-Za-z][\w:-]*$/.test(action)) report(`action ${action} is not a DOM event name`);
    if (attrs.type !== undefined && attrs.type !== '') report('type is only allowed on timer triggers');
  }
  if (attrs.count !== undefined && attrs.count !== '') {
    const n = Number(attrs.count);
    if (!/^\d+$/.test(attrs.count) || n < 1 || n > 1000)
      report(`count ${attrs.count} must be an integer 1–1000`);
  }
  const urlProblem = checkUrl(attrs.url ?? '');
  if (urlProblem) report(urlProblem);
}

/**
 * Validates a DSL document. Returns every issue found (empty = valid). A file that is not well-formed yields
 * the first XML error only, since later positions are meaningless after it.
 */
export function validateDsl(xml: string): DslIssue[] {
  const issues: DslIssue[] = [];
  if (new TextEncoder().encode(xml).length > DSL_MAX_BYTES) {
    return [{ line: 1, column: 1, message: `the DSL is larger than ${DSL_MAX_BYTES} bytes` }];
  }
  const parser = new SaxesParser({ position: true });
  const stack: Frame[] = [];
  const eventIds = new Set<string>();
  let xmlError: DslIssue | undefined;
  let sawRoot = false;
  let tagLine = 1;
  let tagColumn = 1;

  parser.on('error', (err) => {
    xmlError ??= {
      line: parser.line,
      column: parser.column + 1,
      message: err.message.replace(/^(?:[^:]*:)?\d+:\d+: /, ''),
    };
  });
  parser.on('opentagstart', () => {
    tagLine = parser.line;
    tagColumn = Math.max(1, parser.column);
  });
  parser.on('opentag', (node) => {
    const at = (message: string) => issues.push({ line: tagLine, column: tagColumn, message });
    const attrs = node.attributes as Record<string, string>;
    const parent = stack[stack.length - 1];
    const frame: Frame = { name: node.name, line: tagLine, column: tagColumn, children: [] };
    stack.push(frame);
    if (!parent) {
      sawRoot = true;
      if (node.name !== 'properties') at(`the root element must be <properties>, not <${node.name}>`);
    } else {
      parent.children.push(node.name);
      if (!(allowedChildren[parent.name] ?? []).includes(node.name)) {
        at(`<${node.name}> is not allowed inside <${parent.name}>`);
        return;
      }
    }
    const allowed = allowedAttributes[node.name];
    if (!allowed) return;
    for (const key of Object.keys(attrs))
      if (!allowed.includes(key)) at(`unknown attribute ${key} on <${node.name}>`);
    const required = {
      event: ['id', 'name'],
      trigger: ['name', 'element', 'action'],
      val: ['name', 'value'],
    }[node.name as 'event'];
    for (const key of required ?? [])
      if (attrs[key] === undefined) at(`<${node.name}> needs the ${key} attribute`);
    if (node.name === 'event') {
      frame.triggerNames = new Set();
      if (attrs.id !== undefined) {
        if (eventIds.has(attrs.id)) at(`event id ${attrs.id} is not unique`);
        eventIds.add(attrs.id);
      }
      if (attrs.name !== undefined && !EVENT_NAME.test(attrs.name))
        at('event name must be 1–128 characters without control characters');
    } else if (node.name === 'trigger') {
      const names = parent?.triggerNames;
      if (names && attrs.name !== undefined) {
        if (names.has(attrs.name)) at(`trigger name ${attrs.name} is not unique within its event`);
        names.add(attrs.name);
      }
      checkTrigger(attrs, at);
    } else if (node.name === 'val' && attrs.name === '') at('val name must not be empty');
  });
  parser.on('closetag', () => {
    const frame = stack.pop();
    if (!frame) return;
    const at = (message: string) => issues.push({ line: frame.line, column: frame.column, message });
    if (frame.name === 'properties' && frame.children.filter((c) => c === 'events').length !== 1) {
      at('<properties> must hold exactly one <events>');
    }
    if (frame.name === 'event' && !frame.children.includes('trigger'))
      at('an event needs at least one <trigger>');
  });

  try {
    parser.write(xml).close();
  } catch (e) {
    xmlError ??= { line: parser.line, column: parser.column + 1, message: String(e) };
  }
  if (xmlError) return [xmlError];
  if (!sawRoot) return [{ line: 1, column: 1, message: 'the DSL has no root element' }];
  return issues.sort((a, b) => a.line - b.line || a.column - b.column);
}
