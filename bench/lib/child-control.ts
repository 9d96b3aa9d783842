/**
 * The IPC protocol between a benchmark and the server it measures, which runs in its own child process so the
 * load generator never shares its event loop. The child reports its port once listening, answers CPU samples
 * (its own `process.cpuUsage()`, which the parent cannot read) and shuts down on request.
 */
import { readFileSync } from 'node:fs';

/** Messages the parent sends to the child. */
export type ParentMessage = { type: 'cpu'; id: number } | { type: 'stop' };

/** Messages the child sends to the parent. */
export type ChildMessage =
  | { type: 'ready'; port: number }
  | { type: 'cpu'; id: number; user: number; system: number; waitMicros: number }
  | { type: 'stopped'; user: number; system: number; waitMicros: number }
  | { type: 'failed'; message: string };

export interface ServeControlOptions {
  /** Starts the server and returns its port. */
  start: () => Promise<number>;
  /** Stops it (finishing in-flight work). */
  stop: () => Promise<void>;
}

/**
 * µs this process spent runnable but waiting for a CPU (Linux `/proc/self/schedstat`, main thread); 0 where
 * unavailable. A large value means other processes on the machine took the server's CPU.
 */
function runQueueWait(): number {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').trim().split(/\s+/);
    return Number(fields[1] ?? 0) / 1000;
  } catch {
    return 0;
  }
}

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) throw new Error('this script must be started by a benchmark (IPC channel missing)');
    process.send(message, undefined, undefined, () => resolve());
  });
}

/** Child side: starts the server, reports its port, answers CPU samples, stops on request then exits. */
export async function serveControl(options: ServeControlOptions): Promise<void> {
  let port: number;
  try {
    port = await options.start();
  } catch (error) {
    await send({ type: 'failed', message: (error as Error).stack ?? String(error) });
    process.exit(1);
  }
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'cpu') {
      const { user, system } = process.cpuUsage();
      void send({ type: 'cpu', id: message.id, user, system, waitMicros: runQueueWait() });
    } else if (message.type === 'stop') {
      options.stop().then(
        async () => {
          const { user, system } = process.cpuUsage();
          await send({ type: 'stopped', user, system, waitMicros: runQueueWait() });
          process.exit(0);
        },
        async (error: unknown) => {
          await send({ type: 'failed', message: (error as Error).stack ?? String(error) });
          process.exit(1);
        },
      );
    }
  });
  // The parent died: do not linger.
  process.on('disconnect', () => process.exit(0));
  await send({ type: 'ready', port });
}
