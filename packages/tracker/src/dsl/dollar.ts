/**
 * The built-in `$` of DSL expressions (compat.md §9), used when the page has no jQuery. It covers the jQuery
 * subset DSL files use in practice: `$(selectorOrElement)` with `length`, `val()`, `text()`, `attr(name)`,
 * `find(sel)`, `closest(sel)` and `parents(sel)`. Elements are also reachable by index, as in jQuery.
 */

/** A jQuery-like wrapper around a list of elements. */
export interface Dollar {
  readonly length: number;
  readonly [index: number]: Element;
  val(): unknown;
  text(): string;
  attr(name: string): string | undefined;
  find(selector: string): Dollar;
  closest(selector: string): Dollar;
  parents(selector?: string): Dollar;
}

function unique(list: Element[]): Element[] {
  return list.filter((el, i) => list.indexOf(el) === i);
}

function wrap(list: Element[]): Dollar {
  const out: Record<string | number, unknown> = {
    length: list.length,
    val: () => (list[0] as HTMLInputElement | undefined)?.value,
    text: () => list.map((el) => el.textContent || '').join(''),
    attr: (name: string) => {
      const v = list[0]?.getAttribute(name);
      return v === null ? undefined : v;
    },
    find: (sel: string) =>
      wrap(
        unique(list.reduce<Element[]>((acc, el) => acc.concat([].slice.call(el.querySelectorAll(sel))), [])),
      ),
    closest: (sel: string) =>
      wrap(unique(list.map((el) => el.closest(sel)).filter((el): el is Element => !!el))),
    parents: (sel?: string) => {
      const acc: Element[] = [];
      for (const el of list) {
        for (let p = el.parentElement; p; p = p.parentElement) if (!sel || p.matches(sel)) acc.push(p);
      }
      return wrap(unique(acc));
    },
  };
  list.forEach((el, i) => (out[i] = el));
  return out as unknown as Dollar;
}

/** `$(selector)`, `$(element)` or `$(wrapper)`; anything else gives an empty wrapper. */
export function dollar(target: unknown): Dollar {
  if (typeof target === 'string') return wrap([].slice.call(document.querySelectorAll(target)));
  if (target && (target as Node).nodeType === 1) return wrap([target as Element]);
  if (
    target &&
    typeof (target as Dollar).length === 'number' &&
    typeof (target as Dollar).find === 'function'
  ) {
    return target as Dollar;
  }
  return wrap([]);
}
