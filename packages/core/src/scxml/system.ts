/**
 * The run queue shared by a session and everything it invokes.
 *
 * Sessions never call into each other re-entrantly: delivering an event only enqueues it and wakes the target; the
 * system drains woken sessions one macrostep batch at a time. That keeps a parent and its children deterministic and
 * lets a timer, an API call or a test drive them all through one entry point.
 */

/** What the system needs from a session. */
export interface Runnable {
  readonly sessionId: string;
  /** Set by the system while the session waits in its run queue. */
  scheduled: boolean;
  /** Processes queued external events until the queue is empty or the session stops. */
  runQueued(): void;
}

/** Scheduler and registry of the sessions that may address each other (`#_scxml_<id>`, `#_parent`, `#_<invokeid>`). */
export class SessionSystem {
  readonly sessions = new Map<string, Runnable>();
  private readonly ready: Runnable[] = [];
  private draining = false;

  /** Marks `session` as having work and drains unless a drain is already running further up the stack. */
  wake(session: Runnable): void {
    if (!session.scheduled) {
      session.scheduled = true;
      this.ready.push(session);
    }
    this.drain();
  }

  /** Runs woken sessions until none has work left. */
  drain(): void {
    if (this.draining) return;
    this.draining = true;
    try {
      for (let s = this.ready.shift(); s; s = this.ready.shift()) {
        s.scheduled = false;
        s.runQueued();
      }
    } finally {
      this.draining = false;
    }
  }

  /** True while a drain is in progress (events delivered now are processed before control returns). */
  get busy(): boolean {
    return this.draining;
  }
}
