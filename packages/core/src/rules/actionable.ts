/**
 * The output of the rules engine (spec/rules.md §9): an actionable event, stored with the visit, shown to agents
 * and, when it carries an engagement, handed to the engagement service. Its id is derived from what caused it, so
 * replaying the same events never yields a second event with a new id (§8.12).
 */
import type { Channel } from './ast.js';
import { sha256Hex } from './sha256.js';

/** What the engagement service needs to start an engagement. */
export interface Engagement {
  channel: Channel;
  queue: string;
  /** 0–100, default 50. */
  priority: number;
}

/** One rule firing. */
export interface ActionableEvent {
  /** 32 uppercase hex chars, see {@link actionableEventId}. */
  id: string;
  /** The engagement name (`engage`) or the emitted name (`emit`). */
  name: string;
  /** `<package>/<rule name>`. */
  ruleId: string;
  rulePackage: string;
  visitID: string;
  globalVisitID: string;
  /** Page of `last`, or the current page for timer completions. */
  pageID: string | null;
  /** Evaluation time (ms). */
  timestamp: number;
  /** `null` for `emit`. */
  engagement: Engagement | null;
  data: Record<string, unknown>;
  /** Matched events in match order, at most 64. */
  triggeringEventIDs: string[];
  identityId: string | null;
  /** Categories of the current page. */
  categories: string[];
}

/**
 * Deterministic id: the first 32 hex chars, uppercase, of SHA-256 over
 * `ruleId + "\n" + visitID + "\n" + timestamp + "\n" + triggeringEventIDs.join(",")`.
 */
export function actionableEventId(
  ruleId: string,
  visitID: string,
  timestamp: number,
  ids: readonly string[],
  sha256: (text: string) => string = sha256Hex,
): string {
  return sha256(`${ruleId}\n${visitID}\n${timestamp}\n${ids.join(',')}`)
    .slice(0, 32)
    .toUpperCase();
}
