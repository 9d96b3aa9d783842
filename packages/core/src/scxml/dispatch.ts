/**
 * `<send>`, `<cancel>` and `<invoke>`: where events go, when, and the child sessions a session owns.
 *
 * Delayed sends are kept as plain records with an absolute `dueAt` (never a relative delay), so a snapshot can be
 * resumed in another process and every due send fires exactly once there.
 */
import { ExecutionError } from './datamodel.js';
import { errorEvent, parseDelay, SCXML_INVOKE_TYPES, SCXML_PROCESSOR, SCXML_SEND_TYPES } from './events.js';
import { evalContent, evalParams, executeBlock } from './execute.js';
import { loadScxml } from './build-document.js';
import type { ScxmlSession } from './session.js';
import type { InvokeNode, ScxmlDocument, ScxmlEvent, SendNode, StateNode } from './types.js';

/** A delayed send waiting for its due time. */
export interface PendingSend {
  readonly sendid: string;
  readonly dueAt: number;
  readonly target: string | undefined;
  readonly type: string;
  readonly event: ScxmlEvent;
  readonly line: number;
}

/** How to find a child's document again when resuming: inline in the parent, by `src`, or as text. */
export type ChildSource = { kind: 'inline' } | { kind: 'src'; src: string } | { kind: 'text'; text: string };

/** A running invoked child. */
export interface Invocation {
  readonly invokeid: string;
  readonly node: InvokeNode;
  readonly child: ScxmlSession;
  readonly source: ChildSource;
}

/** Routes sends and owns timers and children of one session. */
export class Dispatcher {
  // Created on first use, to keep idle sessions small.
  private pendingMap: Map<string, PendingSend> | undefined;
  private handleMap: Map<string, unknown> | undefined;
  private invokedMap: Map<string, Invocation> | undefined;

  /** Delayed sends not yet due, by sendid. */
  get pending(): Map<string, PendingSend> {
    return (this.pendingMap ??= new Map());
  }
  private get handles(): Map<string, unknown> {
    return (this.handleMap ??= new Map());
  }
  /** Running invoked children, by invokeid. */
  get invoked(): Map<string, Invocation> {
    return (this.invokedMap ??= new Map());
  }
  seq = 0;
  private origin: string | undefined;

  constructor(private readonly session: ScxmlSession) {}

  /** The `_ioprocessors` value. */
  ioprocessors(): Record<string, { location: string }> {
    const own = { location: `#_scxml_${this.session.sessionId}` };
    const out: Record<string, { location: string }> = { [SCXML_PROCESSOR]: own, scxml: own };
    for (const [type, p] of Object.entries(this.session.options.ioProcessors ?? {}))
      out[type] = { location: p.location };
    return out;
  }

