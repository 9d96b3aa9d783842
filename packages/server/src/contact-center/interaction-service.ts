/**
 * The life of chats and callbacks once created (spec §2, §5, §7, §10): queueing, accept, end by either side,
 * re-queue when the agent is lost, and everything the two parties see of it — `gpe.chat` frames to the visitor
 * through the NotificationHub and party / release events on the agent stream. Live interactions are kept in
 * memory and every change is written through to the store; routing decisions are the RoutingService's.
 */
import { randomBytes } from 'node:crypto';
import type { Channel } from '@beckon/core/routing';
import type { NotificationHub } from '../notifications/hub.js';
import type { AgentStreamHub } from './agent-stream.js';
import { wrongState } from './errors.js';
import type { InteractionStore } from './interaction-store.js';
import { KeyedMutex } from './keyed-mutex.js';
import type { RoutingService } from './routing-service.js';
import type { Scheduler } from './scheduler.js';
import type { EngagementRecord, InteractionRecord, InteractionState, QueueRecord } from './types.js';

export const newId = (): string => randomBytes(16).toString('hex').toUpperCase();

export interface InteractionServiceOptions {
  now: () => number;
  scheduler: Scheduler;
  store: InteractionStore;
  routing: RoutingService;
  stream: AgentStreamHub;
  hub: NotificationHub;
  visitorGoneTimeoutSec: number;
  maxQueueTimeSec: number;
  registrationExpirySec: number;
  /** Called with every handle time (ms) of an ended connected chat, for the AHT. */
  onHandled?: (queue: string, handleMs: number) => void;
  /** Logs a failed background write. */
  onError?: (error: unknown) => void;
}

export class InteractionService {
  readonly live = new Map<string, InteractionRecord>();
  readonly engagements = new Map<string, EngagementRecord>();
  readonly byVisit = new Map<string, Set<string>>();
  queueRecords: ReadonlyMap<string, QueueRecord> = new Map();
  /** The last `{position, ewtSec}` told to a waiting visitor (for `restore`). */
  queueInfo: (interactionId: string) => { position: number; ewtSec: number } | null = () => null;
  readonly mutex = new KeyedMutex();
  readonly #timers = new Map<string, Map<string, () => void>>();
  readonly #o: InteractionServiceOptions;

  constructor(options: InteractionServiceOptions) {
    this.#o = options;
  }

  get now(): () => number {
    return this.#o.now;
  }

  /** Sends one `gpe.chat` frame to every page of the visit. */
  frame(visitId: string, data: Record<string, unknown>): void {
    this.#o.hub.push(visitId, { channel: 'gpe.chat', data });
  }

