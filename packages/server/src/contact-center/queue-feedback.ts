/**
 * What a waiting visitor sees (spec §5 rule 6): queue position and estimated wait, sent as `gpe.chat queue`
 * frames when they change, at most every 5 s per chat. The AHT is the mean handle time of the queue's chats
 * ended in the last 60 min (300 s with fewer than 5 samples), kept in memory from the chats this node ended.
 */
import { queuePositions } from '@beckon/core/routing';
import type { InteractionService } from './interaction-service.js';
import type { RoutingService } from './routing-service.js';
import type { Scheduler } from './scheduler.js';

const MIN_INTERVAL_MS = 5000;
const AHT_WINDOW_MS = 60 * 60_000;
const DEFAULT_AHT_SEC = 300;
const MIN_SAMPLES = 5;

interface Sent {
  position: number;
  ewtSec: number;
  at: number;
  pending: (() => void) | null;
}

export interface QueueFeedbackOptions {
  interactions: InteractionService;
  routing: RoutingService;
  now: () => number;
  scheduler: Scheduler;
}

export class QueueFeedback {
  readonly #handled = new Map<string, { at: number; ms: number }[]>();
  readonly #sent = new Map<string, Sent>();
  readonly #o: QueueFeedbackOptions;

  constructor(options: QueueFeedbackOptions) {
    this.#o = options;
  }

  /** Records the handle time of an ended chat. */
  handled(queue: string, ms: number): void {
    let list = this.#handled.get(queue);
    if (!list) this.#handled.set(queue, (list = []));
    list.push({ at: this.#o.now(), ms });
  }

  /** Average handle time of the queue, seconds. */
  ahtSec(queue: string): number {
    const since = this.#o.now() - AHT_WINDOW_MS;
    const list = (this.#handled.get(queue) ?? []).filter((h) => h.at >= since);
    this.#handled.set(queue, list);
    if (list.length < MIN_SAMPLES) return DEFAULT_AHT_SEC;
    return list.reduce((sum, h) => sum + h.ms, 0) / list.length / 1000;
  }

  /** The position and wait last sent for a chat, if any. */
  last(interactionId: string): { position: number; ewtSec: number } | null {
    const sent = this.#sent.get(interactionId);
    return sent ? { position: sent.position, ewtSec: sent.ewtSec } : null;
  }

  /** Recomputes positions and sends the changed ones (throttled). */
  update(): void {
    const { routing, interactions } = this.#o;
    const positions = queuePositions(
      [...routing.waiting.values()],
      routing.routingAgents(),
      routing.queues,
      (q) => this.ahtSec(q),
    );
    for (const [id, sent] of this.#sent)
      if (!routing.waiting.has(id)) {
        sent.pending?.();
        this.#sent.delete(id);
      }
    for (const [interactionId, value] of positions) {
      const rec = interactions.live.get(interactionId);
      if (!rec || rec.mediaType !== 'chat' || rec.state !== 'queued') continue;
      this.#offer(interactionId, rec.visitID, value.position, value.ewtSec);
    }
  }

  #offer(interactionId: string, visitId: string, position: number, ewtSec: number): void {
    const now = this.#o.now();
    const sent = this.#sent.get(interactionId);
    if (sent && sent.position === position && sent.ewtSec === ewtSec) {
      sent.pending?.();
      sent.pending = null;
      return;
    }
    const send = () => {
      const current = this.#sent.get(interactionId);
      if (current) current.pending = null;
      this.#sent.set(interactionId, { position, ewtSec, at: this.#o.now(), pending: null });
      this.#o.interactions.frame(visitId, { type: 'queue', position, ewtSec });
    };
    if (!sent || now - sent.at >= MIN_INTERVAL_MS) {
      sent?.pending?.();
      send();
      return;
    }
    sent.pending?.();
    sent.pending = this.#o.scheduler.at(sent.at + MIN_INTERVAL_MS, send);
  }
}