  /** Executes `<send>`; throws `ExecutionError` (carrying the sendid) for `error.execution`. */
  send(node: SendNode): void {
    if (this.session.status === 'stopped') return;
    const dm = this.session.dm;
    // A generated id is visible to the author only through idlocation (and cancel); `_event.sendid` stays empty.
    let sendid = node.id;
    if (sendid === undefined) {
      sendid = `${this.session.sessionId}.${++this.seq}`;
      if (node.idlocation !== undefined) dm.assign(node.idlocation, sendid, node.line);
    }
    const eventSendid = node.id ?? (node.idlocation !== undefined ? sendid : undefined);
    try {
      const name = node.eventexpr !== undefined ? String(dm.eval(node.eventexpr, node.line)) : node.event;
      const type =
        node.typeexpr !== undefined
          ? String(dm.eval(node.typeexpr, node.line))
          : (node.sendType ?? SCXML_PROCESSOR);
      const target =
        node.targetexpr !== undefined ? String(dm.eval(node.targetexpr, node.line)) : node.target;
      const delayText =
        node.delayexpr !== undefined ? String(dm.eval(node.delayexpr, node.line)) : node.delay;
      const delay = delayText === undefined ? 0 : parseDelay(delayText);
      if (delay === undefined) throw new ExecutionError(`invalid delay "${delayText}"`, node.line, sendid);
      let data: unknown;
      if (node.content) data = evalContent(dm, node.content);
      else if (node.namelist.length > 0 || node.params.length > 0)
        data = evalParams(dm, node.namelist, node.params, node.line);
      const isScxml = SCXML_SEND_TYPES.has(type);
      if (!isScxml && !this.session.options.ioProcessors?.[type])
        throw new ExecutionError(`unsupported send type "${type}"`, node.line, sendid);
      if (isScxml && target !== undefined && !target.startsWith('#_'))
        throw new ExecutionError(`invalid target "${target}"`, node.line, sendid);
      if (isScxml && name === undefined)
        throw new ExecutionError('<send> needs an event name', node.line, sendid);
      if (target === '#_internal' && delay > 0)
        throw new ExecutionError('#_internal sends cannot be delayed', node.line, sendid);
      const event: ScxmlEvent = {
        name: name ?? '',
        type: 'external',
        sendid: eventSendid,
        origin: (this.origin ??= `#_scxml_${this.session.sessionId}`),
        origintype: SCXML_PROCESSOR,
        invokeid: undefined,
        data,
      };
      const p: PendingSend = {
        sendid,
        dueAt: delay > 0 ? this.session.options.clock.now() + delay : 0,
        target,
        type,
        event,
        line: node.line,
      };
      if (delay === 0) return this.deliver(p);
      const { maxDelayMs, maxPendingSends } = this.session.options;
      if (maxDelayMs !== undefined && delay > maxDelayMs)
        return this.session.fault(
          `line ${node.line}: delay ${delay} ms is over the limit of ${maxDelayMs} ms`,
        );
      if (maxPendingSends !== undefined && this.pending.size >= maxPendingSends)
        return this.session.fault(`line ${node.line}: more than ${maxPendingSends} pending delayed sends`);
      this.arm(p);
    } catch (err) {
      if (err instanceof ExecutionError && err.sendid === undefined)
        throw new ExecutionError(err.message, err.line, sendid);
      throw err;
    }
  }

  /** Arms (or re-arms after a resume) a delayed send. */
  arm(p: PendingSend): void {
    this.pending.set(p.sendid, p);
    const handle = this.session.options.timers.set(p.dueAt, () => this.fire(p.sendid));
    this.handles.set(p.sendid, handle);
  }

  /** Fires a delayed send now (timer callback, or overdue on resume). */
  fire(sendid: string): void {
    const p = this.pendingMap?.get(sendid);
    if (!p) return;
    this.pending.delete(sendid);
    this.handles.delete(sendid);
    this.deliver(p);
    if (this.session.internalQueue.length > 0) this.session.options.system.wake(this.session);
  }

  private deliver(p: PendingSend): void {
    const s = this.session;
    const { target, event } = p;
    if (!SCXML_SEND_TYPES.has(p.type)) {
      const io = s.options.ioProcessors?.[p.type];
      const reason = io
        ? io.deliver({
            sendid: p.sendid,
            type: p.type,
            target,
            event: event.name,
            data: event.data,
            line: p.line,
          })
        : 'noProcessor';
      if (reason !== undefined) this.communicationError(p, reason);
      return;
    }
    if (target === undefined) return s.enqueueExternal(event);
    if (target === '#_internal') return void s.internalQueue.push(event);
    if (target === '#_parent') {
      const parent = s.options.parent;
      if (!parent) return this.communicationError(p, 'noParent');
      return parent.session.enqueueExternal({ ...event, invokeid: parent.invokeid });
    }
    if (target.startsWith('#_scxml_')) {
      const other = s.options.system.sessions.get(target.slice(8)) as ScxmlSession | undefined;
      if (!other) return this.communicationError(p, 'unknownSession');
      return other.enqueueExternal(event);
    }
    const inv = this.invoked.get(target.slice(2));
    if (!inv) return this.communicationError(p, 'unknownTarget');
    inv.child.enqueueExternal(event);
  }

