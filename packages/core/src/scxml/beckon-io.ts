/**
 * The `beckon` Event I/O processor: how a strategy acts on its engagement (`<send type="beckon" target="invite">`).
 *
 * The interpreter side only validates and records: each send becomes a typed `BeckonAction` in an outbox, with the
 * idempotency key `<engagementId>:<n>`. The engagement service commits the session snapshot together with the
 * outbox after each macrostep, then performs the actions through `EngagementActions` (at least once) and reports a
 * failure back to the session as `error.communication` `{sendid, target, reason}` (spec/engagement.md §3).
 */
import { makeEvent } from './events.js';
import type { EventIoProcessor, OutboundSend, ScxmlEvent } from './types.js';

/** `<send type>` of the Beckon processor. */
export const BECKON_SEND_TYPE = 'beckon';

/** The send targets, exactly as in spec/engagement.md §3. */
export const BECKON_TARGETS = [
  'visitor.notify',
  'invite',
  'invite.cancel',
  'chat.start',
  'callback.create',
  'outcome',
] as const;
/** One of {@link BECKON_TARGETS}. */
export type BeckonTarget = (typeof BECKON_TARGETS)[number];

/** `visitor.notify`: push a `gpe.*` message to the visit. */
export interface NotifyParams {
  readonly channel: string;
  readonly data?: unknown;
  readonly page?: string;
}
/** `invite`: defaults are the engagement's channel, the widget's text and 30 s (5–300). */
export interface InviteParams {
  readonly channel?: string;
  readonly message?: string;
  readonly timeoutSec?: number;
  readonly url?: string;
}
/** `invite.cancel`. */
export interface CancelInviteParams {
  readonly reason?: string;
}
/** `chat.start`. */
export interface StartChatParams {
  readonly queue?: string;
  readonly priority?: number;
  readonly userData?: Record<string, unknown>;
}
/** `callback.create`. */
export interface CreateCallbackParams {
  readonly queue?: string;
  readonly phoneNumber?: string;
  readonly preferredTime?: string;
}
/** `outcome`: a label for reporting. */
export interface OutcomeParams {
  readonly code: string;
  readonly note?: string;
}

/** Failure reasons of the engagement actions (spec/engagement.md §3), plus `badParams` for malformed sends. */
export type EngagementFailure =
  | 'badChannel'
  | 'wrongState'
  | 'inviteBusy'
  | 'visitorAbsent'
  | 'unknownQueue'
  | 'invalidPhone'
  | 'badParams';

/** Who asks, for logs and idempotency. */
export interface ActionContext {
  /** The session id, which is the engagement id. */
  readonly engagementId: string;
  readonly sendid: string;
  /** `<engagementId>:<n>`, stable across retries of the same send. */
  readonly idempotencyKey: string;
  /** Document line of the `<send>`. */
  readonly line: number;
}

/** Implemented by the engagement service; each method resolves to a failure reason or `undefined` on success. */
export interface EngagementActions {
  notify(ctx: ActionContext, params: NotifyParams): Promise<EngagementFailure | undefined>;
  invite(ctx: ActionContext, params: InviteParams): Promise<EngagementFailure | undefined>;
  cancelInvite(ctx: ActionContext, params: CancelInviteParams): Promise<EngagementFailure | undefined>;
  startChat(ctx: ActionContext, params: StartChatParams): Promise<EngagementFailure | undefined>;
  createCallback(ctx: ActionContext, params: CreateCallbackParams): Promise<EngagementFailure | undefined>;
  recordOutcome(ctx: ActionContext, params: OutcomeParams): Promise<EngagementFailure | undefined>;
}

/** A validated send waiting in the outbox, discriminated by `target`. */
export type BeckonAction = { readonly ctx: ActionContext } & (
  | { readonly target: 'visitor.notify'; readonly params: NotifyParams }
  | { readonly target: 'invite'; readonly params: InviteParams }
  | { readonly target: 'invite.cancel'; readonly params: CancelInviteParams }
  | { readonly target: 'chat.start'; readonly params: StartChatParams }
  | { readonly target: 'callback.create'; readonly params: CreateCallbackParams }
  | { readonly target: 'outcome'; readonly params: OutcomeParams }
);

type Check = (p: Record<string, unknown>) => boolean;
const optional = (type: string) => (v: unknown) => v === undefined || typeof v === type;
const str = optional('string');
const num = optional('number');
const CHECKS: Record<BeckonTarget, Check> = {
  'visitor.notify': (p) => typeof p['channel'] === 'string' && str(p['page']),
  invite: (p) =>
    str(p['channel']) &&
    str(p['message']) &&
    str(p['url']) &&
    num(p['timeoutSec']) &&
    (p['timeoutSec'] === undefined ||
      ((p['timeoutSec'] as number) >= 5 && (p['timeoutSec'] as number) <= 300)),
  'invite.cancel': (p) => str(p['reason']),
  'chat.start': (p) =>
    str(p['queue']) &&
    num(p['priority']) &&
    (p['userData'] === undefined || typeof p['userData'] === 'object'),
  'callback.create': (p) => str(p['queue']) && str(p['phoneNumber']) && str(p['preferredTime']),
  outcome: (p) => typeof p['code'] === 'string' && p['code'].length > 0 && str(p['note']),
};

