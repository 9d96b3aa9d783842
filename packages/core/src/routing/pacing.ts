/**
 * Pacing (spec/engagement.md §4): how many proactive invitations a queue can afford on a channel right now while
 * keeping a reserve of seats for visitors who ask for contact themselves. Progressive pacing counts every
 * outstanding invitation as a full seat; predictive pacing expects only the acceptance rate `a` of them to turn
 * into interactions and scales the result by a gain that a feedback loop ({@link adjustGain}) tunes to keep the
 * abandonment rate under the goal. `reactiveState` tells a page whether a "chat now" button is worth showing.
 */
import { freeSeats, isEligible } from './eligibility.js';
import type { Channel, QueueDef, RoutingAgent } from './model.js';
import { ceilTolerant, floorTolerant } from './tolerant-rounding.js';

/** Pacing algorithms (`pacing.algorithm`). */
export type PacingAlgorithm = 'progressive' | 'predictive';

/** `pacing.reactiveShare` default. */
export const DEFAULT_REACTIVE_SHARE = 0.3;
/** Acceptance rate assumed before any invitation was answered. */
export const DEFAULT_ACCEPTANCE_RATE = 0.2;
/** The acceptance rate used by predictive pacing never goes below this. */
export const MIN_ACCEPTANCE_RATE = 0.05;
/** Predictive gain at start, and its bounds. */
export const INITIAL_GAIN = 1;
export const MIN_GAIN = 0.5;
export const MAX_GAIN = 3;

/** The counts and settings the pacing formulas read. */
export interface PacingInput {
  algorithm: PacingAlgorithm;
  /** Share of ready capacity kept for reactive contacts, 0..1. */
  reactiveShare: number;
  /** Eligible agents in state Ready. */
  R: number;
  /** Free seats of those agents. */
  F: number;
  /** Interactions waiting (registration, or queued and not being offered). */
  Q: number;
  /** Proactive engagements currently invited. */
  P: number;
  /** Σ capacity on the channel over the R agents. */
  totalReadyCapacity: number;
  /** Invitation acceptance rate over the last 30 min (predictive only). */
  acceptanceRate: number;
  /** Predictive gain `g`. */
  gain: number;
}

/** Pacing figures of one queue and channel, as `GET /server/data/pacing/state` reports them. */
export interface PacingState {
  R: number;
  F: number;
  Q: number;
  P: number;
  reserve: number;
  freeProactive: number;
  /** 0..1: how much room there is for reactive contacts. */
  reactiveState: number;
}

/** Options of {@link pacingFor}. */
export interface PacingOptions {
  algorithm: PacingAlgorithm;
  reactiveShare: number;
  acceptanceRate: number;
  gain: number;
}

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));

/**
 * The §4 formulas:
 * - `reserve = ceil(reactiveShare × totalReadyCapacity)`;
 * - progressive: `freeProactive = max(0, F − Q − reserve − P)`;
 * - predictive: `freeProactive = max(0, floor(g × (F − Q − reserve − P × a) / a))`, `a = max(0.05, acceptanceRate)`
 *   (0.2 when the rate is not a number);
 * - `reactiveState = 0` when `R` is 0, else `clamp((F − Q) / max(1, reserve), 0, 1)`.
 */
export function computePacing(input: PacingInput): PacingState {
  const { R, F, Q, P } = input;
  const reserve = Math.max(0, ceilTolerant(input.reactiveShare * input.totalReadyCapacity));
  let freeProactive: number;
  if (input.algorithm === 'predictive') {
    const a = Number.isFinite(input.acceptanceRate)
      ? clamp(input.acceptanceRate, MIN_ACCEPTANCE_RATE, 1)
      : DEFAULT_ACCEPTANCE_RATE;
    freeProactive = Math.max(0, floorTolerant((input.gain * (F - Q - reserve - P * a)) / a));
  } else {
    freeProactive = Math.max(0, F - Q - reserve - P);
  }
  const reactiveState = R === 0 ? 0 : clamp((F - Q) / Math.max(1, reserve), 0, 1);
  return { R, F, Q, P, reserve, freeProactive, reactiveState };
}

/**
 * Pacing of `queue` on `channel` from the live agents: `R` counts eligible Ready agents (an agent in several queues
 * counts in each), `F` their free seats (`active` includes invitations being offered).
 *
 * @param waitingCount `Q`: the queue's interactions on the channel in registration, or queued and not offered.
 * @param invitedCount `P`: the queue's proactive engagements in state `invited`.
 */
export function pacingFor(
  queue: QueueDef,
  channel: Channel,
  agents: readonly RoutingAgent[],
  waitingCount: number,
  invitedCount: number,
  options: PacingOptions,
): PacingState {
  let R = 0;
  let F = 0;
  let totalReadyCapacity = 0;
  for (const agent of agents) {
    if (agent.status.state !== 'Ready' || !isEligible(agent, queue, channel)) continue;
    R += 1;
    F += freeSeats(agent, channel);
    totalReadyCapacity += agent.capacity[channel];
  }
  return computePacing({ ...options, R, F, Q: waitingCount, P: invitedCount, totalReadyCapacity });
}

/**
 * One step of the predictive gain loop, run every refresh: above the goal `g = max(0.5, 0.9 g)`; below half the
 * goal `g = min(3, 1.05 g)`; otherwise unchanged. A rate that is not a number (no samples) leaves `g` unchanged.
 *
 * @param abandonmentRate accepted proactive interactions ended before connecting ÷ accepted, last 15 min (0..1).
 * @param goal `pacing.optimizationGoal` as a fraction (3 % → 0.03).
 */
export function adjustGain(gain: number, abandonmentRate: number, goal: number): number {
  if (!Number.isFinite(abandonmentRate)) return gain;
  if (abandonmentRate > goal) return Math.max(MIN_GAIN, 0.9 * gain);
  if (abandonmentRate < goal / 2) return Math.min(MAX_GAIN, 1.05 * gain);
  return gain;
}

/**
 * `reactiveState` over several queues (`reactiveState?groups=q1&groups=q2`), a Beckon choice: the §4 formula applied
 * to the sums of R, F, Q and reserve. No queues, or no Ready agent in any, gives 0.
 */
export function combinedReactiveState(states: readonly PacingState[]): number {
  let R = 0;
  let F = 0;
  let Q = 0;
  let reserve = 0;
  for (const s of states) {
    R += s.R;
    F += s.F;
    Q += s.Q;
    reserve += s.reserve;
  }
  return R === 0 ? 0 : clamp((F - Q) / Math.max(1, reserve), 0, 1);
}