  private communicationError(p: PendingSend, reason: string): void {
    const ev = errorEvent('error.communication', reason, p.line, p.sendid);
    ev.data = { sendid: p.sendid, target: p.target, reason, line: p.line };
    this.session.internalQueue.push(ev);
  }

  /** `<cancel>`: drops a pending delayed send of this session. */
  cancel(sendid: string): void {
    if (!this.pendingMap?.delete(sendid)) return;
    this.session.options.timers.clear(this.handles.get(sendid));
    this.handles.delete(sendid);
  }

  /** Starts the child of an `<invoke>`; failures raise `error.execution`. */
  invoke(node: InvokeNode): void {
    const s = this.session;
    const dm = s.dm;
    try {
      const invokeid = node.id ?? `${node.parent.id}.${s.sessionId}.${++this.seq}`;
      if (node.id === undefined && node.idlocation !== undefined)
        dm.assign(node.idlocation, invokeid, node.line);
      const type = node.typeexpr !== undefined ? String(dm.eval(node.typeexpr, node.line)) : node.invokeType;
      if (type !== undefined && !SCXML_INVOKE_TYPES.has(type))
        throw new ExecutionError(`unsupported invoke type "${type}"`, node.line);
      let doc: ScxmlDocument | undefined;
      let source: ChildSource = { kind: 'inline' };
      if (node.content?.inlineDoc) doc = node.content.inlineDoc;
      else if (node.content) {
        const text = String(evalContent(dm, node.content));
        doc = loadScxml(text).document;
        source = { kind: 'text', text };
      } else {
        const src = node.srcexpr !== undefined ? String(dm.eval(node.srcexpr, node.line)) : node.src;
        if (src !== undefined) {
          doc = s.options.resolver?.document(src);
          source = { kind: 'src', src };
        }
      }
      if (!doc) throw new ExecutionError('cannot load the invoked document', node.line);
      const params = evalParams(dm, node.namelist, node.params, node.line);
      const child = this.spawn(invokeid, doc, source, node, new Map(Object.entries(params)));
      child.start();
    } catch (err) {
      if (!(err instanceof ExecutionError)) throw err;
      s.raiseInternal(errorEvent('error.execution', err.message, err.line));
    }
  }

  /** Creates (without starting) a child session and registers it. */
  spawn(
    invokeid: string,
    doc: ScxmlDocument,
    source: ChildSource,
    node: InvokeNode,
    initialData?: Map<string, unknown>,
  ): ScxmlSession {
    const child = this.session.createChild(doc, invokeid, initialData);
    this.invoked.set(invokeid, { invokeid, node, child, source });
    return child;
  }

  /** Cancels the invocations started by `state` (on exit). Events still queued from a running one are dropped. */
  cancelInvokesOf(state: StateNode): void {
    if (!this.invokedMap || this.invokedMap.size === 0) return;
    for (const [id, inv] of this.invokedMap) {
      if (inv.node.parent !== state) continue;
      this.invoked.delete(id);
      // A child that already finished sent everything before its done.invoke; those events stay deliverable.
      if (inv.child.status === 'done') continue;
      inv.child.stop();
      const q = this.session.externalQueue;
      for (let i = q.length - 1; i >= 0; i--) if (q[i]!.invokeid === id) q.splice(i, 1);
    }
  }

  /** Before an external event is processed: `<finalize>` of the invocation it came from, then autoforward. */
  beforeExternal(ev: ScxmlEvent): void {
    if (!this.invokedMap || this.invokedMap.size === 0) return;
    for (const inv of this.invokedMap.values()) {
      if (ev.invokeid !== undefined && inv.invokeid === ev.invokeid)
        executeBlock(this.session, inv.node.finalize);
      if (inv.node.autoforward && inv.child.running) inv.child.enqueueExternal({ ...ev });
    }
  }

  /** Disarms every timer and stops every child (session end). */
  shutdown(): void {
    if (!this.handleMap && !this.invokedMap) return;
    for (const h of this.handles.values()) this.session.options.timers.clear(h);
    this.handles.clear();
    this.pending.clear();
    for (const inv of this.invoked.values()) inv.child.stop();
    this.invoked.clear();
  }
}
