/**
 * Durable state of proactive engagements: the engagement record (table `engagements`, shared with the contact
 * center) and, beside it, the strategy session row — snapshot, the macrostep's `beckon` sends not yet performed
 * (outbox), the idempotency sequence and the server deadlines. Both are written in one transaction, so a restart
 * resumes exactly where the last committed macrostep left off (spec/engagement.md §3 Durability).
 */
import type { BeckonAction, SessionSnapshot } from '@beckon/core/scxml';
import type { EngagementRecord } from '../contact-center/types.js';
import type { SqlDriver, SqlExecutor } from '../store/sql-driver.js';

/** Server-side timers of an engagement, as absolute times (ms). */
export interface Deadlines {
  /** Invitation deadline: `invitedAt + (timeoutSec + 5) s`. */
  inviteDueAt: number | null;
}

/** One stored strategy session. */
export interface SessionRow {
  engagementId: string;
  strategy: string;
  snapshot: SessionSnapshot;
  outbox: BeckonAction[];
  sequence: number;
  deadlines: Deadlines;
}

async function upsertEngagement(tx: SqlExecutor, e: EngagementRecord): Promise<void> {
  await tx.run(
    `INSERT INTO engagements (engagement_id, visit_id, kind, channel, queue, state, created_at, body)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (engagement_id) DO UPDATE SET state = excluded.state, queue = excluded.queue, body = excluded.body`,
    [e.engagementId, e.visitID, e.kind, e.channel, e.queue, e.state, e.createdAt, JSON.stringify(e)],
  );
}

export class EngagementSessionStore {
  constructor(private readonly db: SqlDriver) {}

  /** Writes the record alone (no session: admission failures, or the session has ended). */
  async saveRecord(e: EngagementRecord): Promise<void> {
    await this.db.transaction((tx) => upsertEngagement(tx, e));
  }

  /**
   * Writes the record and its session row together. `withRecord: false` when the record is written elsewhere
   * (once a chat or callback exists, the contact center's ordered writes carry it).
   */
  async save(e: EngagementRecord, row: SessionRow, now: number, withRecord = true): Promise<void> {
    await this.db.transaction(async (tx) => {
      if (withRecord) await upsertEngagement(tx, e);
      await tx.run(
        `INSERT INTO engagement_sessions (engagement_id, strategy, snapshot, outbox, sequence, deadlines, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (engagement_id) DO UPDATE SET snapshot = excluded.snapshot, outbox = excluded.outbox,
           sequence = excluded.sequence, deadlines = excluded.deadlines, updated_at = excluded.updated_at`,
        [
          row.engagementId,
          row.strategy,
          JSON.stringify(row.snapshot),
          JSON.stringify(row.outbox),
          row.sequence,
          JSON.stringify(row.deadlines),
          now,
        ],
      );
    });
  }

  /** Removes a finished session, writing the final record in the same transaction. */
  async finish(e: EngagementRecord, withRecord = true): Promise<void> {
    await this.db.transaction(async (tx) => {
      if (withRecord) await upsertEngagement(tx, e);
      await tx.run('DELETE FROM engagement_sessions WHERE engagement_id = ?', [e.engagementId]);
    });
  }

  async sessions(): Promise<SessionRow[]> {
    const rows = await this.db.all<Record<string, unknown>>(
      'SELECT engagement_id, strategy, snapshot, outbox, sequence, deadlines FROM engagement_sessions',
    );
    return rows.map((r) => ({
      engagementId: String(r['engagement_id']),
      strategy: String(r['strategy']),
      snapshot: JSON.parse(String(r['snapshot'])) as SessionSnapshot,
      outbox: JSON.parse(String(r['outbox'])) as BeckonAction[],
      sequence: Number(r['sequence']),
      deadlines: JSON.parse(String(r['deadlines'])) as Deadlines,
    }));
  }

  async get(engagementId: string): Promise<EngagementRecord | null> {
    const rows = await this.db.all<{ body: string }>('SELECT body FROM engagements WHERE engagement_id = ?', [
      engagementId,
    ]);
    return rows[0] ? (JSON.parse(rows[0].body) as EngagementRecord) : null;
  }

  async ofVisit(visitId: string): Promise<EngagementRecord[]> {
    const rows = await this.db.all<{ body: string }>(
      'SELECT body FROM engagements WHERE visit_id = ? ORDER BY created_at, engagement_id',
      [visitId],
    );
    return rows.map((r) => JSON.parse(r.body) as EngagementRecord);
  }

  /** Engagements created in `[from, to)`. */
  async createdBetween(from: number, to: number): Promise<EngagementRecord[]> {
    const rows = await this.db.all<{ body: string }>(
      'SELECT body FROM engagements WHERE created_at >= ? AND created_at < ?',
      [from, to],
    );
    return rows.map((r) => JSON.parse(r.body) as EngagementRecord);
  }
}
