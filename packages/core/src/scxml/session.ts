/**
 * One running SCXML session: the W3C algorithm (Appendix D) of macrosteps and microsteps — eventless transitions
 * first, then the internal queue, then one external event — and the session's state, lifecycle and limits.
 *
 * The steps live in sibling modules: transition selection in select-transitions.ts, exiting and entering states
 * (history, done events) in enter-exit.ts, data binding in data-binding.ts, the set algebra in state-sets.ts,
 * executable content in execute.ts, sends and invokes in dispatch.ts.
 * All time comes from the injected clock and timer service, so a session can run on a virtual clock and be
 * snapshotted and resumed anywhere (see snapshot.ts).
 */
import { DataModel, ExecutionError } from './datamodel.js';
import { initializeData } from './data-binding.js';
import { enterStates, exitStates } from './enter-exit.js';
import { errorEvent, makeEvent } from './events.js';
import { evalContent, evalParams, executeBlock, type ExecutionHost } from './execute.js';
import { Dispatcher } from './dispatch.js';
import { atomicStates, selectTransitions } from './select-transitions.js';
import type { SessionOptions } from './session-options.js';
import { byOrder, isAtomic } from './state-sets.js';
import type { DataScope, ScxmlDocument, ScxmlEvent, SendNode, StateNode, TransitionNode } from './types.js';

export type { SessionOptions } from './session-options.js';

/** Where the shared `In()` finds its session: `In` is called through `with (scope)`, so `this` is the scope. */
const SESSION = Symbol('session');
function inState(this: DataScope, id: string): boolean {
  const session = (this as Record<symbol, unknown>)[SESSION] as ScxmlSession | undefined;
  const s = session?.doc.byId.get(id);
  return s !== undefined && session!.configuration.has(s);
}

/** A live SCXML session. Create with {@link createSession} or resume with `restoreSession`. */
export class ScxmlSession implements ExecutionHost {
  readonly doc: ScxmlDocument;
  readonly sessionId: string;
  readonly dm: DataModel;
  readonly dispatcher: Dispatcher;
  configuration = new Set<StateNode>();
  // The collections below are created on first use: most sessions never need them, and an idle session should
  // stay small (bench:scxml budget: 4 KB).
  private toInvoke: Set<StateNode> | undefined;
  private history: Map<string, StateNode[]> | undefined;
  private initialized: Set<StateNode> | undefined;

  /** Entered states whose `<invoke>`s run at the end of the macrostep. */
  get statesToInvoke(): Set<StateNode> {
    return (this.toInvoke ??= new Set());
  }
  set statesToInvoke(v: Set<StateNode>) {
    this.toInvoke = v;
  }
  /** History values by history state id. */
  get historyValue(): Map<string, StateNode[]> {
    return (this.history ??= new Map());
  }
  set historyValue(v: Map<string, StateNode[]>) {
    this.history = v;
  }
  /** States whose `<data>` has been initialized (late binding). */
  get dataInitialized(): Set<StateNode> {
    return (this.initialized ??= new Set());
  }
  set dataInitialized(v: Set<StateNode>) {
    this.initialized = v;
  }
  internalQueue: ScxmlEvent[] = [];
  externalQueue: ScxmlEvent[] = [];
  /** `idle` before start, `running`, `done` after a top-level final, `stopped` when cancelled or faulted. */
  status: 'idle' | 'running' | 'done' | 'stopped' = 'idle';
  private microsteps = 0;
  /** Run-queue flag owned by the {@link SessionSystem}. */
  scheduled = false;
  /** Atomic states of the configuration in document order; rebuilt after the configuration changes. */
  private atomicCache: StateNode[] | undefined;

  constructor(readonly options: SessionOptions) {
    this.doc = options.document;
    this.sessionId = options.sessionId;
    const scope: DataScope = Object.create(null) as DataScope;
    this.dm = new DataModel(this.doc, options.evaluator, scope);
    this.dispatcher = new Dispatcher(this);
    scope['_event'] = undefined;
    scope['_sessionid'] = this.sessionId;
    scope['_name'] = this.doc.name;
    scope['_ioprocessors'] = this.dispatcher.ioprocessors();
    scope['_x'] = options.platform;
    scope['In'] = inState;
    (scope as Record<symbol, unknown>)[SESSION] = this;
    options.system.sessions.set(this.sessionId, this);
  }

  /** True while the session can still take events. */
  get running(): boolean {
    return this.status === 'running';
  }

  /** Active state ids in document order (compound, parallel and atomic). */
  configurationIds(): string[] {
    return [...this.configuration].sort(byOrder).map((s) => s.id);
  }

  /** Active atomic state ids in document order. */
  atomicIds(): string[] {
    return [...this.configuration]
      .filter(isAtomic)
      .sort(byOrder)
      .map((s) => s.id);
  }

  /** Enters the initial configuration (the first macrostep). Events queued before are processed after it. */
  start(): void {
    if (this.status !== 'idle') return;
    this.status = 'running';
    this.options.system.wake(this);
  }

  /** Queues an external event and processes it (unless a drain is already running higher up the stack). */
  send(event: ScxmlEvent | string, data?: unknown): void {
    const ev: ScxmlEvent = typeof event === 'string' ? makeEvent(event, 'external', data) : event;
    this.enqueueExternal(ev);
  }

  /** Adds to the external queue and wakes the session. */
  enqueueExternal(ev: ScxmlEvent): void {
    if (this.status === 'done' || this.status === 'stopped') return;
    this.externalQueue.push(ev);
    this.options.system.wake(this);
  }

