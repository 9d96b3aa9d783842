// Bundles the tracker with esbuild (ES2017, IIFE, minified) into dist/: the monitoring core GPE.min.js and the
// lazily loaded DSL engine GPE.dsl.min.js, each with precompressed .gz and .br siblings that the server picks by
// Accept-Encoding. Prints a size report and returns it, so the size test can fail when the core grows too big.
import { build as esbuild } from 'esbuild';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));

/** Entry points: output file name → source. */
export const chunks = {
  'GPE.min.js': 'src/index.ts',
  'GPE.dsl.min.js': 'src/dsl/index.ts',
  'GPE.notify.min.js': 'src/notify/index.ts',
  'GPE.chat.min.js': 'src/widgets/chat-chunk.ts',
  'GPE.invite.min.js': 'src/widgets/invite-chunk.ts',
};

/** Monitoring core budget in gzipped bytes (DESIGN.md numbers). */
export const CORE_BUDGET_GZIP = 5 * 1024;

/**
 * Builds every chunk into `outDir` (default `dist/`), writes `.gz` and `.br` siblings and returns the sizes.
 * @param {{ outDir?: string, quiet?: boolean }} [options]
 * @returns {Promise<Array<{ file: string, bytes: number, gzip: number, brotli: number }>>}
 */
export async function build(options = {}) {
  const outDir = options.outDir ?? join(here, 'dist');
  await mkdir(outDir, { recursive: true });
  const report = [];
  for (const [file, entry] of Object.entries(chunks)) {
    const out = join(outDir, file);
    await esbuild({
      entryPoints: [join(here, entry)],
      outfile: out,
      bundle: true,
      minify: true,
      format: 'iife',
      target: 'es2017',
      legalComments: 'none',
      logLevel: 'warning',
    });
    const code = await readFile(out);
    const gz = gzipSync(code, { level: 9 });
    const br = brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } });
    await writeFile(out + '.gz', gz);
    await writeFile(out + '.br', br);
    report.push({ file, bytes: code.length, gzip: gz.length, brotli: br.length });
  }
  if (!options.quiet) {
    for (const r of report)
      console.log(`${r.file.padEnd(16)} ${r.bytes} B  gzip ${r.gzip} B  brotli ${r.brotli} B`);
  }
  return report;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const report = await build();
  const core = report.find((r) => r.file === 'GPE.min.js');
  if (core && core.gzip > CORE_BUDGET_GZIP) {
    console.error(`monitoring core is ${core.gzip} B gzipped, over the ${CORE_BUDGET_GZIP} B budget`);
    process.exit(1);
  }
}
