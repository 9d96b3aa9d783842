/**
 * Ceil and floor that forgive binary floating-point noise. Pacing and wait estimates multiply decimal shares and
 * rates (0.1 × 30 is 3.0000000000000004 in IEEE 754); a plain `Math.ceil` would then reserve a whole extra seat.
 */

const EPSILON = 1e-9;

/** `Math.ceil`, treating values within 1e-9 above an integer as that integer. */
export function ceilTolerant(x: number): number {
  return Math.ceil(x - EPSILON);
}

/** `Math.floor`, treating values within 1e-9 below an integer as that integer. */
export function floorTolerant(x: number): number {
  return Math.floor(x + EPSILON);
}
