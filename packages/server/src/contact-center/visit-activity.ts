/**
 * Live visitor panel feed (spec §8): every stored event of a visit that has an interaction offered to or
 * connected with an agent is forwarded to that agent as `EventVisitActivity`, as soon as ingest has stored it.
 */
import type { StoredEvent, VisitActivityKind } from '@beckon/protocol';
import type { AgentStreamHub } from './agent-stream.js';
import type { InteractionService } from './interaction-service.js';
import type { RoutingService } from './routing-service.js';

const KIND: Record<string, VisitActivityKind> = {
  PageEntered: 'page',
  PageExited: 'pageExit',
  SignIn: 'identity',
  SignOut: 'identity',
  UserInfo: 'identity',
};

/** The `Kind` of an event in `EventVisitActivity`. */
export function activityKind(event: Pick<StoredEvent, 'eventType' | 'eventName'>): VisitActivityKind {
  return KIND[event.eventName] ?? 'event';
}

/** Forwards a batch of stored events to the agents concerned. */
export function forwardVisitActivity(
  events: readonly StoredEvent[],
  deps: { interactions: InteractionService; routing: RoutingService; stream: AgentStreamHub },
): void {
  for (const event of events) {
    const ids = deps.interactions.byVisit.get(event.visitID);
    if (!ids || ids.size === 0) continue;
    for (const interactionId of ids) {
      const rec = deps.interactions.live.get(interactionId);
      if (!rec) continue;
      const agentId = rec.agentId ?? deps.routing.waiting.get(interactionId)?.offeredTo ?? null;
      if (agentId === null) continue;
      deps.stream.emit(agentId, {
        Event: 'EventVisitActivity',
        InteractionID: interactionId,
        visitID: event.visitID,
        Kind: activityKind(event),
        Item: event,
      });
    }
  }
}
