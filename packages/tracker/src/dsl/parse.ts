/**
 * Parses `domain-model.xml` (compat.md §9) with the browser's DOMParser into the events the engine installs.
 * The browser skips an invalid event, not the file; only a file that is not well-formed XML, or has no
 * `<properties><events>` root, yields no events at all. The server validates the same rules strictly at deploy.
 */

export interface DslVal {
  name: string;
  value: string;
}

export interface DslTrigger {
  name: string;
  element: string;
  /** DOM event name, `enterkey`, or `timer:<ms>`. */
  action: string;
  /** Timer duration in ms for `timer:` actions, else 0. */
  timerMs: number;
  /** `nomove` timers restart on activity; `timeout` timers do not. */
  nomove: boolean;
  url: string;
  count: number;
  vals: DslVal[];
}

export interface DslEvent {
  id: string;
  name: string;
  condition: string;
  postcondition: string;
  triggers: DslTrigger[];
  vals: DslVal[];
}

// eslint-disable-next-line no-control-regex -- event names exclude control characters (compat.md §2)
const EVENT_NAME = /^[^\x00-\x1f\x7f]{1,128}$/;

function children(el: Element, tag: string): Element[] {
  return [].slice.call(el.children).filter((c: Element) => c.tagName === tag);
}

function vals(el: Element): DslVal[] {
  return children(el, 'val').map((v) => {
    const name = v.getAttribute('name');
    if (!name || v.getAttribute('value') === null) throw 'val needs name and value';
    return { name, value: v.getAttribute('value') as string };
  });
}

/** Checks that a `url` attribute of the form `/regex/flags` compiles. */
export function urlMatches(url: string, href: string): boolean {
  if (!url) return true;
  const m = /^\/(.*)\/([a-z]*)$/.exec(url);
  return m ? new RegExp(m[1] as string, m[2]).test(href) : href.indexOf(url) >= 0;
}

function trigger(el: Element, seen: Record<string, boolean>): DslTrigger {
  const name = el.getAttribute('name') || '';
  const action = el.getAttribute('action') || '';
  if (!name || seen[name]) throw 'trigger name missing or repeated: ' + name;
  seen[name] = true;
  if (!action) throw 'trigger ' + name + ' has no action';
  const url = el.getAttribute('url') || '';
  urlMatches(url, '');
  const count = Number(el.getAttribute('count') || 1);
  let timerMs = 0;
  const timer = /^timer:(\d+)$/.exec(action);
  const type = el.getAttribute('type') || 'timeout';
  if (timer) {
    timerMs = Number(timer[1]);
    if (timerMs < 100 || timerMs > 86400000) throw 'timer out of range: ' + action;
    if (type !== 'timeout' && type !== 'nomove') throw 'unknown timer type: ' + type;
  } else if (!(count >= 1 && count <= 1000 && count % 1 === 0)) throw 'count out of range: ' + count;
  return {
    name,
    element: (el.getAttribute('element') || '').trim(),
    action,
    timerMs,
    nomove: type === 'nomove',
    url,
    count,
    vals: vals(el),
  };
}

/** Parses the DSL; `log` receives one message per skipped event, or one for a malformed file. */
export function parseDsl(xml: string, log: (...args: unknown[]) => void): DslEvent[] {
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  const root = doc.documentElement;
  const error = doc.getElementsByTagName('parsererror')[0];
  if (error || !root || root.tagName !== 'properties') {
    log('DSL is malformed:', error ? error.textContent : 'root must be <properties>');
    return [];
  }
  const out: DslEvent[] = [];
  const ids: Record<string, boolean> = {};
  for (const events of children(root, 'events')) {
    for (const el of children(events, 'event')) {
      try {
        const id = el.getAttribute('id') || '';
        const name = el.getAttribute('name') || '';
        if (!id || ids[id]) throw 'event id missing or repeated: ' + id;
        ids[id] = true;
        if (!EVENT_NAME.test(name)) throw 'invalid event name: ' + name;
        const seen: Record<string, boolean> = {};
        const triggers = children(el, 'trigger').map((t) => trigger(t, seen));
        if (!triggers.length) throw 'event without trigger';
        out.push({
          id,
          name,
          condition: el.getAttribute('condition') || '',
          postcondition: el.getAttribute('postcondition') || '',
          triggers,
          vals: vals(el),
        });
      } catch (e) {
        log('DSL event skipped:', el.getAttribute('id'), e);
      }
    }
  }
  return out;
}
