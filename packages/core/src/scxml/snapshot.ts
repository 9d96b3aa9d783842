/**
 * Durable sessions: the whole state of a session — configuration, history, data model, both queues, pending
 * delayed sends with their absolute due times, and invoked children (recursively) — as plain JSON, and back.
 *
 * Delayed sends are stored with `dueAt`, never a remaining delay, so resuming on another clock is exact: sends that
 * fell due while nobody ran the session fire once, in `dueAt` order, when it resumes; the rest are re-armed.
 * Top-level `<script>` runs again on restore so the functions it defines exist; data values that are not JSON
 * (functions, cycles) are dropped from the snapshot.
 */
import { loadScxml } from './build-document.js';
import type { ChildSource, PendingSend } from './dispatch.js';
import { ScxmlSession, type SessionOptions } from './session.js';
import { SYSTEM_VARIABLES } from './events.js';
import type { ScxmlDocument, ScxmlEvent, StateNode } from './types.js';

/** JSON form of a session. */
export interface SessionSnapshot {
  readonly version: 1;
  readonly sessionId: string;
  /** Clock time when the snapshot was taken. */
  readonly takenAt: number;
  readonly status: ScxmlSession['status'];
  readonly configuration: string[];
  readonly statesToInvoke: string[];
  readonly history: Record<string, string[]>;
  /** States whose `<data>` is initialized (`""` is the root). */
  readonly dataInitialized: string[];
  readonly data: Record<string, unknown>;
  /** Declared variables whose value is `undefined` (JSON cannot hold them). */
  readonly undefinedVars: string[];
  readonly event: ScxmlEvent | null;
  readonly internalQueue: ScxmlEvent[];
  readonly externalQueue: ScxmlEvent[];
  readonly pending: PendingSend[];
  readonly seq: number;
  /** `<param>` values of a child that has not entered its initial states yet. */
  readonly initialData?: Record<string, unknown> | undefined;
  readonly invoked: { invokeid: string; invoke: number; source: ChildSource; child: SessionSnapshot }[];
}

const toJson = <T>(value: T): T | undefined => {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? undefined : (JSON.parse(text) as T);
  } catch {
    return undefined;
  }
};

const ids = (states: Iterable<StateNode>): string[] =>
  [...states].sort((a, b) => a.order - b.order).map((s) => s.id);

/** Captures a session (take it between macrosteps, e.g. from `onMacrostep`). */
export function takeSnapshot(session: ScxmlSession): SessionSnapshot {
  const data: Record<string, unknown> = {};
  const undefinedVars: string[] = [];
  for (const [key, value] of Object.entries(session.dm.scope)) {
    if (SYSTEM_VARIABLES.has(key) || typeof value === 'function') continue;
    if (value === undefined) {
      undefinedVars.push(key);
      continue;
    }
    const json = toJson(value);
    if (json !== undefined) data[key] = json;
  }
  const history: Record<string, string[]> = {};
  for (const [id, states] of session.historyValue) history[id] = ids(states);
  const d = session.dispatcher;
  return {
    version: 1,
    sessionId: session.sessionId,
    takenAt: session.options.clock.now(),
    status: session.status,
    configuration: ids(session.configuration),
    statesToInvoke: ids(session.statesToInvoke),
    history,
    dataInitialized: session.doc.binding === 'late' ? ids(session.dataInitialized) : [],
    data,
    undefinedVars,
    event: toJson(session.dm.scope['_event'] as ScxmlEvent | undefined) ?? null,
    internalQueue: toJson(session.internalQueue) ?? [],
    externalQueue: toJson(session.externalQueue) ?? [],
    pending: [...d.pending.values()].map((p) => toJson(p)!).sort((a, b) => a.dueAt - b.dueAt),
    seq: d.seq,
    initialData:
      session.configuration.size === 0 && session.options.initialData
        ? toJson(Object.fromEntries(session.options.initialData))
        : undefined,
    invoked: [...d.invoked.values()].map((inv) => ({
      invokeid: inv.invokeid,
      invoke: inv.node.index,
      source: inv.source,
      child: takeSnapshot(inv.child),
    })),
  };
}

