/**
 * One running SCXML session: the W3C algorithm (Appendix D) of macrosteps and microsteps — eventless transitions
 * first, then the internal queue, then one external event — with document-order selection, the optimal enabled
 * transition set (conflict resolution by exit sets), history, parallel regions and done events.
 *
 * Executable content, sends and invokes live in sibling modules; this file keeps only the state-machine semantics.
 * All time comes from the injected clock and timer service, so a session can run on a virtual clock and be
 * snapshotted and resumed anywhere (see snapshot.ts).
 */
import { DataModel, ExecutionError } from './datamodel.js';
import { errorEvent, makeEvent, nameMatches } from './events.js';
import { evalContent, evalParams, executeBlock, type ExecutionHost } from './execute.js';
import { Dispatcher } from './dispatch.js';
import {
  byOrder,
  byOrderDesc,
  computeEntry,
  computeExitSet,
  isAtomic,
  isDescendant,
  isInFinalState,
  removeConflicts,
} from './state-sets.js';
import type { SessionSystem } from './system.js';
import type {
  Clock,
  DataScope,
  Evaluator,
  EventIoProcessor,
  LogSink,
  ScxmlDocument,
  ScxmlEvent,
  SendNode,
  SourceResolver,
  StateNode,
  TimerService,
  TransitionNode,
} from './types.js';

/** Everything a session is given; children inherit all but `document`, `sessionId` and `parent`. */
export interface SessionOptions {
  readonly document: ScxmlDocument;
  readonly evaluator: Evaluator;
  readonly clock: Clock;
  readonly timers: TimerService;
  readonly system: SessionSystem;
  /** `_sessionid`; also the prefix of generated send and invoke ids. */
  readonly sessionId: string;
  /** Outside I/O processors by `<send type>` (for example `beckon`). */
  readonly ioProcessors?: Readonly<Record<string, EventIoProcessor>>;
  readonly resolver?: SourceResolver;
  readonly log?: LogSink;
  /** Exposed read-only to the document as `_x`. */
  readonly platform?: unknown;
  /** Microsteps allowed per macrostep before the session is stopped (default 100,000). */
  readonly maxMicrosteps?: number;
  /** Pending delayed sends allowed at once; one more stops the session (default: unlimited; strategies: 100). */
  readonly maxPendingSends?: number;
  /** Longest `delay` in ms; a longer one stops the session (default: unlimited; strategies: 7 days). */
  readonly maxDelayMs?: number;
  /** Called after each completed macrostep (for durability and tracing). */
  readonly onMacrostep?: (session: ScxmlSession) => void;
  /** Called when a limit stops the session. */
  readonly onFault?: (session: ScxmlSession, message: string) => void;
  /** Set for invoked children. */
  readonly parent?: { readonly session: ScxmlSession; readonly invokeid: string };
  /** Values for `<data>` ids, from the invoking `<param>`/`namelist`. */
  readonly initialData?: Map<string, unknown>;
}

/** Where the shared `In()` finds its session: `In` is called through `with (scope)`, so `this` is the scope. */
const SESSION = Symbol('session');
function inState(this: DataScope, id: string): boolean {
  const session = (this as Record<symbol, unknown>)[SESSION] as ScxmlSession | undefined;
  const s = session?.doc.byId.get(id);
  return s !== undefined && session!.configuration.has(s);
}

