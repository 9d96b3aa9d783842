/**
 * Runs the W3C SCXML IRP tests (ECMAScript data model) shipped by `@scion-scxml/test-framework`, read in place from
 * node_modules, against Beckon's interpreter on a virtual clock. A test passes when its session reaches the final
 * state `pass`.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  createFunctionEvaluator,
  createSession,
  loadScxml,
  restoreSession,
  SessionSystem,
  type SessionSnapshot,
  VirtualTimers,
  type Evaluator,
  type ScxmlDocument,
  type ScxmlSession,
  type SourceResolver,
} from '@beckon/core/scxml';

const require = createRequire(import.meta.url);
/** Folder of the W3C ECMAScript tests inside the installed package. */
export const W3C_DIR = join(
  dirname(require.resolve('@scion-scxml/test-framework/package.json')),
  'test',
  'w3c-ecma',
);

/** One test of the manifest. */
export interface W3cTest {
  readonly id: string;
  readonly file: string;
  readonly conformance: 'mandatory' | 'optional';
  readonly manual: boolean;
}

/** Reads the manifest and maps each test to its `.scxml` file (test 403 ships as 403a/b/c). */
export function listTests(): W3cTest[] {
  const manifest = readFileSync(join(W3C_DIR, 'manifest.xml'), 'utf8');
  const files = readdirSync(W3C_DIR).filter((f) => f.endsWith('.txml.scxml'));
  const out: W3cTest[] = [];
  for (const m of manifest.matchAll(/<test id="(\w+)" conformance="(\w+)" manual="(\w+)"/g)) {
    const [, id, conformance, manual] = m as unknown as [string, string, 'mandatory' | 'optional', string];
    const matching = files.filter((f) => new RegExp(`^test${id}[a-z]?\\.txml\\.scxml$`).test(f));
    for (const file of matching.length > 0 ? matching : [`test${id}.txml.scxml`])
      out.push({
        id: file.replace(/^test|\.txml\.scxml$/g, ''),
        file,
        conformance,
        manual: manual === 'true',
      });
  }
  return out;
}

/** Resolves `file:<name>` against the test folder. */
export const w3cResolver: SourceResolver = {
  document(src) {
    const text = readLocal(src);
    return text === undefined ? undefined : loadScxml(text).document;
  },
  text: readLocal,
};

function readLocal(src: string): string | undefined {
  const name = src.replace(/^file:/, '');
  if (!/^[\w.-]+$/.test(name)) return undefined;
  try {
    return readFileSync(join(W3C_DIR, name), 'utf8');
  } catch {
    return undefined;
  }
}

/** Loads a test document. */
export function loadTest(file: string): ScxmlDocument {
  const loaded = loadScxml(readFileSync(join(W3C_DIR, file), 'utf8'));
  if (!loaded.document) throw new Error(`${file}: ${JSON.stringify(loaded.problems)}`);
  return loaded.document;
}

/** Runs a document to completion on a virtual clock and returns the final atomic configuration. */
export function runTest(
  doc: ScxmlDocument,
  evaluator: Evaluator = createFunctionEvaluator(),
  onMacrostep?: (session: ScxmlSession) => void,
): string[] {
  const timers = new VirtualTimers(1_000_000);
  const session = createSession({
    document: doc,
    evaluator,
    clock: timers,
    timers,
    sessionId: 'w3c',
    resolver: w3cResolver,
    onMacrostep,
  });
  session.start();
  return finish(session, timers);
}

/** Runs timers until the session ends or nothing is armed; returns the atomic configuration. */
export function finish(session: ScxmlSession, timers: VirtualTimers): string[] {
  for (let i = 0; i < 10_000 && session.running; i++) if (!timers.runNext()) break;
  return session.atomicIds();
}

/** Resumes a snapshot (as JSON text) on a fresh clock set to the snapshot time, in a fresh system. */
export function resumeTest(
  doc: ScxmlDocument,
  json: string,
  evaluator: Evaluator = createFunctionEvaluator(),
): string[] {
  const snapshot = JSON.parse(json) as SessionSnapshot;
  const timers = new VirtualTimers(snapshot.takenAt);
  const session = restoreSession(snapshot, {
    document: doc,
    evaluator,
    clock: timers,
    timers,
    system: new SessionSystem(),
    resolver: w3cResolver,
  });
  return finish(session, timers);
}
