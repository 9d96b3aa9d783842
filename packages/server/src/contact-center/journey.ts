/**
 * The visitor panel's starting picture for one interaction (console contract): the visit with its pages and
 * events, its identities, previous visits (same globalVisitID or identity, newest first, at most 20) and the
 * chat transcripts of all of them. Live changes then come as `EventVisitActivity` on the agent stream.
 */
import type { VisitResource } from '@beckon/protocol';
import type { ContactCenter } from './contact-center.js';
import type { InteractionRecord } from './types.js';

const MAX_PREVIOUS = 20;

export async function journey(cc: ContactCenter, rec: InteractionRecord) {
  const history = cc.beckon.services.history;
  const visit = await history.visit(rec.visitID, { pages: 'detail', events: 'detail' });
  const identities = (await history.identities({ visitId: rec.visitID }, {}, { limit: 100 })).items;
  const previous = new Map<string, VisitResource>();
  const add = (visits: VisitResource[]) => {
    for (const v of visits) if (v.visitId !== rec.visitID) previous.set(v.visitId, v);
  };
  add((await history.visits({ globalVisitID: visit.globalVisitID }, {}, { limit: MAX_PREVIOUS + 1 })).items);
  for (const identity of identities)
    add(
      (
        await history.visits(
          { identity: { identityId: identity.identityId, verified: identity.verified } },
          {},
          { limit: MAX_PREVIOUS + 1 },
        )
      ).items,
    );
  const previousVisits = [...previous.values()]
    .sort((a, b) => b.startDate - a.startDate)
    .slice(0, MAX_PREVIOUS);
  const chats = await cc.chat.transcripts([rec.visitID, ...previousVisits.map((v) => v.visitId)]);
  const actionable = await cc.beckon.store.listActionable(rec.visitID);
  return { visit, identities, previousVisits, chats, actionable };
}
