import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { adjustGain, combinedReactiveState, computePacing, pacingFor, type PacingInput } from './pacing.js';
import { agent, queue } from './testing.js';

const base: PacingInput = {
  algorithm: 'progressive',
  reactiveShare: 0.3,
  R: 3,
  F: 6,
  Q: 1,
  P: 1,
  totalReadyCapacity: 9,
  acceptanceRate: 0.2,
  gain: 1,
};

describe('computePacing: progressive', () => {
  it('worked example: F 6, Q 1, capacity 9 → reserve ceil(2.7) = 3, P 1 → freeProactive 1', () => {
    expect(computePacing(base)).toEqual({
      R: 3,
      F: 6,
      Q: 1,
      P: 1,
      reserve: 3,
      freeProactive: 1,
      reactiveState: 1,
    });
  });
  it('an outstanding invitation counts as a full seat, and the result never goes below 0', () => {
    expect(computePacing({ ...base, P: 2 }).freeProactive).toBe(0);
    expect(computePacing({ ...base, P: 9 }).freeProactive).toBe(0);
  });
  it('reserve is a tolerant ceil: 0.1 × 30 is 3 seats, not 4', () => {
    const r = computePacing({ ...base, reactiveShare: 0.1, totalReadyCapacity: 30, F: 30, Q: 0, P: 0 });
    expect(r.reserve).toBe(3);
    expect(r.freeProactive).toBe(27);
  });
  it('reactiveShare 0 keeps no reserve; 1 reserves every seat', () => {
    expect(computePacing({ ...base, reactiveShare: 0 }).reserve).toBe(0);
    expect(computePacing({ ...base, reactiveShare: 1, Q: 0, P: 0 })).toMatchObject({
      reserve: 9,
      freeProactive: 0,
    });
  });
});

describe('computePacing: predictive', () => {
  const p: PacingInput = {
    ...base,
    algorithm: 'predictive',
    F: 9,
    Q: 1,
    P: 2,
    totalReadyCapacity: 10,
    acceptanceRate: 0.25,
  };
  it('worked example: floor(g × (9 − 1 − 3 − 2 × 0.25) / 0.25) = 18 at g 1, 21 at g 1.2', () => {
    expect(computePacing(p)).toMatchObject({ reserve: 3, freeProactive: 18 });
    expect(computePacing({ ...p, gain: 1.2 }).freeProactive).toBe(21); // 21.6
    expect(computePacing({ ...p, gain: 0.5 }).freeProactive).toBe(9);
  });
  it('floor is tolerant: (4 / 0.2) is 20', () => {
    expect(computePacing({ ...p, F: 8, P: 0, acceptanceRate: 0.2 }).freeProactive).toBe(20); // (8 − 1 − 3) / 0.2
  });
  it('the acceptance rate never goes below 0.05', () => {
    // (9 − 1 − 3 − 2 × 0.05) / 0.05 = 98
    expect(computePacing({ ...p, acceptanceRate: 0 }).freeProactive).toBe(98);
    expect(computePacing({ ...p, acceptanceRate: 0.01 }).freeProactive).toBe(98);
    expect(computePacing({ ...p, acceptanceRate: Number.NaN }).freeProactive).toBe(
      computePacing({ ...p, acceptanceRate: 0.2 }).freeProactive,
    );
  });
  it('never negative', () => {
    expect(computePacing({ ...p, Q: 20 }).freeProactive).toBe(0);
  });
});

describe('reactiveState', () => {
  it('is 0 when no eligible agent is Ready', () => {
    expect(computePacing({ ...base, R: 0, F: 0, totalReadyCapacity: 0 }).reactiveState).toBe(0);
    expect(computePacing({ ...base, R: 0, F: 5, Q: 0 }).reactiveState).toBe(0);
  });
  it('is clamp((F − Q) / max(1, reserve), 0, 1)', () => {
    expect(computePacing({ ...base, Q: 4 }).reactiveState).toBeCloseTo(2 / 3, 12); // (6 − 4) / 3
    expect(computePacing({ ...base, Q: 6 }).reactiveState).toBe(0);
    expect(computePacing({ ...base, Q: 10 }).reactiveState).toBe(0); // clamped from below
    expect(computePacing({ ...base, Q: 0 }).reactiveState).toBe(1); // 6 / 3 clamped
    // reserve 0 → divide by 1
    expect(computePacing({ ...base, reactiveShare: 0, F: 1, Q: 0 }).reactiveState).toBe(1);
  });
  it('always lies in [0, 1]', () => {
    fc.assert(
      fc.property(
        fc.record({
          R: fc.nat(20),
          F: fc.nat(60),
          Q: fc.nat(60),
          P: fc.nat(20),
          totalReadyCapacity: fc.nat(60),
          reactiveShare: fc.double({ min: 0, max: 1, noNaN: true }),
        }),
        (x) => {
          const r = computePacing({ ...base, ...x });
          expect(r.reactiveState).toBeGreaterThanOrEqual(0);
          expect(r.reactiveState).toBeLessThanOrEqual(1);
          expect(r.freeProactive).toBeGreaterThanOrEqual(0);
          expect(Number.isInteger(r.freeProactive) && Number.isInteger(r.reserve)).toBe(true);
        },
      ),
    );
  });
  it('over several queues uses the summed counts', () => {
    const a = computePacing({ ...base, Q: 4 }); // F 6, Q 4, reserve 3
    const b = computePacing({ ...base, R: 1, F: 1, Q: 0, totalReadyCapacity: 3 }); // reserve 1
    expect(combinedReactiveState([a, b])).toBeCloseTo(3 / 4, 12);
    expect(combinedReactiveState([])).toBe(0);
  });
});