/** Options of {@link restoreSession}: those of a fresh session, minus the id (taken from the snapshot). */
export type RestoreOptions = Omit<SessionOptions, 'sessionId' | 'parent' | 'initialData'>;

/**
 * Rebuilds a session (and its children) from a snapshot, re-arms its delayed sends and delivers the overdue ones.
 * The document must be the one the snapshot was taken from.
 */
export function restoreSession(snapshot: SessionSnapshot, options: RestoreOptions): ScxmlSession {
  const session = new ScxmlSession({ ...options, sessionId: snapshot.sessionId });
  const overdue: { session: ScxmlSession; p: PendingSend }[] = [];
  apply(session, snapshot, overdue);
  overdue.sort((a, b) => a.p.dueAt - b.p.dueAt);
  for (const { session: s, p } of overdue) s.dispatcher.fire(p.sendid);
  wakeAll(session);
  return session;
}

function apply(
  session: ScxmlSession,
  snap: SessionSnapshot,
  overdue: { session: ScxmlSession; p: PendingSend }[],
): void {
  const doc = session.doc;
  const state = (id: string): StateNode => {
    const s = id === '' ? doc.root : doc.byId.get(id);
    if (!s) throw new Error(`snapshot names state "${id}", which the document does not have`);
    return s;
  };
  if (doc.script && snap.configuration.length > 0) {
    try {
      session.dm.run((doc.script as { source: string }).source, doc.script.line);
    } catch {
      // The script already ran once in the original session; a failure now leaves its definitions out.
    }
  }
  const scope = session.dm.scope;
  for (const key of snap.undefinedVars) scope[key] = undefined;
  Object.assign(scope, snap.data);
  scope['_event'] = snap.event ?? undefined;
  session.status = snap.status;
  session.configuration = new Set(snap.configuration.map(state));
  session.configurationReplaced();
  session.statesToInvoke = new Set(snap.statesToInvoke.map(state));
  session.dataInitialized = new Set(snap.dataInitialized.map(state));
  session.historyValue = new Map(Object.entries(snap.history).map(([id, states]) => [id, states.map(state)]));
  session.internalQueue = snap.internalQueue.slice();
  session.externalQueue = snap.externalQueue.slice();
  const d = session.dispatcher;
  d.seq = snap.seq;
  for (const inv of snap.invoked) {
    const node = doc.invokes[inv.invoke];
    if (!node) throw new Error(`snapshot names invoke #${inv.invoke}, which the document does not have`);
    const childDoc = childDocument(session, node.content?.inlineDoc, inv.source);
    const initial = inv.child.initialData ? new Map(Object.entries(inv.child.initialData)) : undefined;
    const child = d.spawn(inv.invokeid, childDoc, inv.source, node, initial);
    apply(child, inv.child, overdue);
  }
  if (session.status !== 'running') return;
  const now = session.options.clock.now();
  for (const p of snap.pending) {
    if (p.dueAt <= now) {
      d.pending.set(p.sendid, p);
      overdue.push({ session, p });
    } else d.arm(p);
  }
}

function childDocument(
  session: ScxmlSession,
  inline: ScxmlDocument | undefined,
  source: ChildSource,
): ScxmlDocument {
  let doc: ScxmlDocument | undefined;
  if (source.kind === 'inline') doc = inline;
  else if (source.kind === 'src') doc = session.options.resolver?.document(source.src);
  else doc = loadScxml(source.text).document;
  if (!doc) throw new Error('cannot reload the document of an invoked child');
  return doc;
}

function wakeAll(session: ScxmlSession): void {
  for (const inv of session.dispatcher.invoked.values()) wakeAll(inv.child);
  // A child invoked in the snapshot's last macrostep may not have entered its initial states yet.
  const pendingWork =
    session.configuration.size === 0 || session.externalQueue.length > 0 || session.internalQueue.length > 0;
  if (session.running && pendingWork) session.options.system.wake(session);
}
