/**
 * SQL access for engagements, interactions and chat messages. A chat message is acknowledged only after this
 * store has committed it (spec §7); `appendMessage` assigns the per-interaction `seq` and enforces
 * `clientMessageId` idempotency with a unique index, inside one transaction.
 */
import type { SqlDriver, SqlExecutor } from '../store/sql-driver.js';
import type { ChatMessage, EngagementRecord, InteractionRecord } from './types.js';

type Row = Record<string, unknown>;
const keyOf = (from: ChatMessage['from'], clientMessageId: string): string =>
  `${from.type}:${from.id ?? ''}:${clientMessageId}`;
const body = <T>(r: Row): T => JSON.parse(String(r.body)) as T;

const MAX_BATCH = 500;

type Appended = { message: ChatMessage; created: boolean };

/** Appends drafts in order inside one transaction: idempotency lookups, then per-interaction seqs. */
async function appendAll(tx: SqlExecutor, drafts: readonly Omit<ChatMessage, 'seq'>[]): Promise<Appended[]> {
  const out: Appended[] = [];
  const seqs = new Map<string, number>();
  const seen = new Map<string, ChatMessage>();
  for (const draft of drafts) {
    const clientKey = draft.clientMessageId === null ? null : keyOf(draft.from, draft.clientMessageId);
    const batchKey = `${draft.interactionId}\u0000${clientKey}`;
    if (clientKey !== null) {
      const earlier = seen.get(batchKey);
      if (earlier) {
        out.push({ message: earlier, created: false });
        continue;
      }
      const found = await tx.all<Row>(
        'SELECT body FROM chat_messages WHERE interaction_id = ? AND client_key = ?',
        [draft.interactionId, clientKey],
      );
      if (found[0]) {
        out.push({ message: body<ChatMessage>(found[0]), created: false });
        continue;
      }
    }
    let seq = seqs.get(draft.interactionId);
    if (seq === undefined) {
      const max = await tx.all<Row>('SELECT MAX(seq) AS m FROM chat_messages WHERE interaction_id = ?', [
        draft.interactionId,
      ]);
      seq = Number(max[0]?.m ?? 0);
    }
    seq++;
    seqs.set(draft.interactionId, seq);
    const message: ChatMessage = { ...draft, seq };
    await tx.run(
      'INSERT INTO chat_messages (interaction_id, seq, message_id, client_key, ts, body) VALUES (?, ?, ?, ?, ?, ?)',
      [draft.interactionId, seq, draft.id, clientKey, draft.timestamp, JSON.stringify(message)],
    );
    if (clientKey !== null) seen.set(batchKey, message);
    out.push({ message, created: true });
  }
  return out;
}

async function upsertEngagement(tx: SqlExecutor, e: EngagementRecord): Promise<void> {
  await tx.run(
    `INSERT INTO engagements (engagement_id, visit_id, kind, channel, queue, state, created_at, body)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (engagement_id) DO UPDATE SET visit_id = excluded.visit_id, kind = excluded.kind,
       channel = excluded.channel, queue = excluded.queue, state = excluded.state,
       created_at = excluded.created_at, body = excluded.body`,
    [e.engagementId, e.visitID, e.kind, e.channel, e.queue, e.state, e.createdAt, JSON.stringify(e)],
  );
}

async function upsertInteraction(tx: SqlExecutor, i: InteractionRecord): Promise<void> {
  await tx.run(
    `INSERT INTO interactions (interaction_id, engagement_id, visit_id, media_type, queue, state, created_at, ended_at, body)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (interaction_id) DO UPDATE SET engagement_id = excluded.engagement_id,
       visit_id = excluded.visit_id, media_type = excluded.media_type, queue = excluded.queue,
       state = excluded.state, created_at = excluded.created_at, ended_at = excluded.ended_at, body = excluded.body`,
    [
      i.interactionId,
      i.engagementId,
      i.visitID,
      i.mediaType,
      i.queue,
      i.state,
      i.createdAt,
      i.endedAt,
      JSON.stringify(i),
    ],
  );
}

export class InteractionStore {
  readonly #db: SqlDriver;
  readonly #pending: {
    draft: Omit<ChatMessage, 'seq'>;
    resolve: (result: Appended) => void;
    reject: (error: unknown) => void;
  }[] = [];
  readonly #dirty = new Map<
    string,
    {
      interaction: InteractionRecord;
      engagement: EngagementRecord | null;
      waiters: { resolve: () => void; reject: (error: unknown) => void }[];
    }
  >();
  #flushing = false;

  constructor(driver: SqlDriver) {
    this.#db = driver;
  }

  /** Inserts or replaces an engagement. */
  async saveEngagement(e: EngagementRecord): Promise<void> {
    await upsertEngagement(this.#db, e);
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

  /**
   * Writes an interaction and its engagement. Saves arriving together share one transaction (group commit), and
   * a record saved again before its turn is written once, in its latest state; each promise resolves after the
   * commit that holds its state.
   */
  save(interaction: InteractionRecord, engagement: EngagementRecord | null): Promise<void> {
    return new Promise((resolve, reject) => {
      const entry = this.#dirty.get(interaction.interactionId);
      if (entry) {
        entry.interaction = interaction;
        entry.engagement = engagement ?? entry.engagement;
        entry.waiters.push({ resolve, reject });
      } else
        this.#dirty.set(interaction.interactionId, {
          interaction,
          engagement,
          waiters: [{ resolve, reject }],
        });
      this.#kick();
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
   * message and `created: false` instead. Appends arriving together are committed in one transaction (group
   * commit: one fsync for many chats); each promise resolves only after its commit.
   */
  appendMessage(draft: Omit<ChatMessage, 'seq'>): Promise<{ message: ChatMessage; created: boolean }> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ draft, resolve, reject });
      this.#kick();
    });
  }

  #kick(): void {
    if (this.#flushing) return;
    this.#flushing = true;
    setImmediate(() => void this.#flush());
  }

  async #flush(): Promise<void> {
    while (this.#dirty.size > 0) {
      const batch = [...this.#dirty.values()];
      this.#dirty.clear();
      try {
        await this.#db.transaction(async (tx) => {
          for (const { interaction, engagement } of batch) {
            await upsertInteraction(tx, interaction);
            if (engagement) await upsertEngagement(tx, engagement);
          }
        });
        for (const entry of batch) for (const w of entry.waiters) w.resolve();
      } catch (error) {
        for (const entry of batch) for (const w of entry.waiters) w.reject(error);
      }
    }
    while (this.#pending.length > 0) {
      const batch = this.#pending.splice(0, MAX_BATCH);
      try {
        const results = await this.#db.transaction((tx) =>
          appendAll(
            tx,
            batch.map((p) => p.draft),
          ),
        );
        batch.forEach((p, i) => p.resolve(results[i]!));
      } catch {
        // One bad append must not fail its neighbours: retry each alone.
        for (const p of batch)
          await this.#db.transaction((tx) => appendAll(tx, [p.draft])).then(([r]) => p.resolve(r!), p.reject);
      }
    }
    this.#flushing = false;
    if (this.#dirty.size > 0 || this.#pending.length > 0) this.#kick();
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
