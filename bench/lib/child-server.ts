/**
 * Parent side of the benchmark server protocol (`child-control.ts`): spawns a server script in its own Node
 * process (optionally pinned to one CPU with `taskset`), waits for its port, samples its CPU time and stops it.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { ChildMessage, ParentMessage } from './child-control.js';

/** CPU time of the child process in µs (`process.cpuUsage()`). */
export interface CpuSample {
  user: number;
  system: number;
  /** µs the child's main thread was runnable but waiting for a CPU (Linux only, else 0). */
  waitMicros: number;
}

export interface ChildServer {
  url: string;
  port: number;
  pid: number;
  /** The child's own `process.cpuUsage()`. */
  cpu(): Promise<CpuSample>;
  /** Graceful stop; resolves with the child's final CPU time once it has exited. */
  stop(): Promise<CpuSample>;
}

export interface StartChildOptions {
  /** Absolute path of a TypeScript script that calls `serveControl`. */
  script: string;
  args?: string[];
  env?: Record<string, string>;
  /** Extra Node flags (e.g. `--cpu-prof`). */
  nodeFlags?: string[];
  /** Pin the child to this CPU with taskset (ignored when taskset is missing). */
  cpu?: number;
  /** Startup limit in ms (default 30 s). */
  timeoutMs?: number;
}

/** Whether `taskset` can pin processes on this machine. */
export const canPin = (): boolean => existsSync('/usr/bin/taskset');

/** Starts `options.script` in a child process and resolves once it listens. */
export function startChildServer(options: StartChildOptions): Promise<ChildServer> {
  const nodeArgs = [...(options.nodeFlags ?? []), '--import', 'tsx', options.script, ...(options.args ?? [])];
  const pinned = options.cpu !== undefined && canPin();
  const child: ChildProcess = pinned
    ? spawn('taskset', ['-c', String(options.cpu), process.execPath, ...nodeArgs], {
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
        env: { ...process.env, ...options.env },
      })
    : spawn(process.execPath, nodeArgs, {
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
        env: { ...process.env, ...options.env },
      });
  let nextId = 1;
  const waiting = new Map<number, (sample: CpuSample) => void>();
  let onStopped: ((sample: CpuSample) => void) | null = null;
  let onFailed: (error: Error) => void = () => undefined;

  child.on('message', (message: ChildMessage) => {
    if (message.type === 'cpu') {
      waiting.get(message.id)?.({
        user: message.user,
        system: message.system,
        waitMicros: message.waitMicros,
      });
      waiting.delete(message.id);
    } else if (message.type === 'stopped') {
      onStopped?.({ user: message.user, system: message.system, waitMicros: message.waitMicros });
    } else if (message.type === 'failed') {
      onFailed(new Error(`server child failed: ${message.message}`));
    }
  });
  const post = (message: ParentMessage) => child.send(message);

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${options.script} did not start within ${options.timeoutMs ?? 30_000} ms`));
    }, options.timeoutMs ?? 30_000);
    onFailed = (error) => {
      clearTimeout(timer);
      reject(error);
    };
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${options.script} exited with code ${code} before it was ready`));
    });
    child.on('message', (message: ChildMessage) => {
      if (message.type !== 'ready') return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      const port = message.port;
      resolve({
        url: `http://127.0.0.1:${port}`,
        port,
        pid: child.pid!,
        cpu: () =>
          new Promise((done) => {
            const id = nextId++;
            waiting.set(id, done);
            post({ type: 'cpu', id });
          }),
        stop: () =>
          new Promise((done, fail) => {
            let sample: CpuSample | null = null;
            onStopped = (s) => (sample = s);
            onFailed = fail;
            child.once('exit', () =>
              sample ? done(sample) : fail(new Error('server child exited without reporting')),
            );
            post({ type: 'stop' });
          }),
      });
    });
  });
}
