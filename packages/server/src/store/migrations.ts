/**
 * Schema migrations, run on start. Each migration is applied once, in order, inside a transaction, and recorded
 * in `schema_migrations`. Its SQL is split into statements on `;`, except inside `$$`-quoted bodies (DO blocks,
 * functions). The two engines' DDL differ only in placeholders and in dialect-only migrations:
 *
 * - `{serial}`, `{blob}`: the auto-increment key and the byte-string type of each engine.
 * - `{text}`: `TEXT COLLATE "C"` on PostgreSQL, `TEXT` on SQLite. Every text column a migration from 8 on creates
 *   or adds must be declared `{text}`, never `TEXT`: SQLite compares text byte-wise, and so must PostgreSQL, whose
 *   default collation is usually linguistic ('a' < 'B'), or ORDER BY and keyset cursors over ids differ between
 *   engines and from JavaScript's sort. Migrations 1–7 predate it; migration 8 converted their columns.
 * - `dialect`: a migration for one engine only. The other engine skips its SQL but still records it as applied,
 *   so both engines share one version sequence.
 */
import type { SqlDriver } from './sql-driver.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** Runs on this engine only (recorded as applied, without running, on the other). */
  dialect?: SqlDriver['dialect'];
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'event pipeline',
    sql: `
CREATE TABLE visits (
  visit_id TEXT PRIMARY KEY,
  global_visit_id TEXT NOT NULL,
  user_agent TEXT NOT NULL,
  user_agent_id TEXT NOT NULL,
  language_code TEXT,
  referrer TEXT,
  start_date BIGINT NOT NULL,
  last_event_at BIGINT NOT NULL,
  ended_at BIGINT NOT NULL DEFAULT 0,
  page_count INTEGER NOT NULL DEFAULT 0,
  current_identity TEXT,
  current_verified INTEGER,
  current_scope TEXT
);
CREATE INDEX visits_global ON visits (global_visit_id, start_date);
CREATE INDEX visits_start ON visits (start_date, visit_id);
CREATE INDEX visits_last_event ON visits (last_event_at);
CREATE TABLE pages (
  page_id TEXT PRIMARY KEY,
  visit_id TEXT NOT NULL,
  url TEXT NOT NULL,
  title TEXT NOT NULL,
  referrer TEXT NOT NULL,
  start_date BIGINT NOT NULL,
  end_date BIGINT NOT NULL,
  duration_ms BIGINT,
  category TEXT NOT NULL,
  identity_id TEXT
);
CREATE INDEX pages_visit ON pages (visit_id, start_date);
CREATE TABLE events (
  ord {serial},
  event_id TEXT NOT NULL UNIQUE,
  visit_id TEXT NOT NULL,
  page_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  event_name TEXT NOT NULL,
  received_at BIGINT NOT NULL,
  ts BIGINT NOT NULL,
  url TEXT NOT NULL,
  language_code TEXT,
  category TEXT NOT NULL,
  seq INTEGER,
  data TEXT NOT NULL
);
CREATE INDEX events_visit ON events (visit_id, ord);
CREATE INDEX events_page ON events (page_id, ord);
CREATE TABLE identities (
  identity_id TEXT NOT NULL,
  verified INTEGER NOT NULL,
  first_name TEXT,
  last_name TEXT,
  email_address TEXT,
  phone_number TEXT,
  location TEXT,
  attributes TEXT NOT NULL,
  first_seen BIGINT NOT NULL,
  last_seen BIGINT NOT NULL,
  PRIMARY KEY (identity_id, verified)
);
CREATE INDEX identities_location ON identities (location);
CREATE TABLE visit_identities (
  visit_id TEXT NOT NULL,
  identity_id TEXT NOT NULL,
  verified INTEGER NOT NULL,
  scope TEXT NOT NULL,
  associated_at BIGINT NOT NULL,
  PRIMARY KEY (visit_id, identity_id, verified)
);
CREATE INDEX visit_identities_identity ON visit_identities (identity_id, verified);
CREATE TABLE categories (
  name TEXT PRIMARY KEY,
  position BIGINT NOT NULL,
  body TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE api_keys (
  key_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE TABLE applications (
  name TEXT PRIMARY KEY,
  active INTEGER NOT NULL,
  deployed_at BIGINT NOT NULL
);
CREATE TABLE app_resources (
  app_name TEXT NOT NULL,
  path TEXT NOT NULL,
  content {blob} NOT NULL,
  etag TEXT NOT NULL,
  PRIMARY KEY (app_name, path)
);
CREATE TABLE actionable_events (
  actionable_id TEXT PRIMARY KEY,
  visit_id TEXT NOT NULL,
  rule_id TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX actionable_visit ON actionable_events (visit_id, created_at);
CREATE TABLE rule_states (
  visit_id TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  next_deadline BIGINT
);
CREATE INDEX rule_states_deadline ON rule_states (next_deadline);
`,
  },
  {
    version: 2,
    name: 'application DSL',
    sql: `
ALTER TABLE applications ADD COLUMN dsl TEXT
`,
  },
  {
    version: 3,
    name: 'contact center',
    sql: `
CREATE TABLE cc_agents (
  agent_id TEXT PRIMARY KEY,
  body TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE cc_groups (
  name TEXT PRIMARY KEY,
  body TEXT NOT NULL
);
CREATE TABLE cc_queues (
  name TEXT PRIMARY KEY,
  body TEXT NOT NULL
);
CREATE TABLE agent_sessions (
  token_hash TEXT PRIMARY KEY,
  agent_id TEXT NOT NULL,
  csrf TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX agent_sessions_agent ON agent_sessions (agent_id);
CREATE TABLE engagements (
  engagement_id TEXT PRIMARY KEY,
  visit_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  channel TEXT NOT NULL,
  queue TEXT NOT NULL,
  state TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX engagements_visit ON engagements (visit_id, created_at);
CREATE INDEX engagements_state ON engagements (state, queue);
CREATE TABLE interactions (
  interaction_id TEXT PRIMARY KEY,
  engagement_id TEXT NOT NULL,
  visit_id TEXT NOT NULL,
  media_type TEXT NOT NULL,
  queue TEXT NOT NULL,
  state TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  ended_at BIGINT,
  body TEXT NOT NULL
);
CREATE INDEX interactions_visit ON interactions (visit_id, created_at);
CREATE INDEX interactions_state ON interactions (state);
CREATE TABLE chat_messages (
  interaction_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  message_id TEXT NOT NULL,
  client_key TEXT,
  ts BIGINT NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (interaction_id, seq)
);
CREATE UNIQUE INDEX chat_messages_client ON chat_messages (interaction_id, client_key)
`,
  },
  {
    version: 4,
    name: 'drop events_page index',
    sql: `
DROP INDEX events_page
`,
  },
  {
    version: 5,
    name: 'rule packages',
    sql: `
CREATE TABLE rule_packages (
  name TEXT PRIMARY KEY,
  source TEXT NOT NULL,
  deployed_at BIGINT NOT NULL
)
`,
  },
  {
    version: 6,
    name: 'engagement strategy sessions',
    sql: `
CREATE TABLE engagement_sessions (
  engagement_id TEXT PRIMARY KEY,
  strategy TEXT NOT NULL,
  snapshot TEXT NOT NULL,
  outbox TEXT NOT NULL,
  sequence INTEGER NOT NULL,
  deadlines TEXT NOT NULL,
  updated_at BIGINT NOT NULL
)
`,
  },
  {
    version: 7,
    name: 'deployed strategies',
    sql: `
CREATE TABLE strategies (
  name TEXT PRIMARY KEY,
  source TEXT NOT NULL,
  deployed_at BIGINT NOT NULL
)
`,
  },
  {
    // Byte order for every text column of the tables of migrations 1–7 (and schema_migrations), whatever the
    // database's default collation. One ALTER TABLE per table, so each index is rebuilt once; the type stays text,
    // so the table itself is not rewritten.
    version: 8,
    name: 'byte-order text on PostgreSQL',
    dialect: 'postgres',
    sql: `
DO $$
DECLARE
  ddl text;
BEGIN
  FOR ddl IN
    SELECT format('ALTER TABLE %I %s', table_name,
             string_agg(format('ALTER COLUMN %I TYPE {text}', column_name), ', ' ORDER BY ordinal_position))
      FROM information_schema.columns
     WHERE table_schema = current_schema() AND data_type = 'text' AND collation_name IS DISTINCT FROM 'C'
       AND table_name IN ('schema_migrations', 'visits', 'pages', 'events', 'identities', 'visit_identities',
         'categories', 'api_keys', 'applications', 'app_resources', 'actionable_events', 'rule_states', 'cc_agents',
         'cc_groups', 'cc_queues', 'agent_sessions', 'engagements', 'interactions', 'chat_messages', 'rule_packages',
         'engagement_sessions', 'strategies')
     GROUP BY table_name
     ORDER BY table_name
  LOOP
    EXECUTE ddl;
  END LOOP;
END
$$
`,
  },
  {
    // The events table's ids as bytes (id-codec.ts; docs/ingest.md): SQLite keeps the columns, whose TEXT affinity
    // stores blobs as they are, and rewrites the rows stored before; `beckon_id` comes from the connection. The
    // visit index drops `ord`: `ord` is the rowid, which every SQLite index ends with anyway.
    version: 9,
    name: 'event ids as bytes on SQLite',
    dialect: 'sqlite',
    sql: `
UPDATE events SET event_id = beckon_id(event_id), visit_id = beckon_id(visit_id), page_id = beckon_id(page_id)
  WHERE typeof(event_id) = 'text';
DROP INDEX events_visit;
CREATE INDEX events_visit ON events (visit_id)
`,
  },
  {
    // The same on PostgreSQL, with the two functions in SQL (inlined by the planner).
    version: 10,
    name: 'event ids as bytes on PostgreSQL',
    dialect: 'postgres',
    sql: `
CREATE OR REPLACE FUNCTION beckon_id(id text) RETURNS bytea LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE WHEN id ~ '^[0-9A-F]{32}$' THEN decode(id, 'hex')
              WHEN octet_length(id) = 16 THEN convert_to(id, 'UTF8') || '\\x00'::bytea
              ELSE convert_to(id, 'UTF8') END
$$;
CREATE OR REPLACE FUNCTION beckon_text(stored bytea) RETURNS text LANGUAGE sql IMMUTABLE STRICT
  PARALLEL SAFE AS $$
  SELECT CASE WHEN length(stored) = 16 THEN upper(encode(stored, 'hex'))
              WHEN length(stored) = 17 AND get_byte(stored, 16) = 0
                THEN convert_from(substring(stored FROM 1 FOR 16), 'UTF8')
              ELSE convert_from(stored, 'UTF8') END
$$;
ALTER TABLE events ALTER COLUMN event_id TYPE bytea USING beckon_id(event_id),
  ALTER COLUMN visit_id TYPE bytea USING beckon_id(visit_id), ALTER COLUMN page_id TYPE bytea USING beckon_id(page_id)
`,
  },
];

