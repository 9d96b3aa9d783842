/**
 * The visitor's presence as the push channel reports it (spec §7): when the last page of a visit disconnects,
 * its open chats end after `chat.visitorGoneTimeoutSec` unless a page comes back; a page that connects gets every
 * open chat of the visit restored (`restore` with the last 50 messages, and its place when queued).
 */
import { forVisitor } from './interaction-service.js';
import type { InteractionService } from './interaction-service.js';
import type { InteractionStore } from './interaction-store.js';
import type { InteractionState } from './types.js';

/** Interaction states in which a chat is still running. */
const CHAT_OPEN: readonly InteractionState[] = ['registration', 'queued', 'connected'];

export class VisitorPresence {
  readonly #interactions: InteractionService;
  readonly #store: InteractionStore;
  readonly #isConnected: (visitId: string) => boolean;

  constructor(options: {
    interactions: InteractionService;
    store: InteractionStore;
    isConnected: (visitId: string) => boolean;
  }) {
    this.#interactions = options.interactions;
    this.#store = options.store;
    this.#isConnected = options.isConnected;
  }

  /** A page's push connection closed: when none is left, the visit's chats start their visitor-gone timer. */
  disconnected(visitId: string): void {
    if (this.#isConnected(visitId)) return;
    const { live, byVisit } = this.#interactions;
    for (const id of byVisit.get(visitId) ?? []) {
      const rec = live.get(id);
      if (rec && rec.mediaType === 'chat') this.#interactions.armVisitorGone(rec);
    }
  }

  /** A page connected: cancel visitor-gone and restore the visit's open chats. */
  async connected(visitId: string): Promise<void> {
    const interactions = this.#interactions;
    for (const id of [...(interactions.byVisit.get(visitId) ?? [])]) {
      const rec = interactions.live.get(id);
      if (!rec || rec.mediaType !== 'chat' || !CHAT_OPEN.includes(rec.state)) continue;
      interactions.cancelTimer(rec, 'visitorGone');
      const messages = await this.#store.lastMessages(id, 50);
      const queue = rec.state === 'queued' ? interactions.queueInfo(id) : null;
      interactions.frame(visitId, {
        type: 'restore',
        interactionId: id,
        token: rec.token,
        state: rec.state,
        mediaType: rec.mediaType,
        messages: messages.map(forVisitor),
        ...(queue ? { queue } : {}),
      });
    }
  }
}
