/**
 * Load generation for HTTP benchmarks: autocannon on loopback, a fresh body per request from a generator, and
 * the acknowledged events counted from each 202 body. Runs are bounded by a request count calibrated from a
 * warm-up (not by a timer), so no request is cut off mid-flight and "stored = acknowledged" can be checked
 * exactly; a safety timer still stops a run that takes far longer than planned.
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
interface AutocannonRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  setupRequest: (req: Record<string, unknown>) => Record<string, unknown>;
  onResponse: (status: number, body: string) => void;
}
interface AutocannonInstance {
  stop(): void;
}
type Autocannon = (
  options: {
    url: string;
    connections: number;
    amount: number;
    requests: AutocannonRequest[];
    timeout: number;
  },
  done: (error: Error | null, result: AutocannonResult) => void,
) => AutocannonInstance;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

export interface LoadOptions {
  url: string;
  /** Request path (default `/server/events`). */
  path?: string;
  /** The body of the next request; called once per request. */
  body: () => string;
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
  /** True when the safety timer had to stop the run (some requests may be unanswered). */
  cutOff: boolean;
}

/** Acknowledged events of every run so far, warm-ups included (what the store must hold). */
export interface AckTotals {
  accepted: number;
  duplicates: number;
  rejected: number;
  requests: number;
  cutOff: boolean;
}

export const newAckTotals = (): AckTotals => ({
  accepted: 0,
  duplicates: 0,
  rejected: 0,
  requests: 0,
  cutOff: false,
});

function once(
  options: LoadOptions,
  amount: number,
  plannedSec: number,
  totals: AckTotals,
): Promise<LoadResult> {
  const connections = Math.min(options.connections ?? 64, amount);
  let accepted = 0;
  let duplicates = 0;
  let rejected = 0;
  return new Promise((resolve, reject) => {
    let cutOff = false;
    const instance = autocannon(
      {
        url: options.url,
        connections,
        amount,
        timeout: 30,
        requests: [
          {
            method: 'POST',
            path: options.path ?? '/server/events',
            headers: { 'content-type': 'application/json' },
            setupRequest: (req) => ({ ...req, body: options.body() }),
            onResponse: (status, body) => {
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
        clearTimeout(safety);
        if (error) return reject(error);
        totals.accepted += accepted;
        totals.duplicates += duplicates;
        totals.rejected += rejected;
        totals.requests += result['2xx'];
        totals.cutOff ||= cutOff;
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
          cutOff,
        });
      },
    );
    const safety = setTimeout(
      () => {
        cutOff = true;
        instance.stop();
      },
      Math.max(5, plannedSec * 2.5) * 1000,
    );
  });
}

/**
 * Warms the server up (a short probe, then about `warmupSec` of load), then runs about `durationSec` of load
 * sized from the warm-up's rate, and returns the measured run's figures. Every acknowledged event, warm-ups
 * included, is added to `totals`. `beforeMeasure` runs between warm-up and measured run (CPU sampling).
 */
export async function runLoad(
  options: LoadOptions,
  totals: AckTotals,
  beforeMeasure?: () => Promise<void>,
): Promise<LoadResult> {
  const connections = options.connections ?? 64;
  const probe = await once(options, connections * 10, 5, totals);
  const warmupSec = options.warmupSec ?? 2;
  const warm = await once(
    options,
    Math.max(connections, Math.round(probe.reqPerSec * warmupSec)),
    warmupSec,
    totals,
  );
  await beforeMeasure?.();
  const durationSec = options.durationSec ?? 10;
  return once(options, Math.max(connections, Math.round(warm.reqPerSec * durationSec)), durationSec, totals);
}
