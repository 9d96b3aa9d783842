/**
 * Executable content: `<raise>`, `<log>`, `<assign>`, `<script>`, `<if>`, `<foreach>`, `<send>`, `<cancel>`.
 *
 * A block stops at its first error, which is queued as `error.execution` (W3C 4.2); the next block still runs.
 */
import { ExecutionError } from './datamodel.js';
import { errorEvent, makeEvent } from './events.js';
import type { Action, ContentNode, ParamNode, ScxmlEvent, SendNode } from './types.js';
import type { DataModel } from './datamodel.js';

/** What executable content needs from its session. */
export interface ExecutionHost {
  readonly dm: DataModel;
  raiseInternal(event: ScxmlEvent): void;
  log(label: string | undefined, value: unknown, line: number): void;
  dispatch(node: SendNode): void;
  cancel(sendid: string): void;
}

/** Runs one block; an error ends the block and raises `error.execution`. */
export function executeBlock(host: ExecutionHost, actions: readonly Action[]): void {
  try {
    for (const a of actions) execute(host, a);
  } catch (err) {
    if (!(err instanceof ExecutionError)) throw err;
    host.raiseInternal(errorEvent('error.execution', err.message, err.line, err.sendid));
  }
}

function execute(host: ExecutionHost, a: Action): void {
  const dm = host.dm;
  switch (a.type) {
    case 'raise':
      host.raiseInternal(makeEvent(a.event, 'internal'));
      return;
    case 'log':
      host.log(a.label, a.expr === undefined ? undefined : dm.eval(a.expr, a.line), a.line);
      return;
    case 'assign': {
      const value =
        a.expr !== undefined
          ? dm.eval(a.expr, a.line)
          : a.text !== undefined
            ? dm.inline(a.text, a.line)
            : undefined;
      dm.assign(a.location, value, a.line);
      return;
    }
    case 'script':
      dm.run(a.source, a.line);
      return;
    case 'if':
      for (const b of a.branches) {
        if (b.cond === undefined || dm.cond(b.cond, a.line)) {
          for (const inner of b.actions) execute(host, inner);
          return;
        }
      }
      return;
    case 'foreach':
      foreach(host, a);
      return;
    case 'send':
      host.dispatch(a);
      return;
    case 'cancel': {
      const id = a.sendidexpr !== undefined ? String(dm.eval(a.sendidexpr, a.line)) : a.sendid;
      if (id !== undefined) host.cancel(id);
      return;
    }
  }
}

function foreach(host: ExecutionHost, a: Extract<Action, { type: 'foreach' }>): void {
  const dm = host.dm;
  const collection = dm.eval(a.array, a.line);
  if (collection === null || typeof collection !== 'object')
    throw new ExecutionError(`"${a.array}" is not iterable`, a.line);
  // Iterate over a shallow copy: changes to the array inside the loop do not change the iteration (W3C 4.6).
  const items: unknown[] = Array.isArray(collection) ? collection.slice() : Object.values(collection);
  if (!/^[A-Za-z_$][\w$]*$/.test(a.item)) {
    // A non-identifier item must still be an assignable, declared location.
    dm.assign(a.item, undefined, a.line);
  }
  for (let i = 0; i < items.length; i++) {
    if (a.item in dm.scope) dm.assign(a.item, items[i], a.line);
    else dm.declare(a.item, items[i], a.line);
    if (a.index !== undefined) {
      if (a.index in dm.scope) dm.assign(a.index, i, a.line);
      else dm.declare(a.index, i, a.line);
    }
    for (const inner of a.actions) execute(host, inner);
  }
}

/** Evaluates `namelist` and `<param>`s into one object (shared by `<send>`, `<invoke>` and `<donedata>`). */
export function evalParams(
  dm: DataModel,
  namelist: readonly string[],
  params: readonly ParamNode[],
  line: number,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of namelist) out[name] = dm.eval(name, line);
  for (const p of params) {
    const src = p.expr ?? p.location;
    if (src === undefined)
      throw new ExecutionError(`<param name="${p.name}"> needs expr or location`, p.line);
    out[p.name] = dm.eval(src, p.line);
  }
  return out;
}

/** Evaluates `<content>`: its `expr`, else its inline text read the ECMAScript way. */
export function evalContent(dm: DataModel, c: ContentNode): unknown {
  if (c.expr !== undefined) return dm.eval(c.expr, c.line);
  if (c.text === undefined) return undefined;
  const trimmed = c.text.trim();
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return c.text.replace(/\s+/g, ' ').trim();
  }
}
