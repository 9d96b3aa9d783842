/**
 * Load generation for HTTP benchmarks: autocannon on loopback for a fixed time, a fresh body per request from
 * a generator, and the acknowledged events counted from each 202 body. Each connection has at most one request
 * outstanding; the requests still unanswered when a run stops are kept (with their event IDs), so a benchmark
 * can check exactly that the store holds every acknowledged event plus only those of unanswered requests.
 */
import { createRequire } from 'node:module';

/** The part of autocannon's result this module reads. */
interface AutocannonResult {
  duration: number;
  latency: { p50: number; p99: number; average: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
}
/** Per-connection context: the same object from a request's setupRequest to its onResponse. */
type Context = { request?: Outstanding };
interface AutocannonRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  setupRequest: (req: Record<string, unknown>, context: Context) => Record<string, unknown>;
  onResponse: (status: number, body: string, context: Context) => void;
}
type Autocannon = (
  options: {
    url: string;
    connections: number;
    duration: number;
    requests: AutocannonRequest[];
    timeout: number;
  },
  done: (error: Error | null, result: AutocannonResult) => void,
) => unknown;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

/** One request body and the eventIDs it carries. */
export interface LoadBody {
  text: string;
  eventIds: readonly string[];
}

interface Outstanding {
  eventIds: readonly string[];
}

export interface LoadOptions {
  url: string;
  /** Request path (default `/server/events`). */
  path?: string;
  /** The body of the next request; called once per request. */
  body: () => LoadBody;
  /** Concurrent keep-alive connections (default 64). */
  connections?: number;
  /** Length of the measured run, seconds (default 10). */
  durationSec?: number;
  /** Length of the warm-up, seconds (default 2). */
  warmupSec?: number;
}

/** Figures of one measured run. */
export interface LoadResult {
  seconds: number;
  requests: number;
  /** Requests per second answered 2xx. */
  reqPerSec: number;
  /** Events acknowledged (`accepted` of every 202 body). */
  ackedEvents: number;
  eventsPerSec: number;
  duplicates: number;
  rejected: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
}

/** Every run against one server so far, warm-ups included: what its store must hold. */
export interface AckTotals {
  accepted: number;
  duplicates: number;
  rejected: number;
  requests: number;
  /** eventIDs of requests sent (or about to be) but unanswered when a run stopped: stored or not. */
  unanswered: string[];
}

export const newAckTotals = (): AckTotals => ({
  accepted: 0,
  duplicates: 0,
  rejected: 0,
  requests: 0,
  unanswered: [],
});

function once(options: LoadOptions, durationSec: number, totals: AckTotals): Promise<LoadResult> {
  let accepted = 0;
  let duplicates = 0;
  let rejected = 0;
  const outstanding = new Set<Outstanding>();
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: options.url,
        connections: options.connections ?? 64,
        duration: durationSec,
        timeout: 30,
        requests: [
          {
            method: 'POST',
            path: options.path ?? '/server/events',
            headers: { 'content-type': 'application/json' },
            setupRequest: (req, context) => {
              const body = options.body();
              context.request = { eventIds: body.eventIds };
              outstanding.add(context.request);
              return { ...req, body: body.text };
            },
            onResponse: (status, body, context) => {
              if (context.request) outstanding.delete(context.request);
              if (status !== 202) return;
              const result = JSON.parse(body) as {
                accepted: number;
                duplicates: number;
                rejected: unknown[];
              };
              accepted += result.accepted;
              duplicates += result.duplicates;
              rejected += result.rejected.length;
            },
          },
        ],
      },
      (error, result) => {
        if (error) return reject(error);
        totals.accepted += accepted;
        totals.duplicates += duplicates;
        totals.rejected += rejected;
        totals.requests += result['2xx'];
        for (const request of outstanding) totals.unanswered.push(...request.eventIds);
        const seconds = result.duration;
        resolve({
          seconds,
          requests: result['2xx'],
          reqPerSec: result['2xx'] / seconds,
          ackedEvents: accepted,
          eventsPerSec: accepted / seconds,
          duplicates,
          rejected,
          p50Ms: result.latency.p50,
          p99Ms: result.latency.p99,
          errors: result.errors,
          non2xx: result.non2xx,
        });
      },
    );
  });
}

/**
 * Warms the server up for `warmupSec`, runs `beforeMeasure` (CPU sampling), then loads it for `durationSec`
 * and returns the measured run's figures. Every run's acknowledgements are added to `totals`.
 */
export async function runLoad(
  options: LoadOptions,
  totals: AckTotals,
  beforeMeasure?: () => Promise<void>,
): Promise<LoadResult> {
  await once(options, options.warmupSec ?? 2, totals);
  await beforeMeasure?.();
  return once(options, options.durationSec ?? 10, totals);
}
