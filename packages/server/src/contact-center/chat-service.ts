/**
 * Chat messages and typing (spec §7). A message is stored first (server id, per-interaction seq, timestamp,
 * `clientMessageId` idempotency), then fanned out: `gpe.chat message` to the visitor and `EventChatMessage` to
 * the connected agent. Either side catches up with `afterSeq`, so a reconnect loses and repeats nothing.
 * Typing notices are not stored; a party's notices closer than 2 s apart are dropped.
 */
import { BeckonError } from '@beckon/protocol';
import type { AgentStreamHub } from './agent-stream.js';
import { wrongState } from './errors.js';
import type { InteractionStore } from './interaction-store.js';
import { forVisitor, newId } from './interaction-service.js';
import type { InteractionService } from './interaction-service.js';
import type { ChatMessage, ChatParty, ChatTranscript, InteractionRecord } from './types.js';

const TYPING_MIN_INTERVAL_MS = 2000;
export const MAX_TEXT = 4000;
export const PAGE_LIMIT = 500;

export class ChatService {
  readonly #interactions: InteractionService;
  readonly #store: InteractionStore;
  readonly #stream: AgentStreamHub;
  readonly #lastTyping = new Map<string, number>();

  constructor(options: {
    interactions: InteractionService;
    store: InteractionStore;
    stream: AgentStreamHub;
  }) {
    this.#interactions = options.interactions;
    this.#store = options.store;
    this.#stream = options.stream;
  }

  /** Stores and fans out a message; `created: false` when `clientMessageId` was already used by this party. */
  async post(
    rec: InteractionRecord,
    from: ChatParty,
    clientMessageId: string | null,
    text: string,
  ): Promise<{ message: ChatMessage; created: boolean }> {
    if (rec.mediaType !== 'chat') throw wrongState('messages belong to chats only');
    if (typeof text !== 'string' || text.length < 1 || text.length > MAX_TEXT)
      throw new BeckonError('invalidField', `text must be 1–${MAX_TEXT} characters`);
    return this.#interactions.mutex.run(`msg:${rec.interactionId}`, async () => {
      const open = this.#interactions.live.get(rec.interactionId);
      if (!open) {
        const sent =
          clientMessageId === null
            ? null
            : await this.#store.findClientMessage(rec.interactionId, from, clientMessageId);
        if (sent) return { message: sent, created: false };
        throw wrongState('the chat has ended');
      }
      const result = await this.#store.appendMessage({
        id: newId(),
        interactionId: rec.interactionId,
        from,
        text,
        timestamp: this.#interactions.now(),
        clientMessageId,
      });
      if (!result.created) return result;
      this.#interactions.frame(rec.visitID, { type: 'message', message: forVisitor(result.message) });
      if (open.agentId !== null)
        this.#stream.emit(open.agentId, {
          Event: 'EventChatMessage',
          InteractionID: rec.interactionId,
          Message: result.message,
        });
      return result;
    });
  }

  /** Relays a typing notice to the other side (at most one per party per 2 s). */
  typing(rec: InteractionRecord, from: ChatParty, typing: boolean): void {
    if (rec.mediaType !== 'chat' || !this.#interactions.live.has(rec.interactionId)) return;
    const key = `${rec.interactionId}:${from.type}`;
    const now = this.#interactions.now();
    const last = this.#lastTyping.get(key);
    if (typing && last !== undefined && now - last < TYPING_MIN_INTERVAL_MS) return;
    if (typing) this.#lastTyping.set(key, now);
    else this.#lastTyping.delete(key);
    if (from.type === 'agent')
      this.#interactions.frame(rec.visitID, {
        type: 'typing',
        from: { type: 'agent', name: from.name },
        typing,
      });
    else if (rec.agentId !== null)
      this.#stream.emit(rec.agentId, {
        Event: 'EventTyping',
        InteractionID: rec.interactionId,
        From: 'visitor',
        Typing: typing,
      });
  }

  /** Up to 500 messages after `afterSeq`. */
  messages(interactionId: string, afterSeq: number, forVisitorSide: boolean): Promise<ChatMessage[]> {
    return this.#store
      .messages(interactionId, afterSeq, PAGE_LIMIT)
      .then((list) => (forVisitorSide ? list.map(forVisitor) : list));
  }

  /** Chat transcripts of visits, oldest first (spec §7 shape). */
  async transcripts(visitIds: readonly string[]): Promise<ChatTranscript[]> {
    const chats = (await this.#store.visitInteractions(visitIds)).filter((i) => i.mediaType === 'chat');
    return Promise.all(
      chats.map(async (i) => {
        const live = this.#interactions.live.get(i.interactionId) ?? i;
        return {
          interactionId: i.interactionId,
          engagementId: i.engagementId,
          queue: i.queue,
          agentIds: live.agentIds,
          startedAt: i.createdAt,
          connectedAt: live.connectedAt,
          endedAt: live.endedAt,
          reason: live.reason,
          messages: await this.#store.messages(i.interactionId, 0, 100_000),
        };
      }),
    );
  }
}
