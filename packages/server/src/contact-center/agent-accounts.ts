/**
 * Agent accounts, groups and queues as the admin API and `beckon agents` manage them (spec §5): input is
 * validated here once, defaults applied (capacity 3 chats and 1 callback), and passwords hashed before they
 * reach the store. The CLI uses this module directly against the configured store.
 */
import { BeckonError } from '@beckon/protocol';
import type { DirectoryStore } from './directory-store.js';
import { generatePassword, hashPassword } from './passwords.js';
import { CHANNELS } from './types.js';
import type { AgentRecord, QueueRecord, RegistrationField } from './types.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
const MIN_PASSWORD = 8;

const bad = (message: string) => new BeckonError('invalidField', message);

function name(value: unknown, field: string): string {
  if (typeof value !== 'string' || !NAME.test(value))
    throw bad(`${field} must be 1–64 letters, digits, '.', '_', '@' or '-'`);
  return value;
}

function names(value: unknown, field: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw bad(`${field} must be an array of names`);
  return [...new Set(value.map((v, i) => name(v, `${field}[${i}]`)))];
}

function levels(value: unknown, field: string): Record<string, number> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw bad(`${field} must be an object`);
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(value)) {
    name(k, `${field} key`);
    if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > 100)
      throw bad(`${field}.${k} must be an integer 0–100`);
    out[k] = v as number;
  }
  return out;
}

/** Validates an agent body (as in spec §5); `base` supplies values a partial update leaves out. */
export function parseAgent(input: Record<string, unknown>, base?: AgentRecord): AgentRecord {
  const capacityIn = (input.capacity ?? {}) as Record<string, unknown>;
  if (typeof capacityIn !== 'object' || capacityIn === null) throw bad('capacity must be an object');
  const capacity = { chat: base?.capacity.chat ?? 3, callback: base?.capacity.callback ?? 1 };
  for (const [k, v] of Object.entries(capacityIn)) {
    if (!(CHANNELS as readonly string[]).includes(k)) throw bad(`capacity.${k} is not a channel`);
    if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > 100)
      throw bad(`capacity.${k} must be an integer 0–100`);
    capacity[k as 'chat'] = v as number;
  }
  const acw = input.afterChatWorkSec ?? base?.afterChatWorkSec ?? 0;
  if (!Number.isInteger(acw) || (acw as number) < 0 || (acw as number) > 3600)
    throw bad('afterChatWorkSec must be an integer 0–3600');
  const display = input.name ?? base?.name ?? input.agentId;
  if (typeof display !== 'string' || display.length < 1 || display.length > 200)
    throw bad('name must be 1–200 characters');
  const enabled = input.enabled ?? base?.enabled ?? true;
  if (typeof enabled !== 'boolean') throw bad('enabled must be a boolean');
  return {
    agentId: name(base?.agentId ?? input.agentId, 'agentId'),
    name: display,
    groups: input.groups === undefined && base ? base.groups : names(input.groups, 'groups'),
    skills: input.skills === undefined && base ? base.skills : levels(input.skills, 'skills'),
    capacity,
    afterChatWorkSec: acw as number,
    enabled,
  };
}

function password(value: unknown): string {
  if (typeof value !== 'string' || value.length < MIN_PASSWORD || value.length > 200)
    throw bad(`password must be ${MIN_PASSWORD}–200 characters`);
  return value;
}

/** Creates an agent; without a password one is generated and returned (shown once). 409 when it exists. */
export async function createAgent(
  directory: DirectoryStore,
  input: Record<string, unknown>,
  now: number,
): Promise<{ agent: AgentRecord; generatedPassword: string | null }> {
  const agent = parseAgent(input);
  const generated = input.password === undefined ? generatePassword() : null;
  const hash = await hashPassword(generated ?? password(input.password));
  if (!(await directory.createAgent(agent, hash, now)))
    throw new BeckonError('conflict', `agent ${agent.agentId} already exists`);
  return { agent, generatedPassword: generated };
}

/** Updates an agent (fields left out keep their value; `password` replaces the hash). 404 when unknown. */
export async function updateAgent(
  directory: DirectoryStore,
  agentId: string,
  input: Record<string, unknown>,
  now: number,
): Promise<AgentRecord> {
  const found = await directory.getAgent(agentId);
  if (!found) throw new BeckonError('notFound', `no agent ${agentId}`);
  const agent = parseAgent(input, found.agent);
  const hash = input.password === undefined ? null : await hashPassword(password(input.password));
  await directory.updateAgent(agent, hash, now);
  if (hash !== null) await directory.deleteSessionsOf(agentId);
  return agent;
}

function fields(value: unknown): RegistrationField[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw bad('registration must be an array of {name, label, required}');
  return value.map((f: Record<string, unknown>, i) => {
    if (typeof f !== 'object' || f === null) throw bad(`registration[${i}] must be an object`);
    const label = f.label ?? f.name;
    if (typeof label !== 'string') throw bad(`registration[${i}].label must be a string`);
    return { name: name(f.name, `registration[${i}].name`), label, required: f.required === true };
  });
}

/** Validates a queue body; the name comes from the path. */
export function parseQueue(queueName: string, input: Record<string, unknown>): QueueRecord {
  const channels = input.channels ?? ['chat', 'callback'];
  if (!Array.isArray(channels) || channels.some((c) => !(CHANNELS as readonly string[]).includes(c)))
    throw bad('channels must be an array of chat, callback');
  const max = input.maxQueueTimeSec ?? null;
  if (max !== null && (!Number.isInteger(max) || (max as number) < 10 || (max as number) > 86400))
    throw bad('maxQueueTimeSec must be an integer 10–86400');
  return {
    name: name(queueName, 'name'),
    channels: [...new Set(channels as QueueRecord['channels'])],
    groups: names(input.groups, 'groups'),
    requiredSkills: levels(input.requiredSkills, 'requiredSkills'),
    registration: fields(input.registration),
    maxQueueTimeSec: max as number | null,
  };
}
