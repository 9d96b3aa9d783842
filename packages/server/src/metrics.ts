/**
 * Prometheus metrics of one Beckon process (`/metrics`): events accepted / rejected / duplicate, ingest latency,
 * store commit latency and size, plus Node's default process metrics. One registry per app, so tests and
 * several apps in one process never collide.
 */
import client from 'prom-client';

export interface Metrics {
  registry: client.Registry;
  eventsAccepted: client.Counter;
  eventsDuplicate: client.Counter;
  eventsRejected: client.Counter<'code'>;
  ingestDuration: client.Histogram;
  commitDuration: client.Histogram;
  commitEvents: client.Histogram;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new client.Registry();
  if (options.defaultMetrics ?? true) client.collectDefaultMetrics({ register: registry, prefix: 'beckon_' });
  const registers = [registry];
  return {
    registry,
    eventsAccepted: new client.Counter({
      name: 'beckon_events_accepted_total',
      help: 'Events accepted and stored',
      registers,
    }),
    eventsDuplicate: new client.Counter({
      name: 'beckon_events_duplicate_total',
      help: 'Events dropped as duplicates',
      registers,
    }),
    eventsRejected: new client.Counter({
      name: 'beckon_events_rejected_total',
      help: 'Events rejected, by code',
      labelNames: ['code'],
      registers,
    }),
    ingestDuration: new client.Histogram({
      name: 'beckon_ingest_duration_seconds',
      help: 'POST /server/events handling time, until durable commit',
      buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    commitDuration: new client.Histogram({
      name: 'beckon_store_commit_duration_seconds',
      help: 'Duration of one group-commit transaction',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1],
      registers,
    }),
    commitEvents: new client.Histogram({
      name: 'beckon_store_commit_events',
      help: 'Events per group-commit transaction',
      buckets: [1, 5, 20, 50, 100, 500, 1000, 5000],
      registers,
    }),
  };
}