  /** Writes an interaction (and its engagement) through to the store (group-committed, latest state wins). */
  persist(rec: InteractionRecord): Promise<void> {
    const engagement = this.engagements.get(rec.engagementId);
    const done = this.#o.store.save(structuredClone(rec), engagement ? structuredClone(engagement) : null);
    done.catch((error: unknown) => this.#o.onError?.(error));
    return done;
  }

  /** Work started by a timer has no caller to report to: its failure goes to `onError`, never unhandled. */
  #background(work: Promise<unknown>): void {
    work.catch((error: unknown) => this.#o.onError?.(error));
  }

  /** Moves the interaction's engagement to `state` (with history). */
  engagementState(rec: InteractionRecord, state: string, reason: string | null = null): void {
    const e = this.engagements.get(rec.engagementId);
    if (!e || e.state === state) return;
    const at = this.#o.now();
    e.state = state;
    e.history.push({ state, at, reason });
    if (state === 'queued' && e.queuedAt === null) e.queuedAt = at;
    if (state === 'connected' && e.connectedAt === null) e.connectedAt = at;
    if (state === 'ended' || state === 'done') {
      e.endedAt = at;
      e.reason = reason;
    }
  }

  /** Creates a chat or callback for an accepted engagement (reactive now; `chat.start` / `callback.create` later). */
  async create(
    engagement: EngagementRecord,
    input: {
      mediaType: Channel;
      queue: string;
      priority: number;
      identityId: string | null;
      /** Registration values known from the visit's identity (`firstName`, `emailAddress`, ...). */
      prefill?: Record<string, string>;
    },
  ): Promise<InteractionRecord> {
    const now = this.#o.now();
    const rec: InteractionRecord = {
      interactionId: newId(),
      engagementId: engagement.engagementId,
      mediaType: input.mediaType,
      queue: input.queue,
      priority: input.priority,
      state: input.mediaType === 'chat' ? 'queued' : 'requested',
      visitID: engagement.visitID,
      pageID: engagement.pageID,
      identityId: input.identityId,
      webengagement: engagement.kind,
      engagementName: engagement.name,
      ruleId: engagement.ruleId,
      token: randomBytes(24).toString('base64url'),
      createdAt: now,
      enqueuedAt: null,
      connectedAt: null,
      endedAt: null,
      reason: null,
      agentId: null,
      agentIds: [],
      registration: null,
      phoneNumber: null,
      preferredTime: null,
      note: null,
      dueAt: null,
      attempts: 0,
      outcome: null,
    };
    engagement.interactionId = rec.interactionId;
    this.engagements.set(engagement.engagementId, engagement);
    this.live.set(rec.interactionId, rec);
    let visit = this.byVisit.get(rec.visitID);
    if (!visit) this.byVisit.set(rec.visitID, (visit = new Set()));
    visit.add(rec.interactionId);
    // The form is skipped when the visit's identity already answers every required field (spec §2).
    const prefill = input.prefill ?? {};
    const fields = (this.queueRecords.get(rec.queue)?.registration ?? []).map((f) =>
      prefill[f.name] !== undefined ? { ...f, value: prefill[f.name] } : f,
    );
    if (input.mediaType === 'chat' && fields.length > 0) {
      if (fields.every((f) => !f.required || prefill[f.name] !== undefined))
        rec.registration = Object.fromEntries(
          fields.filter((f) => prefill[f.name] !== undefined).map((f) => [f.name, prefill[f.name]!]),
        );
      else rec.state = 'registration';
    }
    this.engagementState(rec, rec.state);
    await this.persist(rec);
    this.frame(rec.visitID, {
      type: 'started',
      interactionId: rec.interactionId,
      token: rec.token,
      queue: rec.queue,
      mediaType: rec.mediaType,
    });
    if (rec.state === 'registration') {
      const expiresInSec = this.#o.registrationExpirySec;
      this.frame(rec.visitID, { type: 'registration', fields, expiresInSec });
      this.timer(
        rec,
        'registration',
        now + expiresInSec * 1000,
        () => void this.end(rec.interactionId, 'registrationExpired'),
      );
    } else if (rec.state === 'queued') {
      this.enqueue(rec, false);
    }
    if (rec.mediaType === 'chat' && !this.#o.hub.isConnected(rec.visitID)) this.armVisitorGone(rec);
    return rec;
  }

  /** Puts a chat in the routing queue (state `queued`), or a due callback (state stays `scheduled`). */
  enqueue(rec: InteractionRecord, requeue: boolean): void {
    const now = this.#o.now();
    rec.enqueuedAt ??= now;
    if (rec.mediaType === 'chat') {
      rec.state = 'queued';
      this.engagementState(rec, 'queued');
      const limitSec = this.queueRecords.get(rec.queue)?.maxQueueTimeSec ?? this.#o.maxQueueTimeSec;
      const deadline = (requeue ? now : rec.enqueuedAt) + limitSec * 1000;
      this.timer(rec, 'queue', deadline, () => {
        if (rec.state === 'queued') this.#background(this.end(rec.interactionId, 'queueTimeout'));
      });
    }
    void this.persist(rec);
    this.#o.routing.enqueue({
      interactionId: rec.interactionId,
      queue: rec.queue,
      channel: rec.mediaType,
      priority: rec.priority,
      enqueuedAt: rec.enqueuedAt,
    });
  }

