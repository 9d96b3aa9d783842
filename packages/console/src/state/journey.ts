/**
 * The visitor panel's model (spec/engagement.md §8): what the visitor did, built from the journey read
 * (`GET /server/agent/interactions/{id}/journey`) and kept current by `EventVisitActivity`. Every item is keyed
 * (pages by pageId, events by eventID, rule hits by id, engagements by engagementId, identities by identityId),
 * so the live updates and the REST read merge in any order and a repeated item never shows twice. Items are
 * accepted in the History API shapes and as stored events, because live activity is derived from stored events.
 */
import type { ChatTranscript, Journey, VisitActivityKind } from '@beckon/client';
import type { IdentityResource, PageResource, VisitResource } from '@beckon/protocol';
import { splitCategories } from './format.js';

export interface PageView {
  pageId: string;
  url: string;
  title: string;
  categories: string[];
  /** The visitor's clock: order and history times. */
  enteredAt: number;
  /** Server clock (`receivedAt` of PageEntered) when known: time on page without the visitor's clock skew. */
  receivedAt: number | null;
  exitedAt: number | null;
  durationMs: number | null;
}

export interface EventView {
  eventId: string;
  name: string;
  type: string;
  pageId: string;
  time: number;
  categories: string[];
  data: Record<string, unknown>;
}

export interface RuleHitView {
  id: string;
  name: string;
  ruleId: string;
  time: number;
  data: Record<string, unknown>;
  triggeringEventIds: string[];
  engagement: boolean;
}

export interface EngagementView {
  engagementId: string;
  name: string;
  state: string;
  at: number;
}

export interface JourneyView {
  visitId: string | null;
  globalVisitID: string | null;
  startedAt: number | null;
  userAgent: string | null;
  referrer: string | null;
  pages: PageView[];
  events: EventView[];
  ruleHits: RuleHitView[];
  engagements: EngagementView[];
  identities: IdentityResource[];
  previousVisits: VisitResource[];
  chats: ChatTranscript[];
}

/** A journey with nothing known yet: live activity may fill it before the REST read lands. */
export const emptyJourney: JourneyView = {
  visitId: null,
  globalVisitID: null,
  startedAt: null,
  userAgent: null,
  referrer: null,
  pages: [],
  events: [],
  ruleHits: [],
  engagements: [],
  identities: [],
  previousVisits: [],
  chats: [],
};

/** Events that describe navigation, shown as pages rather than as business events. */
const navigationEvents = new Set(['VisitStarted', 'PageEntered', 'PageExited']);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function upsert<T>(list: readonly T[], item: T, key: (t: T) => string, merge: (old: T, nu: T) => T): T[] {
  const k = key(item);
  const i = list.findIndex((x) => key(x) === k);
  if (i < 0) return [...list, item];
  const out = list.slice();
  out[i] = merge(list[i]!, item);
  return out;
}

const byTime =
  <T>(time: (t: T) => number) =>
  (a: T, b: T) =>
    time(a) - time(b);

/** A page from a PageResource or a `PageEntered` stored event. */
function toPage(item: Obj): PageView | null {
  const pageId = str(item.pageId) ?? str(item.pageID);
  if (!pageId) return null;
  const data = isObj(item.data) ? item.data : {};
  const endDate = num(item.endDate);
  return {
    pageId,
    url: str(item.url) ?? '',
    title: str(item.title) ?? str(data.title) ?? '',
    categories: splitCategories(str(item.category)),
    enteredAt: num(item.startDate) ?? num(item.timestamp) ?? 0,
    receivedAt: num(item.receivedAt),
    exitedAt: endDate !== null && endDate > 0 ? endDate : null,
    durationMs: num(item.durationMs),
  };
}

function mergePage(old: PageView, nu: PageView): PageView {
  return {
    pageId: old.pageId,
    url: nu.url || old.url,
    title: nu.title || old.title,
    categories: nu.categories.length > 0 ? nu.categories : old.categories,
    enteredAt: old.enteredAt || nu.enteredAt,
    receivedAt: old.receivedAt ?? nu.receivedAt,
    exitedAt: nu.exitedAt ?? old.exitedAt,
    durationMs: nu.durationMs ?? old.durationMs,
  };
}

function addPage(j: JourneyView, page: PageView): JourneyView {
  const pages = upsert(j.pages, page, (p) => p.pageId, mergePage).sort(byTime((p) => p.enteredAt));
  return { ...j, pages };
}

/** Page exit from a `PageExited` stored event or `{pageId, endDate, durationMs}`. */
function exitPage(j: JourneyView, item: Obj): JourneyView {
  const pageId = str(item.pageId) ?? str(item.pageID);
  if (!pageId) return j;
  const data = isObj(item.data) ? item.data : {};
  const exitedAt = num(item.endDate) ?? num(item.timestamp);
  const durationMs = num(item.durationMs) ?? num(data.durationMs);
  const known = j.pages.find((p) => p.pageId === pageId);
  const base: PageView = known ?? {
    pageId,
    url: str(item.url) ?? '',
    title: '',
    categories: [],
    enteredAt: exitedAt !== null && durationMs !== null ? exitedAt - durationMs : (exitedAt ?? 0),
    receivedAt: null,
    exitedAt: null,
    durationMs: null,
  };
  return addPage(j, {
    ...base,
    exitedAt: exitedAt ?? base.exitedAt,
    durationMs: durationMs ?? (exitedAt !== null ? exitedAt - base.enteredAt : base.durationMs),
  });
}

function toEvent(item: Obj): EventView | null {
  const eventId = str(item.eventID);
  if (!eventId) return null;
  return {
    eventId,
    name: str(item.eventName) ?? '',
    type: str(item.eventType) ?? 'BUSINESS',
    pageId: str(item.pageID) ?? '',
    time: num(item.timestamp) ?? num(item.receivedAt) ?? 0,
    categories: splitCategories(str(item.category)),
    data: isObj(item.data) ? item.data : {},
  };
}

