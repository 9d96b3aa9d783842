/**
 * Beckon's full pipeline for the ingest benchmark, run as a child process: the real `startServer` with the
 * durable SQLite store in the data directory given as the first argument. Only the ingest rate limit is raised
 * (a load generator is one client IP); everything else is the production default.
 */
import { buildConfig, startServer } from '@beckon/server';
import type { RunningServer } from '@beckon/server';
import { serveControl } from './child-control.js';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: beckon-server.ts <dataDir>');

let server: RunningServer | null = null;

await serveControl({
  async start() {
    const config = buildConfig({
      http: { port: 0, host: '127.0.0.1' },
      dataDir,
      ingest: { rateLimitPerIpPerMin: 10_000_000 },
      log: { level: process.env.BENCH_LOG_LEVEL ?? 'info' },
      // BENCH_SQLITE_SYNC=normal measures the crash-safe (not power-loss-safe) mode; the default is the product's.
      storage: { sqliteSynchronous: process.env.BENCH_SQLITE_SYNC === 'normal' ? 'normal' : 'full' },
    });
    server = await startServer({ config, handleSignals: false });
    return server.port;
  },
  async stop() {
    await server?.shutdown();
  },
});
