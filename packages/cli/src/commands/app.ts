/**
 * `beckon app create <dir>` scaffolds an application folder and `beckon app deploy <dir>` uploads it to a
 * server (`PUT /server/data/applications/{name}`), replacing the active application as GWE deployments do.
 * The folder layout: `resources/` (modifiable resources), `dsl/domain-model.xml`, `categories.json`, `rules/`,
 * `strategies/`. `args` are the words after `app`.
 */
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import type { CommandRun } from '../command.js';

const USAGE = `usage:
  beckon app create <dir>
  beckon app deploy <dir> [--server URL] [--key API_KEY] [--name NAME]`;

const DSL = `<?xml version="1.0" encoding="UTF-8"?>
<properties>
  <events>
    <event id="TimeoutEvent30" name="Timeout-30" condition="" postcondition="document.hasFocus() === true">
      <trigger name="TimeoutTrigger" element="" action="timer:30000" type="timeout" url="" count="1"/>
    </event>
    <event id="SearchEnter" name="Search">
      <trigger name="SearchEnterKey" element="input[type=search]" action="enterkey">
        <val name="query" value="$(event.target).val()"/>
      </trigger>
    </event>
  </events>
</properties>
`;

const CATEGORIES = [
  {
    name: 'Products',
    description: 'Product pages',
    tags: [{ expression: '/products/', regex: false, caseSensitive: false, fields: ['url'] }],
  },
];

/** Files written by `create`, relative to the application folder. */
export const scaffold: Record<string, string> = {
  'dsl/domain-model.xml': DSL,
  'categories.json': JSON.stringify(CATEGORIES, null, 2) + '\n',
  'resources/invite.html': '<div class="beckon-invite"><p>Can we help you?</p></div>\n',
  'rules/README.md': 'Rule packages of this application (see the rules specification).\n',
  'strategies/README.md': 'SCXML engagement strategies of this application.\n',
};

async function create(dir: string): Promise<number> {
  const root = resolve(dir);
  const existing = await readdir(root).catch(() => []);
  if (existing.length) {
    console.error(`beckon app create: ${root} is not empty`);
    return 1;
  }
  for (const [path, content] of Object.entries(scaffold)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), content);
  }
  console.log(`created application ${basename(root)} in ${root}`);
  return 0;
}

/** Every non-hidden file under `root`, as relative `/`-separated paths to base64 content. */
export async function collectFiles(root: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile())
        files[relative(root, full).split(sep).join('/')] = (await readFile(full)).toString('base64');
    }
  };
  await walk(root);
  return files;
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function deploy(dir: string, args: string[]): Promise<number> {
  const root = resolve(dir);
  if (!(await stat(root).catch(() => undefined))?.isDirectory()) {
    console.error(`beckon app deploy: ${root} is not a directory`);
    return 1;
  }
  const server = (option(args, '--server') ?? 'http://127.0.0.1:9081').replace(/\/+$/, '');
  const key = option(args, '--key');
  const name = option(args, '--name') ?? basename(root);
  const files = await collectFiles(root);
  let res: Response;
  try {
    res = await fetch(`${server}/server/data/applications/${encodeURIComponent(name)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: JSON.stringify({ files }),
    });
  } catch (e) {
    console.error(`beckon app deploy: cannot reach ${server}: ${(e as Error).message}`);
    return 1;
  }
  const body = (await res.json().catch(() => ({}))) as {
    code?: string;
    message?: string;
    errors?: Array<{ line: number; column: number; message: string }>;
    resources?: number;
  };
  if (!res.ok) {
    console.error(`beckon app deploy: ${res.status} ${body.code ?? ''} ${body.message ?? ''}`.trim());
    for (const e of body.errors ?? [])
      console.error(`  dsl/domain-model.xml:${e.line}:${e.column}: ${e.message}`);
    return 1;
  }
  console.log(
    `deployed application ${name} (${Object.keys(files).length} files, ${body.resources ?? 0} resources)`,
  );
  return 0;
}

/** Entry of `beckon app`. */
export const run: CommandRun = async (args) => {
  const [sub, dir] = args;
  if (!dir || (sub !== 'create' && sub !== 'deploy')) {
    console.error(USAGE);
    return 2;
  }
  return sub === 'create' ? create(dir) : deploy(dir, args.slice(2));
};
