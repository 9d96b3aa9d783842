/**
 * The compiled shape of an SCXML document and the ports the interpreter is given.
 *
 * The interpreter never touches a clock, a timer, the network or an expression engine directly: all of them come
 * in through the interfaces below, so the same machine runs in the server, in the CLI on a virtual clock, in tests,
 * and resumes from a JSON snapshot in another process.
 */

/** Where an element came from, for diagnostics. */
export interface SourcePos {
  readonly line: number;
  readonly column: number;
}

/** `state`, `parallel`, `final`, `history`, or the document root (`scxml`). */
export type StateKind = 'scxml' | 'state' | 'parallel' | 'final' | 'history';

/** A `<param>`: a name and an expression or a location. */
export interface ParamNode extends SourcePos {
  readonly name: string;
  readonly expr: string | undefined;
  readonly location: string | undefined;
}

/** `<content>`: an expression, or inline text / child markup (`inlineDoc` when it holds an `<scxml>`). */
export interface ContentNode extends SourcePos {
  readonly expr: string | undefined;
  readonly text: string | undefined;
  readonly inlineDoc: ScxmlDocument | undefined;
}

/** One executable-content element, discriminated by `type`. */
export type Action =
  | ({ type: 'raise'; event: string } & SourcePos)
  | ({ type: 'log'; label: string | undefined; expr: string | undefined } & SourcePos)
  | ({ type: 'assign'; location: string; expr: string | undefined; text: string | undefined } & SourcePos)
  | ({ type: 'script'; source: string } & SourcePos)
  | ({ type: 'if'; branches: { cond: string | undefined; actions: Action[] }[] } & SourcePos)
  | ({
      type: 'foreach';
      array: string;
      item: string;
      index: string | undefined;
      actions: Action[];
    } & SourcePos)
  | ({ type: 'cancel'; sendid: string | undefined; sendidexpr: string | undefined } & SourcePos)
  | ({ type: 'send' } & SendNode);

/** `<send>` attributes and children, kept as written; evaluated at execution time. */
export interface SendNode extends SourcePos {
  readonly event: string | undefined;
  readonly eventexpr: string | undefined;
  readonly target: string | undefined;
  readonly targetexpr: string | undefined;
  readonly sendType: string | undefined;
  readonly typeexpr: string | undefined;
  readonly id: string | undefined;
  readonly idlocation: string | undefined;
  readonly delay: string | undefined;
  readonly delayexpr: string | undefined;
  readonly namelist: string[];
  readonly params: ParamNode[];
  readonly content: ContentNode | undefined;
}

/** `<invoke>` with its `<finalize>` block. */
export interface InvokeNode extends SourcePos {
  readonly invokeType: string | undefined;
  readonly typeexpr: string | undefined;
  readonly src: string | undefined;
  readonly srcexpr: string | undefined;
  readonly id: string | undefined;
  readonly idlocation: string | undefined;
  readonly autoforward: boolean;
  readonly namelist: string[];
  readonly params: ParamNode[];
  readonly content: ContentNode | undefined;
  readonly finalize: Action[];
  /** Index among the invokes of the whole document, used as a stable key in snapshots. */
  readonly index: number;
  readonly parent: StateNode;
}

/** A `<transition>` (or the synthetic initial transition of a compound state). */
export interface TransitionNode extends SourcePos {
  readonly source: StateNode;
  /** Event descriptors with a trailing `.*` / `.` removed; `undefined` for eventless transitions. */
  readonly events: string[] | undefined;
  readonly cond: string | undefined;
  /** Target ids as written, resolved into `targets` once the whole document is read. */
  readonly targetIds: string[];
  targets: StateNode[];
  readonly internal: boolean;
  readonly actions: Action[];
  /** Position in document order among all transitions. */
  readonly order: number;
  /** Precomputed transition domain when no target is a history state (`null`: compute at run time). */
  domain: StateNode | undefined | null;
}

