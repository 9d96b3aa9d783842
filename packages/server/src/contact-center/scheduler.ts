/**
 * Timers of the contact center (invite timeout, disconnect grace, after-chat work, queue timeout, callbacks)
 * behind one port, so tests drive them with the app's fake clock instead of waiting in real time.
 */

/** Runs `task` at the absolute time `at` (ms, same clock as `now`); returns a function that cancels it. */
export interface Scheduler {
  at(at: number, task: () => void): () => void;
  /** Cancels everything (shutdown). */
  stop(): void;
}

/** Real timers over the given clock. */
export function realScheduler(now: () => number): Scheduler {
  const pending = new Set<ReturnType<typeof setTimeout>>();
  return {
    at(at, task) {
      const handle = setTimeout(
        () => {
          pending.delete(handle);
          task();
        },
        Math.max(0, at - now()),
      );
      handle.unref?.();
      pending.add(handle);
      return () => {
        clearTimeout(handle);
        pending.delete(handle);
      };
    },
    stop() {
      for (const handle of pending) clearTimeout(handle);
      pending.clear();
    },
  };
}

/** A scheduler the test advances by hand, together with its clock. */
export interface ManualScheduler extends Scheduler {
  /** Moves the clock forward by `ms`, running due tasks in time order (each at its own time). */
  advance(ms: number): void;
}

export function manualScheduler(clock: { now: () => number; set: (ms: number) => void }): ManualScheduler {
  let nextId = 0;
  const tasks = new Map<number, { at: number; id: number; task: () => void }>();
  return {
    at(at, task) {
      const id = nextId++;
      tasks.set(id, { at, id, task });
      return () => void tasks.delete(id);
    },
    stop() {
      tasks.clear();
    },
    advance(ms) {
      const end = clock.now() + ms;
      for (;;) {
        let first: { at: number; id: number; task: () => void } | undefined;
        for (const t of tasks.values())
          if (t.at <= end && (!first || t.at < first.at || (t.at === first.at && t.id < first.id))) first = t;
        if (!first) break;
        tasks.delete(first.id);
        if (first.at > clock.now()) clock.set(first.at);
        first.task();
      }
      clock.set(end);
    },
  };
}
