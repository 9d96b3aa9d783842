/**
 * Web callbacks (spec §10): the visitor's form (E.164 number, preferred time within 7 days), the wait until the
 * due time, routing like a chat on the callback channel, the agent's `dialled` mark and outcome. `noAnswer` and
 * `busy` reschedule 15 min later, up to 3 attempts in all; any other outcome, or the last attempt, is `done`.
 */
import { BeckonError } from '@beckon/protocol';
import type { AgentStreamHub } from './agent-stream.js';
import { wrongState } from './errors.js';
import type { InteractionService } from './interaction-service.js';
import type { RoutingService } from './routing-service.js';
import type { InteractionRecord } from './types.js';

export const E164 = /^\+[1-9][0-9]{6,14}$/;
export const CALLBACK_OUTCOMES = ['connected', 'noAnswer', 'busy', 'wrongNumber', 'cancelled'] as const;
export type CallbackOutcome = (typeof CALLBACK_OUTCOMES)[number];
const RETRY_MS = 15 * 60_000;
const MAX_ATTEMPTS = 3;
const MAX_AHEAD_MS = 7 * 24 * 3600_000;
/** ISO 8601 date-time with an explicit offset (`Z` or `±hh:mm`). */
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

export class CallbackService {
  readonly #interactions: InteractionService;
  readonly #routing: RoutingService;
  readonly #stream: AgentStreamHub;

  constructor(options: {
    interactions: InteractionService;
    routing: RoutingService;
    stream: AgentStreamHub;
  }) {
    this.#interactions = options.interactions;
    this.#routing = options.routing;
    this.#stream = options.stream;
  }

  /** Validates the form; the callback becomes `scheduled` and the visitor gets `callback {state, at}`. */
  async submit(
    rec: InteractionRecord,
    form: { phoneNumber?: unknown; preferredTime?: unknown; note?: unknown },
  ): Promise<{ state: string; at: number }> {
    if (rec.mediaType !== 'callback') throw wrongState('this interaction is not a callback');
    const now = this.#interactions.now();
    if (typeof form.phoneNumber !== 'string' || !E164.test(form.phoneNumber))
      throw new BeckonError('invalidField', 'phoneNumber must be E.164, e.g. +14155550100');
    let at = now;
    if (form.preferredTime !== undefined && form.preferredTime !== null) {
      const t = typeof form.preferredTime === 'string' ? Date.parse(form.preferredTime) : NaN;
      if (
        typeof form.preferredTime !== 'string' ||
        !ISO_WITH_OFFSET.test(form.preferredTime) ||
        Number.isNaN(t)
      )
        throw new BeckonError('invalidField', 'preferredTime must be ISO 8601 with an offset');
      if (t < now - 60_000 || t > now + MAX_AHEAD_MS)
        throw new BeckonError('invalidField', 'preferredTime must be between now and 7 days ahead');
      at = Math.max(now, t);
    }
    if (form.note !== undefined && (typeof form.note !== 'string' || form.note.length > 4000))
      throw new BeckonError('invalidField', 'note must be a string of at most 4000 characters');
    return this.#interactions.mutex.run(rec.interactionId, async () => {
      const live = this.#interactions.live.get(rec.interactionId);
      if (!live || live.state !== 'requested')
        throw wrongState(`the callback is ${rec.state}, not requested`);
      live.phoneNumber = form.phoneNumber as string;
      live.preferredTime = typeof form.preferredTime === 'string' ? form.preferredTime : null;
      live.note = typeof form.note === 'string' ? form.note : null;
      this.#interactions.cancelTimer(live, 'registration');
      this.#schedule(live, at);
      await this.#interactions.persist(live);
      return { state: 'scheduled', at };
    });
  }

  /** `scheduled` at `at`; routed from then on. */
  #schedule(rec: InteractionRecord, at: number): void {
    rec.state = 'scheduled';
    rec.dueAt = at;
    rec.agentId = null;
    this.#interactions.engagementState(rec, 'scheduled');
    this.#interactions.frame(rec.visitID, { type: 'callback', state: 'scheduled', at });
    this.#interactions.timer(rec, 'due', at, () => {
      if (this.#interactions.live.get(rec.interactionId) === rec && rec.state === 'scheduled')
        this.#interactions.enqueue(rec, false);
    });
  }

  /** Re-arms the due timer of a scheduled callback loaded after a restart. */
  resume(rec: InteractionRecord): void {
    if (rec.state === 'scheduled') this.#schedule(rec, Math.max(this.#interactions.now(), rec.dueAt ?? 0));
  }

  /** The agent marks the callback `dialled` (it places the call with its own telephony). */
  async dialled(agentId: string, interactionId: string): Promise<InteractionRecord> {
    return this.#interactions.mutex.run(interactionId, async () => {
      const rec = this.#connected(agentId, interactionId);
      if (rec.state !== 'scheduled') throw wrongState(`the callback is ${rec.state}, not scheduled`);
      rec.state = 'dialled';
      rec.attempts++;
      this.#interactions.engagementState(rec, 'dialled');
      await this.#interactions.persist(rec);
      this.#interactions.frame(rec.visitID, {
        type: 'callback',
        state: 'dialled',
        at: this.#interactions.now(),
      });
      return rec;
    });
  }

  /** Records the outcome: reschedules `noAnswer` / `busy` (up to 3 attempts), else `done`. */
  async outcome(agentId: string, interactionId: string, code: string, note: string | null): Promise<string> {
    if (!(CALLBACK_OUTCOMES as readonly string[]).includes(code))
      throw new BeckonError('invalidField', `code must be one of ${CALLBACK_OUTCOMES.join(', ')}`);
    const rec = this.#connected(agentId, interactionId);
    if (rec.state !== 'dialled' && rec.state !== 'scheduled')
      throw wrongState(`the callback is ${rec.state}`);
    if (note !== null) rec.note = note;
    if (rec.state === 'scheduled') rec.attempts++; // an outcome without the `dialled` mark still counts
    const retry = (code === 'noAnswer' || code === 'busy') && rec.attempts < MAX_ATTEMPTS;
    if (!retry) {
      await this.#interactions.end(interactionId, 'agent', code);
      return 'done';
    }
    await this.#interactions.mutex.run(interactionId, async () => {
      rec.outcome = code;
      this.#routing.release(agentId, interactionId);
      this.#stream.emit(agentId, {
        Event: 'EventReleased',
        InteractionID: interactionId,
        Reason: 'agent',
        Outcome: code,
      });
      this.#schedule(rec, this.#interactions.now() + RETRY_MS);
      await this.#interactions.persist(rec);
    });
    return 'scheduled';
  }

  #connected(agentId: string, interactionId: string): InteractionRecord {
    const rec = this.#interactions.live.get(interactionId);
    if (
      !rec ||
      rec.mediaType !== 'callback' ||
      this.#routing.involves(agentId, interactionId) !== 'connected'
    )
      throw wrongState(`callback ${interactionId} is not connected with ${agentId}`);
    return rec;
  }
}