  /** Creates a child session for `<invoke>` sharing this session's ports. */
  createChild(doc: ScxmlDocument, invokeid: string, initialData?: Map<string, unknown>): ScxmlSession {
    const { onMacrostep: _m, onFault: _f, ...inherited } = this.options;
    return new ScxmlSession({
      ...inherited,
      document: doc,
      sessionId: `${this.sessionId}.${invokeid}`,
      parent: { session: this, invokeid },
      initialData,
    });
  }

  /** Call after changing `configuration` (entering or exiting a state, snapshot restore): drops cached views of it. */
  configurationReplaced(): void {
    this.atomicCache = undefined;
  }

  /** Stops without running exit handlers (invoke cancellation, or shutdown of the host). */
  stop(): void {
    if (this.status === 'done' || this.status === 'stopped') return;
    this.status = 'stopped';
    this.halt();
  }

  // ---- ExecutionHost -------------------------------------------------------------------------------------------

  raiseInternal(event: ScxmlEvent): void {
    this.internalQueue.push(event);
  }

  log(label: string | undefined, value: unknown, line: number): void {
    this.options.log?.(label, value, line);
  }

  dispatch(node: SendNode): void {
    this.dispatcher.send(node);
  }

  cancel(sendid: string): void {
    this.dispatcher.cancel(sendid);
  }

  // ---- run loop --------------------------------------------------------------------------------------------------

  /** Called by the system: performs the first macrostep if due, then one macrostep per queued external event. */
  runQueued(): void {
    if (this.status !== 'running') return;
    if (this.configuration.size === 0) {
      this.microsteps = 0;
      initializeData(this);
      enterStates(this, [this.doc.root.initial!], this.history);
      this.settle();
    } else if (this.internalQueue.length > 0) {
      this.microsteps = 0;
      this.settle();
    }
    while (this.status === 'running' && this.externalQueue.length > 0) {
      const ev = this.externalQueue.shift()!;
      this.microsteps = 0;
      this.dm.scope['_event'] = ev;
      this.dispatcher.beforeExternal(ev);
      const enabled = this.select(ev);
      if (enabled.length > 0) this.microstep(enabled);
      this.settle();
    }
  }

  /** Runs eventless transitions and internal events to completion, then invokes; repeats while that raised events. */
  private settle(): void {
    for (;;) {
      while (this.status === 'running') {
        let enabled = this.select(undefined);
        if (enabled.length === 0) {
          const ev = this.internalQueue.shift();
          if (!ev) break;
          this.dm.scope['_event'] = ev;
          enabled = this.select(ev);
        }
        if (enabled.length > 0) this.microstep(enabled);
      }
      if (this.status !== 'running') break;
      if (this.toInvoke && this.toInvoke.size > 0) {
        const toInvoke = [...this.toInvoke].sort(byOrder);
        this.toInvoke.clear();
        for (const s of toInvoke) for (const inv of s.invokes) this.dispatcher.invoke(inv);
      }
      if (this.internalQueue.length === 0) break;
    }
    if (this.status === 'done') this.exitInterpreter();
    this.options.onMacrostep?.(this);
  }

  /** Transitions enabled by `ev` (the eventless ones for `undefined`), over the cached atomic states. */
  private select(ev: ScxmlEvent | undefined): readonly TransitionNode[] {
    return selectTransitions(this, (this.atomicCache ??= atomicStates(this.configuration)), this.history, ev);
  }

  private microstep(enabled: readonly TransitionNode[]): void {
    if (++this.microsteps > (this.options.maxMicrosteps ?? 100_000)) {
      this.fault(`more than ${this.options.maxMicrosteps ?? 100_000} microsteps in one macrostep`);
      return;
    }
    exitStates(this, enabled, this.history, this.toInvoke);
    for (const t of enabled) executeBlock(this, t.actions);
    enterStates(this, enabled, this.history);
  }

  /** Stops the session because a limit was breached. */
  fault(message: string): void {
    this.status = 'stopped';
    this.halt();
    this.options.onFault?.(this, message);
  }

  /** Evaluates a final state's `<donedata>`; an error raises `error.execution` and yields no data. */
  doneData(s: StateNode): unknown {
    const dd = s.donedata;
    if (!dd) return undefined;
    try {
      if (dd.content) return evalContent(this.dm, dd.content);
      return evalParams(this.dm, [], dd.params, s.line);
    } catch (err) {
      if (!(err instanceof ExecutionError)) throw err;
      this.raiseInternal(errorEvent('error.execution', err.message, err.line));
      return undefined;
    }
  }

  private exitInterpreter(): void {
    const states = [...this.configuration].sort(byOrder).reverse();
    let finalState: StateNode | undefined;
    for (const s of states) {
      for (const block of s.onexit) executeBlock(this, block);
      this.dispatcher.cancelInvokesOf(s);
      if (s.kind === 'final' && s.parent?.kind === 'scxml') finalState = s;
    }
    this.halt();
    const parent = this.options.parent;
    if (finalState && parent) {
      const data = this.doneData(finalState);
      parent.session.enqueueExternal(
        makeEvent(`done.invoke.${parent.invokeid}`, 'external', data, undefined, parent.invokeid),
      );
    }
  }

  private halt(): void {
    this.dispatcher.shutdown();
    if (this.internalQueue.length > 0) this.internalQueue = [];
    if (this.externalQueue.length > 0) this.externalQueue = [];
    this.options.system.sessions.delete(this.sessionId);
  }
}
