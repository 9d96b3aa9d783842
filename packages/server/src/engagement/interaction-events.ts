/**
 * Chat and callback progress, as strategy events (spec/engagement.md §3): `chat.connected`, `chat.ended`,
 * `callback.done`. The contact center moves an engagement through `InteractionService.engagementState`; this
 * module wraps that method on the running instance to observe each change, since the service has no listener
 * hook of its own.
 */
import type { InteractionService } from '../contact-center/interaction-service.js';
import type { InteractionRecord } from '../contact-center/types.js';

export type InteractionStateListener = (rec: InteractionRecord, state: string, reason: string | null) => void;

/** Calls `listener` after every engagement state change the contact center makes; returns the unsubscribe. */
export function observeInteractionStates(
  interactions: InteractionService,
  listener: InteractionStateListener,
): () => void {
  const original = interactions.engagementState.bind(interactions);
  interactions.engagementState = (rec: InteractionRecord, state: string, reason: string | null = null) => {
    original(rec, state, reason);
    listener(rec, state, reason);
  };
  return () => void Reflect.deleteProperty(interactions, 'engagementState');
}

/** The strategy event for an interaction state, or null when the state is not one strategies hear about. */
export function interactionEvent(
  rec: InteractionRecord,
  state: string,
  reason: string | null,
  now: number,
): { name: string; data: unknown } | null {
  if (state === 'connected')
    return { name: 'chat.connected', data: { interactionId: rec.interactionId, agentId: rec.agentId } };
  if (state === 'ended')
    return {
      name: 'chat.ended',
      data: {
        engagementId: rec.engagementId,
        interactionId: rec.interactionId,
        reason,
        connected: rec.connectedAt !== null,
        agentId: rec.agentId,
        waitMs: (rec.connectedAt ?? now) - (rec.enqueuedAt ?? rec.createdAt),
        handleMs: rec.connectedAt === null ? 0 : now - rec.connectedAt,
      },
    };
  if (state === 'done')
    return { name: 'callback.done', data: { interactionId: rec.interactionId, outcome: rec.outcome } };
  return null;
}
