/**
 * The `EngagementActions` of the `beckon` I/O processor (spec/engagement.md §3): what a strategy's
 * `<send type="beckon">` does to its engagement — push to the visitor, invite (with the server deadline
 * `timeoutSec + 5 s`), cancel, start the chat or callback in the contact center, record an outcome. Each returns
 * a failure reason, which the engine turns into `error.communication` for the session.
 */
import type { ActionContext, EngagementActions, EngagementFailure } from '@beckon/core/scxml';
import type { Channel } from '@beckon/core/routing';
import type { EngagementEngine, EngagementEngineOptions, LiveEngagement } from './engagement-engine.js';

/** Invitation text when the strategy gives none (the widget may localise it). */
export const DEFAULT_INVITE_MESSAGE = 'Can we help you? Chat with us now.';
const DEFAULT_INVITE_TIMEOUT_SEC = 30;
const SERVER_GRACE_SEC = 5;

export function createEngagementActions(
  engine: EngagementEngine,
  options: EngagementEngineOptions,
): EngagementActions {
  const { hub, contactCenter, beckon } = options;
  const live = (ctx: ActionContext): LiveEngagement | undefined => engine.live.get(ctx.engagementId);
  const ok = async (): Promise<EngagementFailure | undefined> => undefined;
  const fail = async (reason: EngagementFailure): Promise<EngagementFailure | undefined> => reason;

  async function identityOf(visitId: string): Promise<string | null> {
    const rows = await beckon.store.driver.all<{ current_identity: string | null }>(
      'SELECT current_identity FROM visits WHERE visit_id = ?',
      [visitId],
    );
    const id = rows[0]?.current_identity;
    return id === undefined || id === null ? null : String(id);
  }

  async function prefillOf(identityId: string | null): Promise<Record<string, string>> {
    if (identityId === null) return {};
    const identity = await beckon.store.getIdentity(identityId);
    const out: Record<string, string> = {};
    for (const field of ['firstName', 'lastName', 'emailAddress', 'phoneNumber'] as const) {
      const value = identity?.[field];
      if (typeof value === 'string' && value !== '') out[field] = value;
    }
    return out;
  }

  async function createInteraction(
    ctx: ActionContext,
    mediaType: Channel,
    queueName: string | undefined,
    priority: number | undefined,
  ): Promise<EngagementFailure | undefined> {
    const l = live(ctx);
    if (!l || l.e.state !== 'accepted' || l.e.interactionId !== null) return 'wrongState';
    const queue = queueName ?? l.e.queue;
    const def = contactCenter.routing.queues.get(queue);
    if (!def || !def.channels.includes(mediaType)) return 'unknownQueue';
    engine.clearTimer(l, 'accepted');
    const identityId = await identityOf(l.e.visitID);
    l.interaction = await contactCenter.interactions.create(l.e, {
      mediaType,
      queue,
      priority: priority ?? l.e.priority,
      identityId,
      prefill: await prefillOf(identityId),
    });
    return undefined;
  }

  return {
    notify(ctx, p) {
      const l = live(ctx);
      if (!l) return fail('wrongState');
      if (!p.channel.startsWith('gpe.')) return fail('badChannel');
      hub.push(l.e.visitID, {
        channel: p.channel,
        data: p.data ?? {},
        ...(p.page !== undefined ? { page: p.page } : {}),
      });
      return ok();
    },

    invite(ctx, p) {
      const l = live(ctx);
      if (!l) return fail('wrongState');
      const e = l.e;
      if (e.state === 'invited' && l.inviteKey === ctx.idempotencyKey) return ok();
      if (e.state !== 'evaluating') return fail('wrongState');
      for (const other of engine.live.values())
        if (other !== l && other.e.visitID === e.visitID && other.e.state === 'invited')
          return fail('inviteBusy');
      if (!engine.isPresent(e.visitID)) return fail('visitorAbsent');
      const timeoutSec = p.timeoutSec ?? DEFAULT_INVITE_TIMEOUT_SEC;
      engine.clearTimer(l, 'expiry');
      engine.transition(e, 'invited');
      l.inviteKey = ctx.idempotencyKey;
      l.deadlines.inviteDueAt = engine.now + (timeoutSec + SERVER_GRACE_SEC) * 1000;
      engine.armAt(l, 'invite', l.deadlines.inviteDueAt);
      hub.push(e.visitID, {
        channel: 'gpe.invite',
        data: {
          engagementId: e.engagementId,
          channel: p.channel ?? e.channel,
          message: p.message ?? DEFAULT_INVITE_MESSAGE,
          timeoutSec,
          ...(p.url !== undefined ? { url: p.url } : {}),
        },
        ...(e.pageID !== '' ? { page: e.pageID } : {}),
      });
      return ok();
    },

    cancelInvite(ctx, p) {
      const l = live(ctx);
      if (!l || (l.e.state !== 'evaluating' && l.e.state !== 'invited')) return fail('wrongState');
      engine.cancel(l, p.reason ?? 'strategy');
      return ok();
    },

    startChat(ctx, p) {
      return createInteraction(ctx, 'chat', p.queue, p.priority);
    },

    createCallback(ctx, p) {
      if (p.phoneNumber !== undefined && !/^\+?[0-9 ()-]{5,20}$/.test(p.phoneNumber))
        return fail('invalidPhone');
      return createInteraction(ctx, 'callback', p.queue, undefined);
    },

    recordOutcome(ctx, p) {
      const l = live(ctx);
      if (l) l.e.outcome = p.code;
      return ok();
    },
  };
}
