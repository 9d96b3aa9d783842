/**
 * An engagement while the service hosts it: the §1 record (spec/engagement.md) plus its strategy session, the
 * session's outbox and the sends not yet performed, the server deadlines and timers. Also the record helpers —
 * creation from an actionable event and state transitions with history — shared by the engine and the actions.
 */
import { BeckonOutbox } from '@beckon/core/scxml';
import type { BeckonAction, ScxmlSession, SessionSnapshot } from '@beckon/core/scxml';
import type { ActionableEvent } from '@beckon/core/rules';
import { newId } from '../contact-center/interaction-service.js';
import type { EngagementRecord, InteractionRecord } from '../contact-center/types.js';
import type { Deadlines } from './session-store.js';

/** States after which no invitation can follow (the session is closed 60 s after its last event). */
export const TERMINAL_STATES = new Set(['refused', 'timedOut', 'expired', 'cancelled', 'ended', 'done']);
/** States a strategy ending or failing turns into `cancelled`. */
export const PRE_ACCEPT = new Set(['qualified', 'evaluating', 'invited']);

/** One engagement with a running (or just ended) strategy session. */
export interface LiveEngagement {
  e: EngagementRecord;
  strategy: string;
  session: ScxmlSession | null;
  outbox: BeckonOutbox;
  snapshot: SessionSnapshot | null;
  /** Sends committed but not yet performed, in order. */
  pending: BeckonAction[];
  deadlines: Deadlines;
  /** An `invite` is in the outbox: counts in pacing's `P` at once. */
  pendingInvite: boolean;
  /** Idempotency key of the performed invite (a retried send succeeds). */
  inviteKey: string | null;
  timers: Map<string, () => void>;
  /** The chat or callback of the engagement (the contact center's live object). */
  interaction: InteractionRecord | null;
  /** Writes and sends of this engagement run one after the other. */
  chain: Promise<void>;
  ended: boolean;
}

export function newLive(
  e: EngagementRecord,
  strategy: string,
  sequence: number,
  deadlines: Deadlines,
): LiveEngagement {
  return {
    e,
    strategy,
    session: null,
    outbox: new BeckonOutbox(e.engagementId, sequence),
    snapshot: null,
    pending: [],
    deadlines,
    pendingInvite: false,
    inviteKey: null,
    timers: new Map(),
    interaction: null,
    chain: Promise.resolve(),
    ended: false,
  };
}

/** The `qualified` record of an actionable event that carries an engagement. */
export function newProactiveRecord(a: ActionableEvent, strategy: string, now: number): EngagementRecord {
  const engagement = a.engagement!;
  return {
    engagementId: newId(),
    kind: 'proactive',
    visitID: a.visitID,
    globalVisitID: a.globalVisitID,
    pageID: a.pageID ?? '',
    name: a.name,
    channel: engagement.channel,
    queue: engagement.queue || 'default',
    priority: engagement.priority,
    ruleId: a.ruleId,
    actionableId: a.id,
    strategy,
    state: 'qualified',
    reason: null,
    outcome: null,
    interactionId: null,
    createdAt: now,
    invitedAt: null,
    respondedAt: null,
    queuedAt: null,
    connectedAt: null,
    endedAt: null,
    history: [{ state: 'qualified', at: now, reason: null }],
  };
}

/** Moves a record to `state`, with history and the §1 timestamps. */
export function transition(e: EngagementRecord, state: string, reason: string | null, at: number): void {
  e.state = state;
  e.history.push({ state, at, reason });
  if (state === 'invited') e.invitedAt = at;
  if (TERMINAL_STATES.has(state)) {
    e.endedAt = at;
    e.reason = reason;
  }
}
