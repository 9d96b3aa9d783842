/**
 * Installs DSL triggers (compat.md §9). DOM triggers use one capture-phase listener on `document` per action
 * (delegation, so elements added later match too); empty `element` listens on `window`. Each page view has its
 * own state: conditions, counters, fired triggers and timers restart on every load and SPA navigation. An event
 * is sent when all its triggers have fired, then every trigger of it resets.
 */
import type { DslHost } from '../dsl-loader.js';
import { evaluate, test, toDataValue } from './expr.js';
import type { DslEvent, DslTrigger, DslVal } from './parse.js';
import { urlMatches } from './parse.js';

const ACTIVITY = ['mousemove', 'mousedown', 'keydown', 'wheel', 'scroll', 'touchstart'];

interface EventState {
  active: boolean;
  fired: boolean[];
  counts: number[];
  data: Record<string, unknown>;
  last: Event | null;
}

type JQuery = (el: Element) => { closest(sel: string): { length: number } };

function matches(target: EventTarget | null, selector: string): boolean {
  let el = target as Node | null;
  if (el && el.nodeType !== 1) el = el.parentNode;
  if (!el || el.nodeType !== 1) return false;
  const jq = (window as unknown as { jQuery?: JQuery }).jQuery;
  return jq ? jq(el as Element).closest(selector).length > 0 : !!(el as Element).closest(selector);
}

/** Installs every event of the DSL; returns the function that starts a new page view (used by tests). */
export function install(events: DslEvent[], host: DslHost): () => void {
  const states: EventState[] = [];
  let timers: Array<ReturnType<typeof setTimeout>> = [];
  let nomove: Array<() => void> = [];
  const onError = (e: unknown) => host.log('DSL expression failed:', e);

  function evalVals(list: DslVal[], into: Record<string, unknown>, event: Event | null): void {
    for (const v of list) into[v.name] = toDataValue(evaluate(v.value, event, onError));
  }

  function fire(i: number, t: number, event: Event | null): void {
    const def = events[i] as DslEvent;
    const st = states[i] as EventState;
    evalVals((def.triggers[t] as DslTrigger).vals, st.data, event);
    st.fired[t] = true;
    st.last = event;
    if (st.fired.indexOf(false) >= 0) return;
    const data = st.data;
    evalVals(def.vals, data, st.last);
    st.fired = def.triggers.map(() => false);
    st.counts = def.triggers.map(() => 0);
    st.data = {};
    if (test(def.postcondition, st.last, onError)) host.emit(def.name, data);
    else host.log('postcondition false for', def.name);
  }

  function startTimer(i: number, t: number, trigger: DslTrigger): void {
    let handle: ReturnType<typeof setTimeout> | undefined;
    const arm = () => {
      if (handle !== undefined) clearTimeout(handle);
      handle = setTimeout(() => {
        nomove = nomove.filter((f) => f !== arm);
        fire(i, t, null);
      }, trigger.timerMs);
      timers.push(handle);
    };
    if (trigger.nomove) nomove.push(arm);
    arm();
  }

  function startTimers(): void {
    events.forEach((def, i) => {
      if (!(states[i] as EventState).active) return;
      def.triggers.forEach((trigger, t) => {
        if (trigger.timerMs && urlMatches(trigger.url, location.href)) startTimer(i, t, trigger);
      });
    });
  }

  /** Resets the page view: conditions, counters, fired triggers; timers start at load (at once after it). */
  function startPage(): void {
    for (const h of timers) clearTimeout(h);
    timers = [];
    nomove = [];
    events.forEach((def, i) => {
      const active = test(def.condition, null, onError);
      states[i] = {
        active,
        fired: def.triggers.map(() => false),
        counts: def.triggers.map(() => 0),
        data: {},
        last: null,
      };
    });
    if (document.readyState === 'complete') startTimers();
    else addEventListener('load', startTimers);
  }

  function onDom(action: string, windowLevel: boolean, event: Event): void {
    if (action === 'enterkey' && (event as KeyboardEvent).key !== 'Enter') return;
    events.forEach((def, i) => {
      const st = states[i];
      if (!st || !st.active) return;
      def.triggers.forEach((trigger, t) => {
        if (trigger.action !== action || trigger.timerMs || !trigger.element !== windowLevel) return;
        try {
          if (!urlMatches(trigger.url, location.href)) return;
          if (!windowLevel && !matches(event.target, trigger.element)) return;
        } catch (e) {
          return host.log('DSL selector or url does not parse:', trigger.element, e);
        }
        st.counts[t] = (st.counts[t] || 0) + 1;
        if ((st.counts[t] as number) >= trigger.count) {
          st.counts[t] = 0;
          fire(i, t, event);
        }
      });
    });
  }

  const listening: Record<string, boolean> = {};
  for (const def of events) {
    for (const trigger of def.triggers) {
      if (trigger.timerMs) continue;
      const windowLevel = !trigger.element;
      const key = (windowLevel ? 'w:' : 'd:') + trigger.action;
      if (listening[key]) continue;
      listening[key] = true;
      const dom = trigger.action === 'enterkey' ? 'keydown' : trigger.action;
      const handler = (event: Event) => {
        try {
          onDom(trigger.action, windowLevel, event);
        } catch (e) {
          host.log('DSL trigger failed', e);
        }
      };
      if (windowLevel) addEventListener(dom, handler);
      else document.addEventListener(dom, handler, true);
    }
  }
  for (const name of ACTIVITY) {
    document.addEventListener(name, () => nomove.slice().forEach((arm) => arm()), {
      capture: true,
      passive: true,
    });
  }
  host.onPage(startPage);
  startPage();
  return startPage;
}
