// Prints the one closing line CI reads, `N passed, N failed[, N skipped]`, from Vitest's JSON report, counting
// lint and type-check failures as failed too. Exits non-zero when anything failed or no test ran.
import { readFileSync } from 'node:fs';

// `checks`: how many of the checks run before Vitest (lint, type check) failed.
const [file, checks = '0'] = process.argv.slice(2);
let report;
try {
  report = JSON.parse(readFileSync(file, 'utf8'));
} catch {
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const passed = report.numPassedTests ?? 0;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
// A file that failed without a failed test (it did not load, or a hook threw) counts once; Vitest's
// numFailedTestSuites also counts the describe blocks around each failed test, so it is not used.
const brokenFiles = (report.testResults ?? []).filter(
  (file) =>
    file.status === 'failed' && !(file.assertionResults ?? []).some((test) => test.status === 'failed'),
).length;
const failed = (report.numFailedTests ?? 0) + brokenFiles + (Number(checks) || 0);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
// In CI nothing may be skipped: the only skips the suites know are "server not available", and CI starts them all.
const strict = process.env.CI === 'true' || process.env.BECKON_REQUIRE_SERVERS === '1';
if (strict && skipped > 0)
  console.error(`test-summary: ${skipped} tests were skipped; CI requires every test to run`);
process.exit(failed > 0 || passed === 0 || (strict && skipped > 0) ? 1 : 0);
