/**
 * The Beckon server process: the only file that listens. Loads the config, opens the store (running
 * migrations), builds the app, listens, and on SIGTERM / SIGINT shuts down gracefully: stop accepting, finish
 * in-flight requests and their commits, close the store.
 */
import { buildApp } from './app.js';
import type { BeckonApp } from './app.js';
import type { Config } from './config.js';
import { openStore } from './store/open-store.js';

export interface StartOptions {
  config: Readonly<Config>;
  /** Called with the app before it listens, to mount extra routes (demo site). */
  extend?: (beckon: BeckonApp) => Promise<void> | void;
  /** Install SIGTERM/SIGINT handlers (default true). */
  handleSignals?: boolean;
}

export interface RunningServer extends BeckonApp {
  url: string;
  port: number;
}

export async function startServer(options: StartOptions): Promise<RunningServer> {
  const { config } = options;
  const beckon = await buildApp({
    config,
    store: await openStore({
      dataDir: config.dataDir,
      databaseUrl: config.databaseUrl,
      maxEventsPerCommit: config.storage.groupCommitMaxEvents,
      sqliteSynchronous: config.storage.sqliteSynchronous,
      onCommit: (events, seconds) => {
        beckon.metrics.commitDuration.observe(seconds);
        beckon.metrics.commitEvents.observe(events);
      },
    }),
  });
  await options.extend?.(beckon);
  const purge = schedulePurge(beckon, config);
  await beckon.app.listen({ port: config.http.port, host: config.http.host });
  const address = beckon.app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  const host = config.http.host === '0.0.0.0' || config.http.host === '::' ? 'localhost' : config.http.host;

  if (options.handleSignals ?? true) {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      beckon.app.log.info({ signal }, 'shutting down');
      const force = setTimeout(() => process.exit(1), 15_000);
      force.unref();
      clearInterval(purge);
      beckon.shutdown().then(
        () => process.exit(0),
        (error: unknown) => {
          beckon.app.log.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  }
  return { ...beckon, url: `http://${host}:${port}`, port };
}

/** Deletes history past its retention (storage.*RetentionDays) once an hour, and once shortly after start. */
function schedulePurge(beckon: BeckonApp, config: Readonly<Config>): NodeJS.Timeout {
  const day = 86_400_000;
  const run = () => {
    const now = Date.now();
    beckon.services.history
      .purge(now - config.storage.eventRetentionDays * day, now - config.storage.identityRetentionDays * day)
      .then(
        (removed) => {
          if (removed.visits || removed.identities) beckon.app.log.info(removed, 'retention purge');
        },
        (error: unknown) => beckon.app.log.warn({ err: error }, 'retention purge failed'),
      );
  };
  setTimeout(run, 60_000).unref();
  const timer = setInterval(run, 3_600_000);
  timer.unref();
  return timer;
}