/** `<data>`. */
export interface DataNode extends SourcePos {
  readonly id: string;
  readonly expr: string | undefined;
  readonly src: string | undefined;
  readonly text: string | undefined;
}

/** A state-like node. The document root is a node of kind `scxml` and is never part of the configuration. */
export interface StateNode extends SourcePos {
  readonly kind: StateKind;
  readonly id: string;
  readonly parent: StateNode | undefined;
  readonly children: StateNode[];
  /** Position in document order (pre-order); the root is 0. */
  readonly order: number;
  /** The highest `order` among this node's descendants (itself when it has none). */
  lastDescendant: number;
  /** Proper ancestors, nearest first, ending with the root. */
  readonly ancestors: StateNode[];
  readonly transitions: TransitionNode[];
  /** Default entry: the `initial` attribute / `<initial>` / first child; for history states, its default transition. */
  initial: TransitionNode | undefined;
  readonly onentry: Action[][];
  readonly onexit: Action[][];
  readonly invokes: InvokeNode[];
  readonly data: DataNode[];
  readonly history: StateNode[];
  readonly deep: boolean;
  /** True when this state or an ancestor has an eventless transition (lets the interpreter skip the search). */
  eventless: boolean;
  readonly donedata: { params: ParamNode[]; content: ContentNode | undefined } | undefined;
}

/** A whole compiled document. Immutable and shared by every instance that runs it. */
export interface ScxmlDocument {
  readonly root: StateNode;
  readonly name: string | undefined;
  readonly binding: 'early' | 'late';
  readonly datamodel: string;
  /** Every state in document order (root first). */
  readonly states: StateNode[];
  readonly byId: ReadonlyMap<string, StateNode>;
  readonly script: Action | undefined;
  readonly invokes: InvokeNode[];
  /** Per-document cache of compiled expressions, one map per evaluator, filled by the interpreter. */
  readonly cache: WeakMap<Evaluator, unknown>;
}

/** An SCXML event as seen through `_event`. */
export interface ScxmlEvent {
  name: string;
  type: 'platform' | 'internal' | 'external';
  sendid?: string | undefined;
  origin?: string | undefined;
  origintype?: string | undefined;
  invokeid?: string | undefined;
  data?: unknown;
}

/** The data model scope: a null-prototype object holding data ids and the system variables. */
export type DataScope = Record<string, unknown>;

/**
 * The expression engine. Each method compiles once (the interpreter caches the result per document) and throws on a
 * syntax error; the returned function throws on a runtime error. Both become `error.execution`.
 */
export interface Evaluator {
  expression(source: string): (scope: DataScope) => unknown;
  script(source: string): (scope: DataScope) => void;
  /** Compiles `location = value`. */
  assignment(location: string): (scope: DataScope, value: unknown) => void;
}

/** Milliseconds since the epoch, or virtual time. */
export interface Clock {
  now(): number;
}

/** Arms and disarms callbacks at absolute times. */
export interface TimerService {
  set(dueAt: number, fire: () => void): unknown;
  clear(handle: unknown): void;
}

/** A send handed to an outside I/O processor (anything other than the SCXML processor). */
export interface OutboundSend {
  readonly sendid: string;
  readonly type: string;
  readonly target: string | undefined;
  readonly event: string;
  readonly data: unknown;
  readonly line: number;
}

/**
 * An outside Event I/O processor (for example `beckon`). `deliver` returns `undefined` on success or a reason,
 * which the interpreter turns into `error.communication`.
 */
export interface EventIoProcessor {
  /** Reported in `_ioprocessors[type].location`. */
  readonly location: string;
  deliver(send: OutboundSend): string | undefined;
}

/** Receives `<log>` output. */
export type LogSink = (label: string | undefined, value: unknown, line: number) => void;

/** Resolves `src` of `<invoke>` / `<data>` to a document or to text. */
export interface SourceResolver {
  document(src: string): ScxmlDocument | undefined;
  text?(src: string): string | undefined;
}
