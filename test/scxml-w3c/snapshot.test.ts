/**
 * Durability against the W3C suite: for every mandatory automated test that uses delayed sends, a snapshot is taken
 * (as JSON text) after every macrostep of the top-level session and resumed in a fresh session, on a fresh clock, in
 * a fresh system; each resumed run must reach `pass` as the uninterrupted run does.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { takeSnapshot } from '@beckon/core/scxml';
import { listTests, loadTest, resumeTest, runTest, W3C_DIR } from './harness.js';

const delayed = listTests().filter(
  (t) =>
    t.conformance === 'mandatory' &&
    !t.manual &&
    /\bdelay(expr)?=/.test(readFileSync(join(W3C_DIR, t.file), 'utf8')),
);

describe('snapshot / resume at every macrostep of the W3C tests with delayed sends', () => {
  it('covers a meaningful share of the suite', () => {
    expect(delayed.length).toBeGreaterThan(30);
  });

  for (const t of delayed) {
    it(`test ${t.id}`, () => {
      const doc = loadTest(t.file);
      const snapshots: string[] = [];
      const direct = runTest(doc, undefined, (s) => {
        if (s.sessionId === 'w3c') snapshots.push(JSON.stringify(takeSnapshot(s)));
      });
      expect(direct).toContain('pass');
      expect(snapshots.length).toBeGreaterThan(0);
      for (const json of snapshots) expect(resumeTest(doc, json)).toEqual(direct);
    });
  }
});
