/**
 * W3C SCXML 1.0 conformance: every mandatory, automated test of the ECMAScript IRP suite must reach `pass`.
 * Manual and optional tests (the latter include every Basic HTTP Event I/O Processor test) are listed with the reason
 * they are not asserted.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createFunctionEvaluator, type Evaluator } from '@beckon/core/scxml';
import { createVmEvaluator } from '../../packages/server/src/scxml/vm-evaluator.js';
import { listTests, loadTest, runTest } from './harness.js';

const all = listTests();
const mandatory = all.filter((t) => t.conformance === 'mandatory' && !t.manual);
const skipped = all.filter((t) => !mandatory.includes(t));
const passed = { vm: 0, function: 0 };
const evaluators: Record<keyof typeof passed, () => Evaluator> = {
  // The server's evaluator (node:vm with a time budget), one per document as in production.
  vm: () => createVmEvaluator(),
  function: createFunctionEvaluator,
};

describe('W3C SCXML IRP, ECMAScript data model, mandatory automated tests', () => {
  it('finds the suite', () => {
    expect(mandatory.length).toBeGreaterThanOrEqual(158);
  });

  for (const [name, make] of Object.entries(evaluators) as [keyof typeof passed, () => Evaluator][]) {
    describe(`${name} evaluator`, () => {
      for (const t of mandatory) {
        it(`test ${t.id}`, () => {
          const configuration = runTest(loadTest(t.file), make());
          expect(configuration).toContain('pass');
          passed[name]++;
        });
      }
    });
  }

  afterAll(() => {
    const reasons = skipped.map((t) => {
      const why = t.manual ? 'manual test (needs a human to judge the log)' : 'optional test';
      const http = /^(201|509|510|518|519|520|522|531|532|534|567|577)$/.test(t.id)
        ? ', needs the Basic HTTP Event I/O Processor'
        : '';
      return `  test ${t.id}: ${t.conformance}, ${why}${http}`;
    });
    for (const [name, n] of Object.entries(passed))
      console.log(
        `W3C SCXML (ecmascript, ${name} evaluator): ${n}/${mandatory.length} mandatory automated tests pass`,
      );
    console.log(`not asserted (${skipped.length}):\n${reasons.join('\n')}`);
  });
});
