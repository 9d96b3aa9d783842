/**
 * The per-session limits of deployed strategies (spec/engagement.md §3), in one place so the engagement service,
 * the CLI and tests apply the same numbers. A breach ends the session; the host records `strategyError`.
 */
import type { SessionSnapshot } from '@beckon/core/scxml';

/** Limits of a strategy session. */
export const STRATEGY_LIMITS = {
  maxMicrosteps: 1000,
  maxPendingSends: 100,
  maxDelayMs: 7 * 86_400_000,
  maxDataModelBytes: 64 * 1024,
  evaluationTimeoutMs: 50,
} as const;

/** The session options that enforce the limits inside the interpreter. */
export const STRATEGY_SESSION_LIMITS = {
  maxMicrosteps: STRATEGY_LIMITS.maxMicrosteps,
  maxPendingSends: STRATEGY_LIMITS.maxPendingSends,
  maxDelayMs: STRATEGY_LIMITS.maxDelayMs,
} as const;

/** Bytes of the serialized data model of a snapshot (children included); compare with `maxDataModelBytes`. */
export function dataModelBytes(snapshot: SessionSnapshot): number {
  let n = Buffer.byteLength(JSON.stringify(snapshot.data));
  for (const inv of snapshot.invoked) n += dataModelBytes(inv.child);
  return n;
}
