/**
 * The invitation countdown (spec §5 rule 4: 15 s to accept). The deadline is fixed when the invite arrives, on the
 * desktop's own clock, so a skewed server clock cannot make an invite look expired; the server revokes it anyway.
 */

export interface Countdown {
  /** Whole seconds left, rounded up, never negative. */
  seconds: number;
  /** Share of the time left, 1 → 0, for a progress bar. */
  fraction: number;
  expired: boolean;
}

/**
 * Countdown of an invite with `deadline` (ms) that allowed `timeoutSec`, at `now` (ms). A `null` deadline (an invite
 * learnt from `/me` or a resync, whose arrival time is unknown) shows as a full bar with no seconds.
 */
export function countdown(deadline: number | null, timeoutSec: number, now: number): Countdown | null {
  if (deadline === null) return null;
  const leftMs = Math.max(0, deadline - now);
  const totalMs = Math.max(1, timeoutSec * 1000);
  return {
    // Capped at the timeout: the ticking clock may lag the arrival time by a fraction of a second.
    seconds: Math.min(Math.ceil(leftMs / 1000), Math.ceil(totalMs / 1000)),
    fraction: Math.min(1, leftMs / totalMs),
    expired: leftMs === 0,
  };
}
