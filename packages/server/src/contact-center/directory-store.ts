/**
 * SQL access for the contact center's configuration and logins: agent accounts (with their scrypt hash),
 * groups, queues and agent sessions. Portable SQL over the `SqlDriver` port; each record is a JSON body beside
 * its key, so adding a field never needs a migration.
 */
import type { SqlDriver } from '../store/sql-driver.js';
import type { AgentRecord, GroupRecord, QueueRecord } from './types.js';

type Row = Record<string, unknown>;

/** A login session as stored: the token itself is never stored, only its SHA-256. */
export interface AgentSessionRecord {
  tokenHash: string;
  agentId: string;
  csrf: string;
  createdAt: number;
  expiresAt: number;
}

export class DirectoryStore {
  readonly #db: SqlDriver;

  constructor(driver: SqlDriver) {
    this.#db = driver;
  }

  async listAgents(): Promise<AgentRecord[]> {
    const rows = await this.#db.all<Row>('SELECT body FROM cc_agents ORDER BY agent_id');
    return rows.map((r) => JSON.parse(String(r.body)) as AgentRecord);
  }

  async getAgent(agentId: string): Promise<{ agent: AgentRecord; passwordHash: string } | null> {
    const rows = await this.#db.all<Row>('SELECT body, password_hash FROM cc_agents WHERE agent_id = ?', [
      agentId,
    ]);
    const row = rows[0];
    if (!row) return null;
    return { agent: JSON.parse(String(row.body)) as AgentRecord, passwordHash: String(row.password_hash) };
  }

  /** Inserts; false when the agentId exists. */
  async createAgent(agent: AgentRecord, passwordHash: string, now: number): Promise<boolean> {
    return this.#db.transaction(async (tx) => {
      const found = await tx.all('SELECT agent_id FROM cc_agents WHERE agent_id = ?', [agent.agentId]);
      if (found.length > 0) return false;
      await tx.run(
        'INSERT INTO cc_agents (agent_id, body, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
        [agent.agentId, JSON.stringify(agent), passwordHash, now, now],
      );
      return true;
    });
  }

  /** Updates the record and, when given, the password hash; false when unknown. */
  async updateAgent(agent: AgentRecord, passwordHash: string | null, now: number): Promise<boolean> {
    const changed =
      passwordHash === null
        ? await this.#db.run('UPDATE cc_agents SET body = ?, updated_at = ? WHERE agent_id = ?', [
            JSON.stringify(agent),
            now,
            agent.agentId,
          ])
        : await this.#db.run(
            'UPDATE cc_agents SET body = ?, password_hash = ?, updated_at = ? WHERE agent_id = ?',
            [JSON.stringify(agent), passwordHash, now, agent.agentId],
          );
    return changed > 0;
  }

  async deleteAgent(agentId: string): Promise<boolean> {
    return this.#db.transaction(async (tx) => {
      await tx.run('DELETE FROM agent_sessions WHERE agent_id = ?', [agentId]);
      return (await tx.run('DELETE FROM cc_agents WHERE agent_id = ?', [agentId])) > 0;
    });
  }

  async listGroups(): Promise<GroupRecord[]> {
    const rows = await this.#db.all<Row>('SELECT body FROM cc_groups ORDER BY name');
    return rows.map((r) => JSON.parse(String(r.body)) as GroupRecord);
  }

  async putGroup(group: GroupRecord): Promise<boolean> {
    return this.#put('cc_groups', group.name, group);
  }

  async deleteGroup(name: string): Promise<boolean> {
    return (await this.#db.run('DELETE FROM cc_groups WHERE name = ?', [name])) > 0;
  }

  async listQueues(): Promise<QueueRecord[]> {
    const rows = await this.#db.all<Row>('SELECT body FROM cc_queues ORDER BY name');
    return rows.map((r) => JSON.parse(String(r.body)) as QueueRecord);
  }

  /** Creates or replaces; true when created. */
  async putQueue(queue: QueueRecord): Promise<boolean> {
    return this.#put('cc_queues', queue.name, queue);
  }

  async deleteQueue(name: string): Promise<boolean> {
    return (await this.#db.run('DELETE FROM cc_queues WHERE name = ?', [name])) > 0;
  }

  async createSession(session: AgentSessionRecord): Promise<void> {
    await this.#db.run(
      'INSERT INTO agent_sessions (token_hash, agent_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
      [session.tokenHash, session.agentId, session.csrf, session.createdAt, session.expiresAt],
    );
  }

  async findSession(tokenHash: string): Promise<AgentSessionRecord | null> {
    const rows = await this.#db.all<Row>(
      'SELECT token_hash, agent_id, csrf, created_at, expires_at FROM agent_sessions WHERE token_hash = ?',
      [tokenHash],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      tokenHash: String(r.token_hash),
      agentId: String(r.agent_id),
      csrf: String(r.csrf),
      createdAt: Number(r.created_at),
      expiresAt: Number(r.expires_at),
    };
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.#db.run('DELETE FROM agent_sessions WHERE token_hash = ?', [tokenHash]);
  }

  async deleteSessionsOf(agentId: string): Promise<void> {
    await this.#db.run('DELETE FROM agent_sessions WHERE agent_id = ?', [agentId]);
  }

  async #put(table: 'cc_groups' | 'cc_queues', name: string, body: unknown): Promise<boolean> {
    return this.#db.transaction(async (tx) => {
      const updated = await tx.run(`UPDATE ${table} SET body = ? WHERE name = ?`, [
        JSON.stringify(body),
        name,
      ]);
      if (updated > 0) return false;
      await tx.run(`INSERT INTO ${table} (name, body) VALUES (?, ?)`, [name, JSON.stringify(body)]);
      return true;
    });
  }
}
