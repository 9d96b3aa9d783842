/**
 * SQL access for engagements, interactions and chat messages. A chat message is acknowledged only after this
 * store has committed it (spec §7); `appendMessage` assigns the per-interaction `seq` and enforces
 * `clientMessageId` idempotency with a unique index, inside one transaction.
 */
import type { SqlDriver } from '../store/sql-driver.js';
import type { ChatMessage, EngagementRecord, InteractionRecord } from './types.js';

type Row = Record<string, unknown>;
const keyOf = (from: ChatMessage['from'], clientMessageId: string): string =>
  `${from.type}:${from.id ?? ''}:${clientMessageId}`;
const body = <T>(r: Row): T => JSON.parse(String(r.body)) as T;

export class InteractionStore {
  readonly #db: SqlDriver;

  constructor(driver: SqlDriver) {
    this.#db = driver;
  }

  async saveEngagement(e: EngagementRecord): Promise<void> {
    const params = [e.visitID, e.kind, e.channel, e.queue, e.state, e.createdAt, JSON.stringify(e)];
    await this.#db.transaction(async (tx) => {
      const updated = await tx.run(
        'UPDATE engagements SET visit_id = ?, kind = ?, channel = ?, queue = ?, state = ?, created_at = ?, body = ? WHERE engagement_id = ?',
        [...params, e.engagementId],
      );
      if (updated === 0)
        await tx.run(
          'INSERT INTO engagements (visit_id, kind, channel, queue, state, created_at, body, engagement_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
          [...params, e.engagementId],
        );
    });
  }

  async getEngagement(engagementId: string): Promise<EngagementRecord | null> {
    const rows = await this.#db.all<Row>('SELECT body FROM engagements WHERE engagement_id = ?', [
      engagementId,
    ]);
    return rows[0] ? body<EngagementRecord>(rows[0]) : null;
  }

  async visitEngagements(visitId: string): Promise<EngagementRecord[]> {
    const rows = await this.#db.all<Row>(
      'SELECT body FROM engagements WHERE visit_id = ? ORDER BY created_at, engagement_id',
      [visitId],
    );
    return rows.map((r) => body<EngagementRecord>(r));
  }

  /** Engagements created since `since` (pacing windows). */
  async engagementsSince(since: number): Promise<EngagementRecord[]> {
    const rows = await this.#db.all<Row>('SELECT body FROM engagements WHERE created_at >= ?', [since]);
    return rows.map((r) => body<EngagementRecord>(r));
  }

  /** Engagements in one of `states`, for pacing (`P`) and strict mode. */
  async engagementsIn(states: readonly string[]): Promise<EngagementRecord[]> {
    if (states.length === 0) return [];
    const rows = await this.#db.all<Row>(
      `SELECT body FROM engagements WHERE state IN (${states.map(() => '?').join(', ')})`,
      [...states],
    );
    return rows.map((r) => body<EngagementRecord>(r));
  }

  async saveInteraction(i: InteractionRecord): Promise<void> {
    const params = [
      i.engagementId,
      i.visitID,
      i.mediaType,
      i.queue,
      i.state,
      i.createdAt,
      i.endedAt,
      JSON.stringify(i),
    ];
    await this.#db.transaction(async (tx) => {
      const updated = await tx.run(
        'UPDATE interactions SET engagement_id = ?, visit_id = ?, media_type = ?, queue = ?, state = ?, created_at = ?, ended_at = ?, body = ? WHERE interaction_id = ?',
        [...params, i.interactionId],
      );
      if (updated === 0)
        await tx.run(
          'INSERT INTO interactions (engagement_id, visit_id, media_type, queue, state, created_at, ended_at, body, interaction_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
          [...params, i.interactionId],
        );
    });
  }

  async getInteraction(interactionId: string): Promise<InteractionRecord | null> {
    const rows = await this.#db.all<Row>('SELECT body FROM interactions WHERE interaction_id = ?', [
      interactionId,
    ]);
    return rows[0] ? body<InteractionRecord>(rows[0]) : null;
  }

  /** Interactions not ended, for recovery after a restart. */
  async openInteractions(): Promise<InteractionRecord[]> {
    const rows = await this.#db.all<Row>(
      "SELECT body FROM interactions WHERE state NOT IN ('ended', 'done') ORDER BY created_at",
    );
    return rows.map((r) => body<InteractionRecord>(r));
  }

  async visitInteractions(visitIds: readonly string[]): Promise<InteractionRecord[]> {
    if (visitIds.length === 0) return [];
    const rows = await this.#db.all<Row>(
      `SELECT body FROM interactions WHERE visit_id IN (${visitIds.map(() => '?').join(', ')}) ORDER BY created_at, interaction_id`,
      [...visitIds],
    );
    return rows.map((r) => body<InteractionRecord>(r));
  }

  /** Handle times (ms) of the queue's chats ended since `since`, for the EWT's AHT. */
  async handleTimes(queue: string, since: number): Promise<number[]> {
    const rows = await this.#db.all<Row>(
      "SELECT body FROM interactions WHERE queue = ? AND media_type = 'chat' AND state = 'ended' AND ended_at >= ?",
      [queue, since],
    );
    return rows
      .map((r) => body<InteractionRecord>(r))
      .filter((i) => i.connectedAt !== null && i.endedAt !== null)
      .map((i) => i.endedAt! - i.connectedAt!);
  }

  /**
   * Stores a message with the next seq; when `(from, clientMessageId)` was already used, returns the stored
   * message and `created: false` instead.
   */
  async appendMessage(draft: Omit<ChatMessage, 'seq'>): Promise<{ message: ChatMessage; created: boolean }> {
    const clientKey = draft.clientMessageId === null ? null : keyOf(draft.from, draft.clientMessageId);
    return this.#db.transaction(async (tx) => {
      if (clientKey !== null) {
        const found = await tx.all<Row>(
          'SELECT body FROM chat_messages WHERE interaction_id = ? AND client_key = ?',
          [draft.interactionId, clientKey],
        );
        if (found[0]) return { message: body<ChatMessage>(found[0]), created: false };
      }
      const max = await tx.all<Row>('SELECT MAX(seq) AS m FROM chat_messages WHERE interaction_id = ?', [
        draft.interactionId,
      ]);
      const seq = Number(max[0]?.m ?? 0) + 1;
      const message: ChatMessage = { ...draft, seq };
      await tx.run(
        'INSERT INTO chat_messages (interaction_id, seq, message_id, client_key, ts, body) VALUES (?, ?, ?, ?, ?, ?)',
        [draft.interactionId, seq, draft.id, clientKey, draft.timestamp, JSON.stringify(message)],
      );
      return { message, created: true };
    });
  }

  /** The message a party already sent with this `clientMessageId`, if any. */
  async findClientMessage(
    interactionId: string,
    from: ChatMessage['from'],
    clientMessageId: string,
  ): Promise<ChatMessage | null> {
    const rows = await this.#db.all<Row>(
      'SELECT body FROM chat_messages WHERE interaction_id = ? AND client_key = ?',
      [interactionId, keyOf(from, clientMessageId)],
    );
    return rows[0] ? body<ChatMessage>(rows[0]) : null;
  }

  /** Up to `limit` messages with `seq > afterSeq`, in order. */
  async messages(interactionId: string, afterSeq: number, limit: number): Promise<ChatMessage[]> {
    const rows = await this.#db.all<Row>(
      'SELECT body FROM chat_messages WHERE interaction_id = ? AND seq > ? ORDER BY seq LIMIT ?',
      [interactionId, afterSeq, limit],
    );
    return rows.map((r) => body<ChatMessage>(r));
  }

  /** The last `limit` messages, in order (for `restore`). */
  async lastMessages(interactionId: string, limit: number): Promise<ChatMessage[]> {
    const rows = await this.#db.all<Row>(
      'SELECT body FROM chat_messages WHERE interaction_id = ? ORDER BY seq DESC LIMIT ?',
      [interactionId, limit],
    );
    return rows.map((r) => body<ChatMessage>(r)).reverse();
  }
}
