/**
 * The sessionizer: applies one validated event to its visit (spec/compat.md §6, §12.2, §14). It creates the visit
 * and page on the first event that names them, closes pages on PageExited, runs the identity state machine
 * (Anonymous → Authenticated by SignIn → Recognized by SignOut, UserInfo → Recognized), and returns the rows the
 * store must write. Pure: the clock, the hash of the User-Agent and the signature check are passed in.
 */
import type { Association, StoredEvent } from '@beckon/protocol';
import type { EventRejectionCode } from '@beckon/protocol';
import type { ValidEvent } from './validate-event.js';
import { identityKey } from './visit-state.js';
import type { AssociationState, IdentityKey, PageState, VisitState } from './visit-state.js';

/** Fields of an identity that the latest event sets, key by key (§14). */
export interface IdentityWrite extends IdentityKey {
  firstName?: string;
  lastName?: string;
  emailAddress?: string;
  phoneNumber?: string;
  location?: string;
  attributes: Record<string, unknown>;
  seenAt: number;
}

/** Everything one accepted event changes in the store. */
export interface EventWrites {
  event: StoredEvent;
  visit: VisitState;
  visitCreated: boolean;
  page: PageState;
  identities: IdentityWrite[];
  associations: (AssociationState & { visitId: string })[];
}

export interface CategorizeInput {
  url: string;
  title: string;
  referrer: string;
  eventName: string;
  languageCode: string | null;
  data: Record<string, unknown>;
}

export interface SessionizeContext {
  receivedAt: number;
  /** The request's User-Agent, used when the visit is created by an event without `data.userAgent`. */
  userAgent: string;
  hashUserAgent: (userAgent: string) => string;
  /** True/false for a signature check; null when no application secret is configured. */
  verifySignature: (userId: string, signature: string) => boolean | null;
  requireSignature: boolean;
  /** `engagement.visitExpirationTime` in ms; 0 = never. */
  visitExpirationMs: number;
  /** `visit.inactivityTimeout` in ms. */
  inactivityMs: number;
  categorize: (input: CategorizeInput) => string;
}

export type SessionizeResult =
  | { ok: true; state: VisitState; writes: EventWrites }
  | { ok: false; code: EventRejectionCode; message: string };

const ATTRIBUTE_COLUMNS = ['firstName', 'lastName', 'emailAddress', 'phoneNumber', 'location'] as const;
const NOT_ATTRIBUTES = new Set<string>(['userId', 'userIdSignature', ...ATTRIBUTE_COLUMNS]);

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** Whether a stored visit can take no more events: past its maximum age or ended by inactivity. */
export function visitHasEnded(
  state: VisitState,
  now: number,
  ctx: Pick<SessionizeContext, 'visitExpirationMs' | 'inactivityMs'>,
): boolean {
  if (state.endedAt > 0) return true;
  if (ctx.visitExpirationMs > 0 && now - state.startDate >= ctx.visitExpirationMs) return true;
  return now - state.lastEventAt >= ctx.inactivityMs;
}

function newVisit(ev: ValidEvent, ctx: SessionizeContext): VisitState {
  const userAgent = (ev.eventName === 'VisitStarted' && str(ev.data.userAgent)) || ctx.userAgent;
  return {
    visitId: ev.visitID,
    globalVisitID: ev.globalVisitID,
    userAgent,
    userAgentId: ctx.hashUserAgent(userAgent),
    languageCode: ev.languageCode,
    referrer: null,
    startDate: ctx.receivedAt,
    lastEventAt: ctx.receivedAt,
    endedAt: 0,
    pages: new Map(),
    current: null,
    associations: new Map(),
  };
}

/**
 * Applies `ev` to `state` (null when the visit is new). `pageOwner` is the visit that already owns `ev.pageID`
 * elsewhere, if any. The state is updated in place; on a store failure the caller must drop it and reload.
 */