/** Applies pending migrations. Safe to call on every start, and from several nodes (PostgreSQL advisory lock). */
export async function migrate(driver: SqlDriver): Promise<number> {
  const serial = driver.dialect === 'sqlite' ? 'INTEGER PRIMARY KEY' : 'BIGSERIAL PRIMARY KEY';
  const blob = driver.dialect === 'sqlite' ? 'BLOB' : 'BYTEA';
  const text = driver.dialect === 'sqlite' ? 'TEXT' : 'TEXT COLLATE "C"';
  // Under the lock too: concurrent CREATE TABLE IF NOT EXISTS on PostgreSQL can fail with a duplicate pg_type row.
  await driver.transaction(async (tx) => {
    if (driver.dialect === 'postgres') await tx.all('SELECT pg_advisory_xact_lock(8081)');
    await tx.run(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
    );
  });
  let applied = 0;
  for (const migration of migrations) {
    const done = await driver.transaction(async (tx) => {
      if (driver.dialect === 'postgres') await tx.all('SELECT pg_advisory_xact_lock(8081)');
      const rows = await tx.all('SELECT version FROM schema_migrations WHERE version = ?', [
        migration.version,
      ]);
      if (rows.length > 0) return false;
      if (migration.dialect === undefined || migration.dialect === driver.dialect) {
        const ddl = migration.sql
          .replaceAll('{serial}', serial)
          .replaceAll('{blob}', blob)
          .replaceAll('{text}', text);
        for (const statement of statements(ddl)) await tx.run(statement);
      }
      await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
        migration.version,
        migration.name,
        Date.now(),
      ]);
      return true;
    });
    if (done) applied++;
  }
  return applied;
}

/** `sql` split on `;`, except inside `$$`-quoted bodies (the odd parts of the split below); empty ones dropped. */
function statements(sql: string): string[] {
  const list: string[] = [];
  let current = '';
  for (const [i, part] of sql.split(/(\$\$[\s\S]*?\$\$)/).entries()) {
    if (i % 2 === 1) {
      current += part;
      continue;
    }
    const [first, ...rest] = part.split(';');
    current += first;
    for (const piece of rest) {
      list.push(current);
      current = piece;
    }
  }
  list.push(current);
  return list.map((s) => s.trim()).filter(Boolean);
}
