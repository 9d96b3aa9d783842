/**
 * `beckon agents add|list|passwd|remove`: manages agent accounts directly in the configured store, as an
 * administrator does before the first desktop login (spec/engagement.md §5). Passwords are hashed with scrypt
 * before they are stored; when `--password` is left out, a random one is generated and printed once.
 */
import {
  DirectoryStore,
  createAgent,
  generatePassword,
  loadConfig,
  openStore,
  updateAgent,
} from '@beckon/server';
import type { CommandRun } from '../command.js';
import { parseCommandArgs } from '../args.js';

const USAGE = `usage: beckon agents add <agentId> [--name N] [--groups a,b] [--password P] [--skills english=5,loans=3]
                         [--chat 3] [--callback 1] [--after-chat-work 0]
       beckon agents list [--json]
       beckon agents passwd <agentId> [--password P]
       beckon agents remove <agentId>`;

function skills(raw: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const pair of raw.split(',').filter(Boolean)) {
    const [name, level] = pair.split('=');
    if (!name || level === undefined || !/^\d+$/.test(level))
      throw new Error(`--skills: "${pair}" is not name=level`);
    out[name.trim()] = Number(level);
  }
  return out;
}

function int(raw: string | boolean | undefined, option: string): number | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !/^\d+$/.test(raw))
    throw new Error(`--${option} must be a non-negative integer`);
  return Number(raw);
}

/** Entry point of `beckon agents`. */
export const run: CommandRun = async (args) => {
  const [action, ...rest] = args;
  let parsed: ReturnType<typeof parseCommandArgs>;
  try {
    parsed = parseCommandArgs(rest, {
      name: { type: 'string' },
      groups: { type: 'string' },
      password: { type: 'string' },
      skills: { type: 'string' },
      chat: { type: 'string' },
      callback: { type: 'string' },
      'after-chat-work': { type: 'string' },
      json: { type: 'boolean' },
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const agentId = positionals[0];
  if (!['add', 'list', 'passwd', 'remove'].includes(action ?? '') || (action !== 'list' && !agentId)) {
    console.error(USAGE);
    return 2;
  }
  const config = loadConfig();
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  const directory = new DirectoryStore(store.driver);
  try {
    switch (action) {
      case 'add': {
        const capacity: Record<string, number> = {};
        const chat = int(values.chat, 'chat');
        const callback = int(values.callback, 'callback');
        if (chat !== undefined) capacity.chat = chat;
        if (callback !== undefined) capacity.callback = callback;
        const input: Record<string, unknown> = {
          agentId,
          name: values.name ?? agentId,
          groups: typeof values.groups === 'string' ? values.groups.split(',').filter(Boolean) : [],
          skills: typeof values.skills === 'string' ? skills(values.skills) : {},
          capacity,
          afterChatWorkSec: int(values['after-chat-work'], 'after-chat-work') ?? 0,
        };
        if (typeof values.password === 'string') input.password = values.password;
        const { agent, generatedPassword } = await createAgent(directory, input, Date.now());
        console.log(
          `added agent ${agent.agentId} (${agent.name}; groups ${agent.groups.join(',') || '-'}; ` +
            `capacity chat ${agent.capacity.chat}, callback ${agent.capacity.callback})`,
        );
        if (generatedPassword) console.log(`password (shown only once): ${generatedPassword}`);
        return 0;
      }
      case 'list': {
        const agents = await directory.listAgents();
        if (values.json) console.log(JSON.stringify(agents));
        else
          for (const a of agents)
            console.log(
              `${a.agentId.padEnd(16)} ${a.enabled ? 'enabled ' : 'disabled'} chat ${a.capacity.chat} callback ${a.capacity.callback}  groups ${a.groups.join(',') || '-'}  ${a.name}`,
            );
        return 0;
      }
      case 'passwd': {
        const password = typeof values.password === 'string' ? values.password : generatePassword();
        await updateAgent(directory, agentId!, { password }, Date.now());
        console.log(
          typeof values.password === 'string'
            ? `password of ${agentId} changed; its sessions are ended`
            : `new password of ${agentId} (shown only once): ${password}`,
        );
        return 0;
      }
      default: {
        if (!(await directory.deleteAgent(agentId!))) {
          console.error(`no agent ${agentId}`);
          return 1;
        }
        console.log(`removed agent ${agentId}`);
        return 0;
      }
    }
  } catch (error) {
    console.error((error as Error).message);
    return 1;
  } finally {
    await store.close();
  }
};
