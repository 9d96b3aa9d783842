/**
 * What a session is given: its document and id, the ports it runs on (evaluator, clock, timers, I/O processors,
 * resolver, log), its limits and its callbacks. Invoked children inherit all but `document`, `sessionId` and
 * `parent`.
 */
import type { ScxmlSession } from './session.js';
import type { SessionSystem } from './system.js';
import type {
  Clock,
  Evaluator,
  EventIoProcessor,
  LogSink,
  ScxmlDocument,
  SourceResolver,
  TimerService,
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