/** Applies one stored event: navigation events update pages, the rest are listed as events. */
function applyStoredEvent(j: JourneyView, item: Obj): JourneyView {
  const name = str(item.eventName);
  if (name === 'PageEntered') {
    const page = toPage(item);
    return page ? addPage(j, page) : j;
  }
  if (name === 'PageExited') return exitPage(j, item);
  if (name !== null && navigationEvents.has(name)) return j;
  const event = toEvent(item);
  if (!event) return j;
  const events = upsert(
    j.events,
    event,
    (e) => e.eventId,
    (_o, n) => n,
  ).sort(byTime((e) => e.time));
  return { ...j, events };
}

function toRuleHit(item: Obj): RuleHitView | null {
  const id = str(item.id) ?? str(item.actionableId);
  if (!id) return null;
  return {
    id,
    name: str(item.name) ?? '',
    ruleId: str(item.ruleId) ?? '',
    time: num(item.timestamp) ?? num(item.time) ?? 0,
    data: isObj(item.data) ? item.data : {},
    triggeringEventIds: Array.isArray(item.triggeringEventIDs)
      ? item.triggeringEventIDs.filter((x): x is string => typeof x === 'string')
      : [],
    engagement: isObj(item.engagement),
  };
}

function applyRuleHit(j: JourneyView, item: Obj): JourneyView {
  const hit = toRuleHit(item);
  if (!hit) return j;
  const ruleHits = upsert(
    j.ruleHits,
    hit,
    (h) => h.id,
    (_o, n) => n,
  ).sort(byTime((h) => h.time));
  return { ...j, ruleHits };
}

function applyEngagement(j: JourneyView, item: Obj): JourneyView {
  const engagementId = str(item.engagementId);
  if (!engagementId) return j;
  const history = Array.isArray(item.history) ? item.history.filter(isObj) : [];
  const at = num(history.at(-1)?.at) ?? num(item.at) ?? num(item.createdAt) ?? 0;
  const view: EngagementView = { engagementId, name: str(item.name) ?? '', state: str(item.state) ?? '', at };
  const merge = (o: EngagementView, n: EngagementView) =>
    n.at >= o.at ? { ...n, name: n.name || o.name } : o;
  return { ...j, engagements: upsert(j.engagements, view, (e) => e.engagementId, merge) };
}

function applyIdentity(j: JourneyView, item: Obj): JourneyView {
  if (typeof item.identityId === 'string' && 'verified' in item) {
    const identity = item as unknown as IdentityResource;
    const merge = (o: IdentityResource, n: IdentityResource) => ({ ...o, ...n });
    return { ...j, identities: upsert(j.identities, identity, (i) => i.identityId, merge) };
  }
  // An identity event (SignIn / UserInfo / SignOut) rather than the resource: list it with the events.
  return applyStoredEvent(j, item);
}

/** Merges one live `EventVisitActivity` item into the journey. Unknown shapes leave it unchanged. */
export function applyActivity(j: JourneyView, kind: VisitActivityKind, item: unknown): JourneyView {
  if (!isObj(item)) return j;
  switch (kind) {
    case 'page': {
      if (str(item.eventName)) return applyStoredEvent(j, item);
      const page = toPage(item);
      return page ? addPage(j, page) : j;
    }
    case 'pageExit':
      return exitPage(j, item);
    case 'event':
      return applyStoredEvent(j, item);
    case 'ruleHit':
      return applyRuleHit(j, item);
    case 'identity':
      return applyIdentity(j, item);
    case 'engagement':
      return applyEngagement(j, item);
    default:
      return j;
  }
}

/** Merges the REST journey into what is already known (possibly live items that arrived first). */
export function mergeJourney(j: JourneyView, journey: Journey): JourneyView {
  const v = journey.visit;
  let out: JourneyView = {
    ...j,
    visitId: v.visitId,
    globalVisitID: v.globalVisitID,
    startedAt: v.startDate,
    userAgent: v.userAgent,
    referrer: v.referrer,
    previousVisits: journey.previousVisits.filter((p) => p.visitId !== v.visitId),
    chats: journey.chats,
  };
  for (const page of v.pages ?? []) out = applyPageResource(out, page);
  for (const event of v.events ?? []) out = applyStoredEvent(out, event as unknown as Obj);
  for (const identity of journey.identities) out = applyIdentity(out, identity as unknown as Obj);
  for (const hit of journey.actionable) if (isObj(hit)) out = applyRuleHit(out, hit);
  return out;
}

function applyPageResource(j: JourneyView, page: PageResource): JourneyView {
  const view = toPage(page as unknown as Obj);
  let out = view ? addPage(j, view) : j;
  for (const event of page.events ?? []) out = applyStoredEvent(out, event as unknown as Obj);
  return out;
}

/** The page the visitor is on: the latest entered page not yet exited, else the latest page. */
export function currentPage(j: JourneyView): PageView | null {
  for (let i = j.pages.length - 1; i >= 0; i--) if (j.pages[i]!.exitedAt === null) return j.pages[i]!;
  return j.pages.at(-1) ?? null;
}

/** All categories of the visit, pages and events, in order of first appearance. */
export function visitCategories(j: JourneyView): string[] {
  const seen = new Set<string>();
  const items = [
    ...j.pages.map((p) => ({ t: p.enteredAt, c: p.categories })),
    ...j.events.map((e) => ({ t: e.time, c: e.categories })),
  ];
  items.sort((a, b) => a.t - b.t);
  for (const { c } of items) for (const name of c) seen.add(name);
  return [...seen];
}