const NONE: readonly TransitionNode[] = Object.freeze([]);

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

  /** Call after replacing `configuration` wholesale (snapshot restore). */
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
      this.initialize();
      this.enterStates([this.doc.root.initial!]);
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
      const enabled = this.selectTransitions(ev);
      if (enabled.length > 0) this.microstep(enabled);
      this.settle();
    }
  }

  private initialize(): void {
    const init = this.doc.binding === 'early' ? this.doc.states : [this.doc.root];
    for (const s of init) this.initState(s);
    if (this.doc.script) executeBlock(this, [this.doc.script]);
  }

  private initState(s: StateNode): void {
    if (this.doc.binding === 'late') {
      if (this.dataInitialized.has(s)) return;
      this.dataInitialized.add(s);
    }
    for (const d of s.data) {
      try {
        this.dm.initData(d, this.options.resolver, this.options.initialData);
      } catch (err) {
        if (!(err instanceof ExecutionError)) throw err;
        this.raiseInternal(errorEvent('error.execution', err.message, err.line));
      }
    }
  }

  /** Runs eventless transitions and internal events to completion, then invokes; repeats while that raised events. */
  private settle(): void {
    for (;;) {
      while (this.status === 'running') {
        let enabled = this.selectTransitions(undefined);
        if (enabled.length === 0) {
          const ev = this.internalQueue.shift();
          if (!ev) break;
          this.dm.scope['_event'] = ev;
          enabled = this.selectTransitions(ev);
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

  private selectTransitions(ev: ScxmlEvent | undefined): readonly TransitionNode[] {
    const atomic = (this.atomicCache ??= this.atomicStates());
    if (ev === undefined) {
      let any = false;
      for (const a of atomic) any ||= a.eventless;
      if (!any) return NONE;
    }
    let enabled: TransitionNode[] | undefined;
    for (const state of atomic) {
      let found: TransitionNode | undefined;
      for (let s: StateNode | undefined = state; s && !found; s = s.parent) {
        for (const t of s.transitions) {
          if (
            ev === undefined
              ? t.events !== undefined
              : t.events === undefined || !nameMatches(t.events, ev.name)
          )
            continue;
          if (t.cond !== undefined && !this.condition(t)) continue;
          found = t;
          break;
        }
      }
      if (!found) continue;
      if (!enabled) enabled = [found];
      else if (!enabled.includes(found)) enabled.push(found);
    }
    if (!enabled) return NONE;
    return enabled.length > 1
      ? removeConflicts(enabled, this.configuration, this.history, this.doc.root)
      : enabled;
  }

  private atomicStates(): StateNode[] {
    const out: StateNode[] = [];
    for (const s of this.configuration) if (isAtomic(s)) out.push(s);
    return out.length > 1 ? out.sort(byOrder) : out;
  }

  private condition(t: TransitionNode): boolean {
    try {
      return this.dm.cond(t.cond!, t.line);
    } catch (err) {
      if (!(err instanceof ExecutionError)) throw err;
      this.raiseInternal(errorEvent('error.execution', err.message, err.line));
      return false;
    }
  }

  private microstep(enabled: readonly TransitionNode[]): void {
    if (++this.microsteps > (this.options.maxMicrosteps ?? 100_000)) {
      this.fault(`more than ${this.options.maxMicrosteps ?? 100_000} microsteps in one macrostep`);
      return;
    }
    this.exitStates(enabled);
    for (const t of enabled) executeBlock(this, t.actions);
    this.enterStates(enabled);
  }

  /** Stops the session because a limit was breached. */
  fault(message: string): void {
    this.status = 'stopped';
    this.halt();
    this.options.onFault?.(this, message);
  }

  private exitStates(enabled: readonly TransitionNode[]): void {
    const toExit = computeExitSet(enabled, this.configuration, this.history, this.doc.root).sort(byOrderDesc);
    if (this.toInvoke && this.toInvoke.size > 0) for (const s of toExit) this.toInvoke.delete(s);
    for (const s of toExit) {
      for (const h of s.history) {
        const f = h.deep
          ? (x: StateNode) => isAtomic(x) && isDescendant(x, s)
          : (x: StateNode) => x.parent === s;
        this.historyValue.set(h.id, [...this.configuration].filter(f));
      }
    }
    for (const s of toExit) {
      for (const block of s.onexit) executeBlock(this, block);
      this.dispatcher.cancelInvokesOf(s);
      this.configuration.delete(s);
      this.atomicCache = undefined;
    }
  }

  private enterStates(enabled: readonly TransitionNode[]): void {
    const plan = computeEntry(enabled, this.history, this.doc.root);
    for (const s of plan.states.sort(byOrder)) {
      this.configuration.add(s);
      this.atomicCache = undefined;
      if (s.invokes.length > 0) this.statesToInvoke.add(s);
      if (this.doc.binding === 'late') this.initState(s);
      for (const block of s.onentry) executeBlock(this, block);
      if (s.initial && plan.defaults.includes(s)) executeBlock(this, s.initial.actions);
      const hc = plan.history?.get(s);
      if (hc) executeBlock(this, hc);
      if (s.kind !== 'final') continue;
      const parent = s.parent!;
      if (parent.kind === 'scxml') {
        this.status = 'done';
        continue;
      }
      this.raiseInternal(makeEvent(`done.state.${parent.id}`, 'platform', this.doneData(s)));
      const grand = parent.parent;
      if (
        grand?.kind === 'parallel' &&
        grand.children.every((c) => c.kind === 'history' || isInFinalState(c, this.configuration))
      )
        this.raiseInternal(makeEvent(`done.state.${grand.id}`, 'platform'));
    }
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