const isTarget = (t: string | undefined): t is BeckonTarget =>
  (BECKON_TARGETS as readonly string[]).includes(t ?? '');

/**
 * The interpreter side of the `beckon` processor: validates sends and queues them. Register it as
 * `ioProcessors: { beckon: outbox }`; after each macrostep, `take()` the actions to commit and run.
 */
export class BeckonOutbox implements EventIoProcessor {
  readonly location: string;
  private queue: BeckonAction[] = [];
  private n: number;

  /** @param startAt the last idempotency sequence number used (persist `sequence` beside the snapshot). */
  constructor(
    readonly engagementId: string,
    startAt = 0,
  ) {
    this.location = `beckon:${engagementId}`;
    this.n = startAt;
  }

  /** The last idempotency sequence number handed out. */
  get sequence(): number {
    return this.n;
  }

  deliver(send: OutboundSend): string | undefined {
    if (!isTarget(send.target)) return 'unknownTarget';
    const params = send.data === undefined ? {} : send.data;
    if (params === null || typeof params !== 'object' || Array.isArray(params)) return 'badParams';
    if (!CHECKS[send.target](params as Record<string, unknown>)) return 'badParams';
    if (send.target === 'visitor.notify' && !(params as NotifyParams).channel.startsWith('gpe.'))
      return 'badChannel';
    const ctx: ActionContext = {
      engagementId: this.engagementId,
      sendid: send.sendid,
      idempotencyKey: `${this.engagementId}:${++this.n}`,
      line: send.line,
    };
    this.queue.push({ ctx, target: send.target, params } as BeckonAction);
    return undefined;
  }

  /** Removes and returns the queued actions. */
  take(): BeckonAction[] {
    if (this.queue.length === 0) return [];
    const out = this.queue;
    this.queue = [];
    return out;
  }
}

/** Performs one action through the engagement service. */
export function performAction(
  actions: EngagementActions,
  a: BeckonAction,
): Promise<EngagementFailure | undefined> {
  switch (a.target) {
    case 'visitor.notify':
      return actions.notify(a.ctx, a.params);
    case 'invite':
      return actions.invite(a.ctx, a.params);
    case 'invite.cancel':
      return actions.cancelInvite(a.ctx, a.params);
    case 'chat.start':
      return actions.startChat(a.ctx, a.params);
    case 'callback.create':
      return actions.createCallback(a.ctx, a.params);
    case 'outcome':
      return actions.recordOutcome(a.ctx, a.params);
  }
}

/** The `error.communication` event a failed action reports to its session. */
export function actionFailedEvent(a: BeckonAction, reason: EngagementFailure): ScxmlEvent {
  return makeEvent(
    'error.communication',
    'external',
    { sendid: a.ctx.sendid, target: a.target, reason },
    a.ctx.sendid,
  );
}

/** One recorded call of {@link RecordingEngagementActions}. */
export interface RecordedAction {
  readonly method: keyof EngagementActions;
  readonly ctx: ActionContext;
  readonly params: unknown;
}

/** A fake `EngagementActions` for tests: records every call; `failWith` makes a method fail. */
export class RecordingEngagementActions implements EngagementActions {
  readonly calls: RecordedAction[] = [];
  readonly failWith: Partial<Record<keyof EngagementActions, EngagementFailure>> = {};

  private record(
    method: keyof EngagementActions,
    ctx: ActionContext,
    params: unknown,
  ): Promise<EngagementFailure | undefined> {
    this.calls.push({ method, ctx, params });
    return Promise.resolve(this.failWith[method]);
  }

  notify(ctx: ActionContext, p: NotifyParams) {
    return this.record('notify', ctx, p);
  }
  invite(ctx: ActionContext, p: InviteParams) {
    return this.record('invite', ctx, p);
  }
  cancelInvite(ctx: ActionContext, p: CancelInviteParams) {
    return this.record('cancelInvite', ctx, p);
  }
  startChat(ctx: ActionContext, p: StartChatParams) {
    return this.record('startChat', ctx, p);
  }
  createCallback(ctx: ActionContext, p: CreateCallbackParams) {
    return this.record('createCallback', ctx, p);
  }
  recordOutcome(ctx: ActionContext, p: OutcomeParams) {
    return this.record('recordOutcome', ctx, p);
  }
}

/** `_x.beckon.pacing(channel, queue)` (spec/engagement.md §4). */
export interface PacingView {
  readonly freeProactive: number;
  readonly free: number;
  readonly readyAgents: number;
  readonly queued: number;
  readonly reactiveState: number;
}

/** The `_x` value a strategy sees; the host freezes it at the start of each macrostep. */
export interface BeckonPlatform {
  readonly beckon: {
    readonly engagement: unknown;
    readonly visit: unknown;
    pacing(channel: string, queue: string): PacingView;
    now(): number;
  };
}
