/**
 * The one-call way to run a document: parse if given text, wire a fresh `SessionSystem` unless one is shared, and
 * return an unstarted session.
 */
import { loadScxml } from './build-document.js';
import { ScxmlSession, type SessionOptions } from './session.js';
import { SessionSystem } from './system.js';
import type { ScxmlDocument } from './types.js';

/** Options of {@link createSession}: those of a session, with `document` also accepted as text. */
export interface CreateSessionOptions extends Omit<
  SessionOptions,
  'document' | 'system' | 'parent' | 'initialData'
> {
  readonly document: ScxmlDocument | string;
  /** Share one system between sessions that address each other with `#_scxml_<id>` (default: a new one). */
  readonly system?: SessionSystem;
}

/** Creates an unstarted session; throws with every problem and its line if the text does not load. */
export function createSession(options: CreateSessionOptions): ScxmlSession {
  let document = options.document;
  if (typeof document === 'string') {
    const loaded = loadScxml(document);
    if (!loaded.document) {
      throw new Error(loaded.problems.map((p) => `line ${p.line}:${p.column}: ${p.message}`).join('\n'));
    }
    document = loaded.document;
  }
  return new ScxmlSession({ ...options, document, system: options.system ?? new SessionSystem() });
}