export function sessionize(
  state: VisitState | null,
  ev: ValidEvent,
  pageOwner: string | undefined,
  ctx: SessionizeContext,
): SessionizeResult {
  const now = ctx.receivedAt;
  if (pageOwner !== undefined && pageOwner !== ev.visitID) {
    return { ok: false, code: 'idConflict', message: `pageID ${ev.pageID} belongs to another visit` };
  }
  if (state && visitHasEnded(state, now, ctx)) {
    if (state.endedAt === 0) state.endedAt = state.lastEventAt;
    return { ok: false, code: 'visitExpired', message: `visit ${ev.visitID} has ended; start a new visit` };
  }

  const isIdentityEvent =
    ev.eventType === 'SYSTEM' &&
    (ev.eventName === 'SignIn' || ev.eventName === 'SignOut' || ev.eventName === 'UserInfo');
  let verified = false;
  if (isIdentityEvent && ev.eventName !== 'SignOut') {
    const check = identityVerification(ev, ctx);
    if (check === 'invalid')
      return { ok: false, code: 'invalidSignature', message: 'data.userIdSignature does not verify' };
    verified = check === 'verified';
  }

  const visitCreated = state === null;
  const visit = state ?? newVisit(ev, ctx);
  visit.lastEventAt = now;
  if (visit.languageCode === null && ev.languageCode !== null) visit.languageCode = ev.languageCode;
  if (ev.eventName === 'VisitStarted' && ev.eventType === 'SYSTEM') {
    const referrer = str(ev.data.referrer);
    if (referrer !== null) visit.referrer = referrer;
    const userAgent = str(ev.data.userAgent);
    if (userAgent !== null && userAgent !== visit.userAgent) {
      visit.userAgent = userAgent;
      visit.userAgentId = ctx.hashUserAgent(userAgent);
    }
  }

  const isPageEntered = ev.eventType === 'SYSTEM' && ev.eventName === 'PageEntered';
  let page = visit.pages.get(ev.pageID);
  if (!page) {
    page = {
      pageId: ev.pageID,
      visitId: visit.visitId,
      url: ev.url,
      title: '',
      referrer: '',
      startDate: now,
      endDate: 0,
      durationMs: null,
      category: '',
      identityId: visit.current?.scope === 'Authenticated' ? visit.current.identityId : null,
    };
    visit.pages.set(ev.pageID, page);
  }
  if (isPageEntered) {
    page.url = ev.url;
    page.title = str(ev.data.title) ?? page.title;
    page.referrer = str(ev.data.referrer) ?? page.referrer;
  }

  const category = ctx.categorize({
    url: ev.url,
    title: str(ev.data.title) ?? page.title,
    referrer: str(ev.data.referrer) ?? page.referrer,
    eventName: ev.eventName,
    languageCode: ev.languageCode,
    data: ev.data,
  });
  if (isPageEntered) page.category = category;
  if (ev.eventType === 'SYSTEM' && ev.eventName === 'PageExited') {
    page.endDate = now;
    page.durationMs = Math.max(0, now - page.startDate);
  }

  const identities: IdentityWrite[] = [];
  const associations: EventWrites['associations'] = [];
  if (isIdentityEvent) applyIdentity(visit, ev, verified, now, identities, associations);

  const event: StoredEvent = {
    eventID: ev.eventID,
    eventType: ev.eventType,
    eventName: ev.eventName,
    pageID: ev.pageID,
    visitID: visit.visitId,
    globalVisitID: visit.globalVisitID,
    timestamp: ev.timestamp,
    receivedAt: now,
    url: ev.url,
    languageCode: ev.languageCode,
    category,
    data: ev.data,
    seq: ev.seq,
  };
  return { ok: true, state: visit, writes: { event, visit, visitCreated, page, identities, associations } };
}

function identityVerification(ev: ValidEvent, ctx: SessionizeContext): 'verified' | 'unverified' | 'invalid' {
  const signature = ev.data.userIdSignature;
  const userId = String(ev.data.userId).trim();
  if (typeof signature !== 'string' || signature === '')
    return ctx.requireSignature ? 'invalid' : 'unverified';
  const result = ctx.verifySignature(userId, signature);
  if (result === null) return ctx.requireSignature ? 'invalid' : 'unverified';
  return result ? 'verified' : 'invalid';
}

function identityWrite(key: IdentityKey, data: Record<string, unknown>, seenAt: number): IdentityWrite {
  const write: IdentityWrite = { ...key, attributes: {}, seenAt };
  for (const column of ATTRIBUTE_COLUMNS) {
    const value = data[column];
    if (typeof value === 'string') write[column] = value;
  }
  for (const [name, value] of Object.entries(data)) {
    if (!NOT_ATTRIBUTES.has(name) && value !== undefined) write.attributes[name] = value;
  }
  return write;
}

/** The identity state machine of spec/compat.md §14. */
function applyIdentity(
  visit: VisitState,
  ev: ValidEvent,
  verified: boolean,
  now: number,
  identities: IdentityWrite[],
  associations: EventWrites['associations'],
): void {
  const associate = (key: IdentityKey, scope: Association): AssociationState => {
    const k = identityKey(key);
    const existing = visit.associations.get(k);
    const association: AssociationState = { ...key, scope, associatedAt: existing?.associatedAt ?? now };
    visit.associations.set(k, association);
    associations.push({ ...association, visitId: visit.visitId });
    return association;
  };
  const current = visit.current;

  if (ev.eventName === 'SignOut') {
    if (current && current.scope === 'Authenticated') {
      visit.current = associate(current, 'Recognized');
      identities.push(
        identityWrite({ identityId: current.identityId, verified: current.verified }, ev.data, now),
      );
    }
    return;
  }

  const key: IdentityKey = { identityId: String(ev.data.userId).trim(), verified };
  const same = current !== null && identityKey(current) === identityKey(key);
  identities.push(identityWrite(key, ev.data, now));

  if (ev.eventName === 'SignIn') {
    if (current && !same && current.scope === 'Authenticated') associate(current, 'Recognized');
    if (!(same && current?.scope === 'Authenticated')) visit.current = associate(key, 'Authenticated');
    return;
  }
  // UserInfo
  if (current?.scope === 'Authenticated') {
    if (!same) associate(key, 'Recognized');
    return;
  }
  visit.current = associate(key, 'Recognized');
}
