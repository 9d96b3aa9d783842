/**
 * Loads widget chunks on first use and creates each widget once. Callers chain on the returned promise, so
 * frames that arrive while a chunk downloads are handled in arrival order once it is there.
 */
import {
  WIDGET_FILES,
  WIDGET_HOOK,
  type WidgetApis,
  type WidgetHost,
  type WidgetName,
} from '../widgets/api.js';

type Factory = (host: WidgetHost) => unknown;

const loaded: Partial<Record<WidgetName, Promise<unknown>>> = {};
const waiting: Partial<Record<WidgetName, (factory: Factory) => void>> = {};

/** Returns the widget `name`, injecting its chunk from `base` the first time. */
export function widget<N extends WidgetName>(
  name: N,
  base: string,
  host: WidgetHost,
): Promise<WidgetApis[N]> {
  const w = window as unknown as Record<string, unknown>;
  if (!w[WIDGET_HOOK]) {
    w[WIDGET_HOOK] = (n: WidgetName, factory: Factory) => {
      const resolve = waiting[n];
      if (resolve) resolve(factory);
    };
  }
  let p = loaded[name];
  if (!p) {
    p = new Promise<Factory>((resolve, reject) => {
      waiting[name] = resolve;
      const s = document.createElement('script');
      s.async = true;
      s.src = base + WIDGET_FILES[name];
      s.onerror = () => {
        delete loaded[name];
        reject(new Error('widget not loaded: ' + name));
      };
      (document.head || document.body).appendChild(s);
    }).then((factory) => factory(host));
    loaded[name] = p;
  }
  return p as Promise<WidgetApis[N]>;
}
