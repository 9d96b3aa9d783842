/**
 * DOM helpers shared by the widgets. Every widget lives in its own shadow root on a host element reset with
 * `all: initial`, so the site's CSS cannot reach inside and the widget's CSS cannot leak out. Text from the
 * server or the visitor only ever goes through `textContent`: no helper here accepts HTML.
 */

/** Creates an element with attributes and optional text (set as text, never parsed). */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Record<string, string>,
  text?: string,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (attrs) for (const k in attrs) e.setAttribute(k, attrs[k] as string);
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A mounted widget: its host element in the page and its shadow root. */
export interface Mounted {
  host: HTMLElement;
  root: ShadowRoot;
}

/** Host element styles: inline and `!important`, the only declarations a site's `!important` rules cannot beat. */
const HOST_STYLE = [
  'all:initial',
  'position:fixed',
  'z-index:2147483000',
  'right:16px',
  'bottom:16px',
  'display:block',
  'visibility:visible',
  'opacity:1',
]
  .map((d) => d + '!important')
  .join(';');

/**
 * Adds a fixed-position host at the bottom right with an open shadow root holding `css`. The host is a custom
 * element (`beckon-widget`), so a site's `div` or class rules do not even select it.
 */
export function mount(name: string, css: string): Mounted {
  const host = document.createElement('beckon-widget');
  host.setAttribute('data-beckon-widget', name);
  host.style.cssText = HOST_STYLE;
  const root = host.attachShadow({ mode: 'open' });
  root.appendChild(el('style', {}, css));
  (document.body || document.documentElement).appendChild(host);
  return { host, root };
}

/** A random id for idempotent sends (`clientMessageId`). */
export function randomId(): string {
  return 'c-' + Date.now().toString(36) + '-' + Math.random().toString(36).slice(2, 10);
}
