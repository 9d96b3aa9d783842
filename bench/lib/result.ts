/**
 * How every Beckon benchmark reports: one JSON line `{"bench": name, ...figures, "baseline": {...}, "ratio": n}`
 * on stdout, and the same object in `bench/results/<name>.json`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface BenchResult {
  baseline: Record<string, unknown>;
  ratio: number;
  [figure: string]: unknown;
}

/** The `bench/results` folder of this checkout. */
export const resultsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'results');

/** Prints the closing JSON line and writes `bench/results/<name>.json`; returns the file path. */
export function writeBenchResult(name: string, result: BenchResult, dir = resultsDir): string {
  const object = { bench: name, ...result };
  const line = JSON.stringify(object);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  writeFileSync(file, `${JSON.stringify(object, null, 2)}\n`);
  process.stdout.write(`${line}\n`);
  return file;
}

/** Rounds to `digits` significant decimals for display and JSON. */
export const round = (value: number, digits = 1): number => {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};