describe('pacingFor', () => {
  const q = queue('sales', { requiredSkills: { english: 2 } });
  const options = { algorithm: 'progressive', reactiveShare: 0.3, acceptanceRate: 0.2, gain: 1 } as const;

  it('counts only eligible Ready agents; F uses active (connected + offered) seats', () => {
    const agents = [
      agent('a', { skills: { english: 3 }, active: { chat: 1, callback: 0 } }), // 2 free of 3
      agent('b', { skills: { english: 2 } }), // 3 free
      agent('c', { skills: { english: 2 }, active: { chat: 5, callback: 0 } }), // over capacity → 0 free
      agent('notready', { state: 'NotReady', skills: { english: 5 } }),
      agent('acw', { state: 'AfterChatWork', skills: { english: 5 } }),
      agent('unskilled', { skills: { english: 1 } }),
      agent('nochat', { skills: { english: 5 }, capacity: { chat: 0, callback: 1 } }),
    ];
    // R 3, F 5, capacity 9 → reserve 3; Q 1, P 0 → 5 − 1 − 3 = 1
    expect(pacingFor(q, 'chat', agents, 1, 0, options)).toEqual({
      R: 3,
      F: 5,
      Q: 1,
      P: 0,
      reserve: 3,
      freeProactive: 1,
      reactiveState: 1,
    });
    // callback: a, b, c and nochat each 1 seat → R 4, F 4, reserve ceil(1.2) = 2
    expect(pacingFor(q, 'callback', agents, 0, 1, options)).toMatchObject({
      R: 4,
      F: 4,
      reserve: 2,
      freeProactive: 1,
    });
  });

  it('no Ready agent: everything 0', () => {
    expect(
      pacingFor(q, 'chat', [agent('n', { state: 'NotReady', skills: { english: 2 } })], 2, 0, options),
    ).toEqual({
      R: 0,
      F: 0,
      Q: 2,
      P: 0,
      reserve: 0,
      freeProactive: 0,
      reactiveState: 0,
    });
  });
});

describe('adjustGain', () => {
  const goal = 0.03;
  it('above the goal: × 0.9, not below 0.5', () => {
    expect(adjustGain(1, 0.05, goal)).toBeCloseTo(0.9, 12);
    expect(adjustGain(0.55, 0.05, goal)).toBe(0.5);
    expect(adjustGain(0.5, 1, goal)).toBe(0.5);
  });
  it('below half the goal: × 1.05, not above 3', () => {
    expect(adjustGain(1, 0.01, goal)).toBeCloseTo(1.05, 12);
    expect(adjustGain(2.9, 0, goal)).toBe(3);
    expect(adjustGain(3, 0, goal)).toBe(3);
  });
  it('between half the goal and the goal (inclusive): unchanged', () => {
    expect(adjustGain(1.3, 0.03, goal)).toBe(1.3);
    expect(adjustGain(1.3, 0.015, goal)).toBe(1.3);
    expect(adjustGain(1.3, 0.02, goal)).toBe(1.3);
  });
  it('no samples (NaN) leaves the gain alone', () => {
    expect(adjustGain(1.3, Number.NaN, goal)).toBe(1.3);
  });
  it('repeated adjustment stays within [0.5, 3]', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 200 }), (rates) => {
        let g = 1;
        for (const r of rates) {
          g = adjustGain(g, r, goal);
          expect(g).toBeGreaterThanOrEqual(0.5);
          expect(g).toBeLessThanOrEqual(3);
        }
      }),
    );
  });
});
