/**
 * Configuration, read once: defaults ← config file (`BECKON_CONFIG`, JSON or YAML) ← environment variables.
 * The result is validated against one schema (unknown keys are rejected with their path) and frozen.
 * This is the only module that reads `process.env`. Option names follow GWE where it has them (spec/compat.md §15).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Type } from '@sinclair/typebox';
import type { Static, TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { parse as parseYaml } from 'yaml';

const Int = (def: number, min: number, max: number, description: string) =>
  Type.Integer({ default: def, minimum: min, maximum: max, description });
const Section = <T extends Record<string, TSchema>>(props: T) =>
  Type.Object(props, { additionalProperties: false, default: {} });

export const ConfigSchema = Type.Object(
  {
    http: Section({
      port: Int(9081, 0, 65535, 'HTTP port (GWE default 9081)'),
      host: Type.String({ default: '0.0.0.0', description: 'Interface to listen on' }),
    }),
    https: Section({
      port: Int(
        9443,
        0,
        65535,
        'HTTPS port of a TLS proxy in front of Beckon (GWE default 9443); Beckon itself serves HTTP',
      ),
    }),
    dataDir: Type.String({ default: '.beckon-data', description: 'Directory of the embedded SQLite store' }),
    databaseUrl: Type.String({
      default: '',
      description: 'postgres:// URL selects PostgreSQL; empty = embedded SQLite',
    }),
    engagement: Section({
      visitExpirationTime: Int(86400, 0, 31_536_000, 'Maximum visit age in seconds; 0 = never'),
      strictEngagementMode: Type.Boolean({
        default: true,
        description: 'At most one live engagement per visit (GWE)',
      }),
      engagementExpirationTime: Int(30, 10, 1800, 'Engagement creation to invitation, seconds'),
      registrationFormExpirationTime: Int(120, 10, 1800, 'Seconds to complete the registration form'),
      refusalCooldown: Int(
        600,
        0,
        86400,
        'No new proactive engagement in a visit this long after a refusal, seconds',
      ),
      maxInvitesPerVisit: Int(3, 0, 100, 'Invitation cap per visit'),
    }),
    domainSeparation: Type.Boolean({ default: false, description: 'Per-domain rule packages (GWE)' }),
    visit: Section({
      inactivityTimeout: Int(1800, 60, 86400, 'Server-side visit end after silence, seconds'),
    }),
    ingest: Section({
      maxBatchEvents: Int(100, 1, 1000, 'Events per POST /server/events'),
      maxBodyBytes: Int(262144, 1024, 16_777_216, 'Largest ingest body'),
      maxEventBytes: Int(16384, 256, 1_048_576, 'Largest single event (JSON bytes)'),
      rateLimitPerIpPerMin: Int(3000, 1, 10_000_000, 'Ingest requests per client IP per minute'),
    }),
    api: Section({
      defaultLimit: Int(100, 1, 1000, 'Default page size of History API lists'),
      maxLimit: Int(1000, 1, 10000, 'Largest page size'),
      rateLimitPerKeyPerMin: Int(6000, 1, 10_000_000, 'History API requests per key per minute'),
    }),
    security: Section({
      applicationSecret: Type.String({ default: '', description: 'HMAC key for userIdSignature' }),
      trustProxy: Type.Boolean({ default: false, description: 'Take the client IP from X-Forwarded-For' }),
    }),
    identity: Section({
      requireSignature: Type.Boolean({
        default: false,
        description: 'Reject SignIn/UserInfo without a valid userIdSignature',
      }),
    }),
    cors: Section({
      apiOrigins: Type.Array(Type.String(), {
        default: [],
        description: 'Origins allowed to call /server/data from a browser',
      }),
    }),
    notifications: Section({
      bufferSec: Int(30, 0, 3600, 'Seconds undeliverable messages are kept'),
      maxBufferedPerVisit: Int(20, 0, 1000, 'Undeliverable messages kept per visit'),
      pingSec: Int(25, 1, 300, 'Server ping / SSE keep-alive period'),
    }),
    routing: Section({
      agentInviteTimeoutSec: Int(15, 3, 300, 'Seconds an agent has to accept an invitation'),
      disconnectGraceSec: Int(
        30,
        1,
        3600,
        'Seconds without the desktop stream before an agent is logged out',
      ),
      rejectExclusionSec: Int(
        60,
        0,
        3600,
        'Seconds an agent who rejected or missed an interaction is not offered it again',
      ),
    }),
    chat: Section({
      maxQueueTimeSec: Int(600, 10, 86400, 'Longest wait in queue before the chat ends (queueTimeout)'),
      visitorGoneTimeoutSec: Int(
        120,
        10,
        3600,
        'Seconds without a push connection from the visit before its chat ends',
      ),
    }),
    pacing: Section({
      algorithm: Type.Union([Type.Literal('progressive'), Type.Literal('predictive')], {
        default: 'progressive',
        description: 'Proactive capacity gate (spec/engagement.md §4)',
      }),
      reactiveShare: Type.Number({
        default: 0.3,
        minimum: 0,
        maximum: 1,
        description: 'Share of capacity reserved for reactive chats',
      }),
      optimizationGoal: Type.Number({
        default: 0.03,
        minimum: 0.001,
        maximum: 0.5,
        description: 'Target abandonment rate (predictive)',
      }),
      refreshPeriod: Int(5, 1, 300, 'Seconds between pacing recomputations'),
    }),
    agents: Section({
      sessionTtlSec: Int(43200, 60, 2_592_000, 'Lifetime of an agent or admin login session'),
      loginRateLimitPerMin: Int(10, 1, 1000, 'Failed logins allowed per account and IP per minute'),
    }),
    storage: Section({
      eventRetentionDays: Int(30, 1, 36500, 'Days visits, pages and events are kept after the visit ends'),
      identityRetentionDays: Int(90, 1, 36500, 'Days identities are kept after lastSeen'),
      groupCommitMaxEvents: Int(5000, 1, 100000, 'Most events one store transaction commits'),
      sqliteSynchronous: Type.Union([Type.Literal('full'), Type.Literal('normal')], {
        default: 'full',
        description:
          'SQLite commit durability: full = survives power loss; normal = survives a crash of Beckon only (faster)',
      }),
    }),
    log: Section({
      level: Type.Union(
        ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
        { default: 'info' },
      ),
    }),
    demo: Type.Boolean({ default: false, description: 'Serve the demo site at /demo/' }),
  },
  { additionalProperties: false },
);

export type Config = Static<typeof ConfigSchema>;
export type ConfigInput = { [K in keyof Config]?: Config[K] extends object ? Partial<Config[K]> : Config[K] };

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

function merge(target: Record<string, unknown>, source: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...target };
  for (const [key, value] of Object.entries(source)) {
    const prev = out[key];
    out[key] =
      typeof value === 'object' &&
      value !== null &&
      !Array.isArray(value) &&
      typeof prev === 'object' &&
      prev !== null
        ? merge(prev as Record<string, unknown>, value as Record<string, unknown>)
        : value;
  }
  return out;
}

/** Validates a config object, applies defaults and freezes it. Throws ConfigError naming each bad key. */
export function buildConfig(input: Record<string, unknown> = {}): Readonly<Config> {
  const withDefaults = Value.Default(ConfigSchema, structuredClone(input)) as Record<string, unknown>;
  const errors = [...Value.Errors(ConfigSchema, withDefaults)];
  if (errors.length > 0) {
    const lines = errors.slice(0, 10).map((e) => {
      const at = e.path.replace(/^\//, '').replace(/\//g, '.') || '(root)';
      return e.message.startsWith('Unexpected property')
        ? `unknown option "${at}"`
        : `option "${at}": ${e.message}`;
    });
    throw new ConfigError(`invalid configuration: ${[...new Set(lines)].join('; ')}`);
  }
  const config = withDefaults as Config;
  if (config.api.defaultLimit > config.api.maxLimit) {
    throw new ConfigError(
      `invalid configuration: option "api.defaultLimit" (${config.api.defaultLimit}) exceeds "api.maxLimit" (${config.api.maxLimit})`,
    );
  }
  return deepFreeze(config);
}

function envOverrides(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const int = (name: string, raw: string): number => {
    if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be an integer, got "${raw}"`);
    return Number(raw);
  };
  if (env.BECKON_PORT) out.http = { port: int('BECKON_PORT', env.BECKON_PORT) };
  if (env.BECKON_HOST) out.http = { ...(out.http as object), host: env.BECKON_HOST };
  if (env.BECKON_DATA_DIR) out.dataDir = env.BECKON_DATA_DIR;
  if (env.BECKON_DATABASE_URL) out.databaseUrl = env.BECKON_DATABASE_URL;
  if (env.BECKON_LOG_LEVEL) out.log = { level: env.BECKON_LOG_LEVEL };
  if (env.BECKON_APPLICATION_SECRET) out.security = { applicationSecret: env.BECKON_APPLICATION_SECRET };
  return out;
}

function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config file ${file}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new ConfigError(
      `config file ${file} is not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'}: ${(error as Error).message}`,
    );
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed))
    throw new ConfigError(`config file ${file} must hold an object`);
  return parsed as Record<string, unknown>;
}

/**
 * Loads the configuration of this process: `overrides` (from the command line) win over the environment,
 * which wins over the file named by `BECKON_CONFIG`, which wins over the defaults.
 */
export function loadConfig(
  overrides: Record<string, unknown> = {},
  env: NodeJS.ProcessEnv = process.env,
): Readonly<Config> {
  const file = env.BECKON_CONFIG ? readConfigFile(path.resolve(env.BECKON_CONFIG)) : {};
  return buildConfig(merge(merge(file, envOverrides(env)), overrides));
}
