/**
 * `beckon <command> ...`: dispatches to `commands/<name>.ts`. Commands are loaded lazily so `beckon --help`
 * stays fast and a command's dependencies load only when it runs.
 */
import type { CommandRun } from './command.js';

const commands: Record<string, { summary: string; load: () => Promise<{ run: CommandRun }> }> = {
  start: {
    summary: 'start the server (--demo serves the demo site at /demo/)',
    load: () => import('./commands/start.js'),
  },
  keys: {
    summary: 'API keys: create --role read|full [--name N] | list | revoke <keyId>',
    load: () => import('./commands/keys.js'),
  },
  categories: {
    summary: 'categories: import <file.json|yaml> | export [--yaml]',
    load: () => import('./commands/categories.js'),
  },
};

const optional: Record<string, { summary: string; path: string }> = {
  app: { summary: 'applications: create <dir> | deploy <dir>', path: './commands/app.js' },
  rules: {
    summary: 'rules: check <files> | test <files> --events <file.jsonl>',
    path: './commands/rules.js',
  },
  events: { summary: 'events: export --visit ID', path: './commands/events-export.js' },
  strategy: {
    summary: 'strategies: check <file.scxml> | run <file> [--events <file>] [--json]',
    path: './commands/strategy.js',
  },
  agents: { summary: 'agents: add <username> ...', path: './commands/agents.js' },
};

function usage(): string {
  const lines = ['usage: beckon <command> [options]', '', 'commands:'];
  for (const [name, c] of Object.entries({ ...commands, ...optional }))
    lines.push(`  ${name.padEnd(12)}${c.summary}`);
  lines.push(
    '',
    'environment: BECKON_PORT, BECKON_DATA_DIR, BECKON_DATABASE_URL, BECKON_CONFIG (see README)',
  );
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 1;
  }
  const known = commands[name];
  try {
    if (known) return await (await known.load()).run(args);
    const extra = optional[name];
    if (extra) {
      const mod = (await import(extra.path).catch(() => null)) as { run: CommandRun } | null;
      if (mod) return await mod.run(args);
      console.error(`beckon ${name}: not available in this build`);
      return 1;
    }
  } catch (error) {
    console.error(`beckon ${name}: ${(error as Error).message}`);
    return 1;
  }
  console.error(`beckon: unknown command "${name}"\n\n${usage()}`);
  return 1;
}