  /** Arms (replacing) a named timer of an interaction. */
  timer(rec: InteractionRecord, name: string, at: number, task: () => void): void {
    let timers = this.#timers.get(rec.interactionId);
    if (!timers) this.#timers.set(rec.interactionId, (timers = new Map()));
    timers.get(name)?.();
    timers.set(
      name,
      this.#o.scheduler.at(at, () => {
        timers.delete(name);
        task();
      }),
    );
  }

  cancelTimer(rec: InteractionRecord, name: string): void {
    const timers = this.#timers.get(rec.interactionId);
    timers?.get(name)?.();
    timers?.delete(name);
  }

  /** A live interaction the agent is offered or connected with, else 409 / 404. */
  forAgent(agentId: string, interactionId: string): InteractionRecord {
    const rec = this.live.get(interactionId);
    if (!rec || this.#o.routing.involves(agentId, interactionId) === null)
      throw wrongState(`interaction ${interactionId} is not offered to or connected with ${agentId}`);
    return rec;
  }

  /** The agent accepts its invitation: `EventPartyAdded`, the chat is `connected`. */
  async accept(agentId: string, name: string, interactionId: string): Promise<InteractionRecord> {
    return this.mutex.run(interactionId, async () => {
      const rec = this.live.get(interactionId);
      if (!rec) throw wrongState(`interaction ${interactionId} is not offered to ${agentId}`);
      this.#o.routing.accept(agentId, interactionId);
      const now = this.#o.now();
      rec.agentId = agentId;
      if (!rec.agentIds.includes(agentId)) rec.agentIds.push(agentId);
      this.cancelTimer(rec, 'queue');
      if (rec.mediaType === 'chat') {
        rec.state = 'connected';
        rec.connectedAt ??= now;
        this.engagementState(rec, 'connected');
      }
      await this.persist(rec);
      this.#o.stream.emit(agentId, {
        Event: 'EventPartyAdded',
        InteractionID: interactionId,
        Party: { Type: 'agent', ID: agentId, Name: name },
      });
      if (rec.mediaType === 'chat') this.frame(rec.visitID, { type: 'agentJoined', name });
      return rec;
    });
  }

  /**
   * Ends an interaction for good: out of the queue, released from its agent (`EventPartyRemoved` when the
   * visitor left, then `EventReleased`), `ended` frame to the visitor.
   */
  async end(interactionId: string, reason: string, outcome: string | null = null): Promise<void> {
    await this.mutex.run(interactionId, async () => {
      const rec = this.live.get(interactionId);
      if (!rec) return;
      const now = this.#o.now();
      this.live.delete(interactionId);
      this.byVisit.get(rec.visitID)?.delete(interactionId);
      for (const cancel of this.#timers.get(interactionId)?.values() ?? []) cancel();
      this.#timers.delete(interactionId);
      // An invitation still open is revoked: the visitor left, or the chat timed out in the queue.
      this.#o.routing.withdraw(
        interactionId,
        reason === 'queueTimeout' || reason === 'registrationExpired' ? 'timeout' : 'visitorLeft',
      );
      const terminal: InteractionState = rec.mediaType === 'chat' ? 'ended' : 'done';
      rec.state = terminal;
      rec.endedAt = now;
      rec.reason = reason;
      if (outcome !== null) rec.outcome = outcome;
      this.engagementState(rec, terminal, reason);
      const e = this.engagements.get(rec.engagementId);
      if (e && outcome !== null) e.outcome = outcome;
      await this.persist(rec);
      this.engagements.delete(rec.engagementId);
      const agentId = rec.agentId;
      if (agentId !== null) {
        if (reason === 'visitorClosed' || reason === 'visitorGone')
          this.#o.stream.emit(agentId, {
            Event: 'EventPartyRemoved',
            InteractionID: interactionId,
            Party: { Type: 'visitor', ID: rec.visitID, Name: 'visitor' },
            Reason: reason,
          });
        this.#o.stream.emit(agentId, {
          Event: 'EventReleased',
          InteractionID: interactionId,
          Reason: reason,
          ...(outcome !== null ? { Outcome: outcome } : {}),
        });
        this.#o.routing.release(agentId, interactionId);
        if (rec.mediaType === 'chat' && rec.connectedAt !== null)
          this.#o.onHandled?.(rec.queue, now - rec.connectedAt);
      }
      if (rec.mediaType === 'chat') {
        if (agentId !== null && reason === 'agent') this.frame(rec.visitID, { type: 'agentLeft' });
        this.frame(rec.visitID, { type: 'ended', reason });
      } else this.frame(rec.visitID, { type: 'callback', state: 'done', at: now });
    });
  }

  /** The agent was logged out while connected: back to the queue at its original place (spec §5 rule 5). */
  agentLost(interactionId: string, agentId: string): void {
    const rec = this.live.get(interactionId);
    if (!rec || rec.agentId !== agentId) return;
    rec.agentId = null;
    this.#o.stream.emit(agentId, {
      Event: 'EventPartyRemoved',
      InteractionID: interactionId,
      Party: { Type: 'agent', ID: agentId, Name: agentId },
      Reason: 'requeued',
    });
    if (rec.mediaType === 'chat') this.frame(rec.visitID, { type: 'agentLeft' });
    this.enqueue(rec, true);
  }

  /** Ends the chat `visitorGone` unless a page of the visit connects within `chat.visitorGoneTimeoutSec`. */
  armVisitorGone(rec: InteractionRecord): void {
    this.timer(rec, 'visitorGone', this.#o.now() + this.#o.visitorGoneTimeoutSec * 1000, () => {
      if (!this.#o.hub.isConnected(rec.visitID)) this.#background(this.end(rec.interactionId, 'visitorGone'));
    });
  }

  /** Stops every timer (shutdown). */
  stop(): void {
    for (const timers of this.#timers.values()) for (const cancel of timers.values()) cancel();
    this.#timers.clear();
  }
}

/** Visitors see agents by display name only (spec §7). */
export function forVisitor<T extends { from: { type: string; id: string | null } }>(message: T): T {
  return message.from.type === 'agent' ? { ...message, from: { ...message.from, id: null } } : message;
}
