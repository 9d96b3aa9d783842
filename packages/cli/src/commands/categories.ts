/**
 * `beckon categories import <file.json|.yaml>` replaces all categories (validated first: a bad file changes
 * nothing); `beckon categories export [--yaml]` prints them. Works on the configured store directly.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { validateCategory } from '@beckon/core';
import { loadConfig, openStore } from '@beckon/server';
import type { CommandRun } from '../command.js';
import { parseCommandArgs } from '../args.js';

export const run: CommandRun = async (args) => {
  const [action, ...rest] = args;
  const { values, positionals } = parseCommandArgs(rest, { yaml: { type: 'boolean' } });
  if (action !== 'import' && action !== 'export') {
    console.error('usage: beckon categories import <file.json|file.yaml> | export [--yaml]');
    return 1;
  }
  let categories: ReturnType<typeof validateCategory>[] = [];
  if (action === 'import') {
    const file = positionals[0];
    if (!file) {
      console.error('usage: beckon categories import <file>');
      return 1;
    }
    const text = await readFile(file, 'utf8');
    const parsed: unknown = /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
    if (!Array.isArray(parsed)) {
      console.error(`${file}: expected a list of categories`);
      return 1;
    }
    categories = parsed.map((c) => validateCategory(c));
    const errors = categories.flatMap((c, i) =>
      c.ok ? [] : [`${file}: categories[${i}].${c.field}: ${c.message}`],
    );
    const names = categories.flatMap((c) => (c.ok ? [c.category.name] : []));
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup) errors.push(`${file}: duplicate category name ${dup}`);
    if (errors.length) {
      for (const e of errors) console.error(e);
      return 1;
    }
  }
  const config = loadConfig();
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  try {
    if (action === 'import') {
      await store.replaceCategories(
        categories.flatMap((c) => (c.ok ? [c.category] : [])),
        Date.now(),
      );
      console.log(`imported ${categories.length} categories`);
    } else {
      const all = await store.listCategories();
      console.log(values.yaml ? toYaml(all) : JSON.stringify(all, null, 2));
    }
    return 0;
  } finally {
    await store.close();
  }
};
