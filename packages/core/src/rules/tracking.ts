/**
 * Visit bookkeeping (spec/rules.md §6 roots): what every event changes in a visit's state before any rule runs —
 * counters, the last event, the current and open pages, the visit's categories — and the event as rules see it
 * (`RuleEvent`). Category strings are split once and the lists shared between events, so the rule index can cache
 * candidate rules by list identity.
 */
import type { StoredEvent } from '@beckon/protocol';
import type { RuleSet } from './rule-set.js';
import type { RuleEvent, VisitState } from './visit-state.js';

const EMPTY: string[] = [];
/** Distinct category strings kept split; beyond, the cache starts over. */
const MAX_CATEGORY_STRINGS = 16_384;
/** Categories a visit and a page remember at most. */
const MAX_VISIT_CATEGORIES = 64;
const MAX_PAGE_CATEGORIES = 32;

/** An event as the engine takes it: a stored event, plus its page title when the server knows it. */
export type EngineEvent = StoredEvent & { pageTitle?: string | null };

export class EventTracker {
  private readonly categoryCache = new Map<string, string[]>();
  private readonly reusable: RuleEvent = {
    id: '',
    n: 0,
    name: '',
    type: '',
    url: '',
    title: null,
    categories: EMPTY,
    pageID: '',
    timestamp: 0,
    data: {},
  };

  /**
   * Records event `se` in the visit and returns it as rules see it; `rt` is its time relative to the visit's `t0`.
   * When no rule of `rs` keeps events in visit state, the returned object is reused by the next call.
   */
  track(vs: VisitState, se: EngineEvent, rt: number, rs: RuleSet): RuleEvent {
    const n = ++vs.n;
    vs.t = rt;
    const categories = this.categoriesOf(se.category);
    const data = se.data ?? {};
    const samePage = vs.pgId === se.pageID;
    const dt = data.title;
    const title = typeof dt === 'string' ? dt : (se.pageTitle ?? (samePage ? vs.pgTitle : null));
    // one reused object when no rule keeps events in visit state: one allocation less per event
    const ev: RuleEvent = rs.retainsEvents ? { ...this.reusable } : this.reusable;
    ev.id = se.eventID;
    ev.n = n;
    ev.name = se.eventName;
    ev.type = se.eventType;
    ev.url = se.url;
    ev.title = title;
    ev.categories = categories;
    ev.pageID = se.pageID;
    ev.timestamp = vs.t0 + rt;
    ev.data = data;
    vs.li = ev.id;
    vs.lp = ev.pageID;
    vs.lt = rt;
    vs.lb = rs.keepsLastEvent ? ev : null;
    if (rs.tracksVisitCategories) {
      for (const c of categories)
        if (!vs.cats.includes(c) && vs.cats.length < MAX_VISIT_CATEGORIES) vs.cats = vs.cats.concat([c]);
    }
    const name = ev.name;
    if (name === 'PageEntered') {
      vs.pc++;
      vs.pgId = ev.pageID;
      vs.pgUrl = ev.url;
      vs.pgTitle = title;
      vs.pgCats = categories;
      vs.pgAt = rt;
      vs.pgEi = ev.id;
      vs.pgEn = n;
      vs.openPage(ev.pageID);
    } else if (name === 'PageExited') {
      vs.closePage(ev.pageID);
    } else if (samePage) {
      for (const c of categories)
        if (!vs.pgCats.includes(c) && vs.pgCats.length < MAX_PAGE_CATEGORIES)
          vs.pgCats = vs.pgCats.concat([c]);
      if (vs.pgTitle === null && title !== null) vs.pgTitle = title;
    }
    return ev;
  }

  /** The category list of a `;`-joined category string, shared between events (never mutated). */
  categoriesOf(category: string): string[] {
    if (!category) return EMPTY;
    let list = this.categoryCache.get(category);
    if (list === undefined) {
      list = category.split(';').filter((c) => c !== '');
      Object.freeze(list);
      if (this.categoryCache.size >= MAX_CATEGORY_STRINGS) this.categoryCache.clear();
      this.categoryCache.set(category, list);
    }
    return list;
  }
}
