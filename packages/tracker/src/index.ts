/**
 * Entry of the monitoring agent (`GPE.min.js`, compat.md §1). Reads the `_gt` queue left by the snippet, runs its
 * `config` commands first and the others in order, starts the page view, then replaces the global with an object
 * whose `push` runs commands at once. Everything is wrapped so that no error ever reaches the host page.
 */
import { config, notificationRequests, runCommand } from './commands.js';
import { loadDsl } from './dsl-loader.js';
import { log } from './log.js';
import { loadNotify } from './notify/loader.js';
import { enterPage, watchPages } from './page.js';
import { restore } from './sender.js';
import { allowed, options, state } from './state.js';

type Command = unknown[];

/** The object that replaces the `_gt` array once the tracker runs. */
export interface TrackerGlobal {
  push(...commands: Command[]): number;
  /** Marks a running Beckon tracker, so that a second copy does nothing. */
  _beckon: typeof notificationRequests;
}

function run(command: unknown, initialised: boolean): boolean {
  try {
    const ok = runCommand(command, initialised);
    if (!ok) log('command ignored:', command);
    return ok;
  } catch (e) {
    log('command failed:', command, e);
    return false;
  }
}

function boot(): void {
  const script = document.currentScript as HTMLScriptElement | null;
  const name = (script && script.id) || '_gt';
  const w = window as unknown as Record<string, unknown>;
  const existing = w[name] as Partial<TrackerGlobal> | Command[] | undefined;
  if (existing && !Array.isArray(existing) && existing._beckon) return;
  if (script && script.src) {
    state.scriptBase = script.src.replace(/^(\w+:\/\/[^/]+).*$/, '$1');
    state.chunkBase = script.src.replace(/[^/]*$/, '');
  }
  const queue: unknown[] = Array.isArray(existing) ? existing : [];
  for (const c of queue) if (Array.isArray(c) && c[0] === 'config') config(c[1], false);
  options.name = name;
  state.consent = !options.requireConsent;
  if (allowed()) restore();
  enterPage(document.referrer);
  for (const c of queue) if (!(Array.isArray(c) && c[0] === 'config')) run(c, true);
  watchPages();
  loadDsl();
  loadNotify();
  const api: TrackerGlobal = {
    push(...commands) {
      let accepted = 0;
      for (const c of commands) if (run(c, true)) accepted++;
      return accepted;
    },
    _beckon: notificationRequests,
  };
  w[name] = api;
}

try {
  boot();
} catch (e) {
  log('tracker failed to start', e);
}
