/**
 * `gpe.appendContent` (compat.md §13, GWE): fetch an HTML fragment by GET and append it to a container (CSS
 * selector, default `body`); its scripts run in order, an external one finishing before the next starts. When
 * the fragment is on another origin that does not answer CORS, GWE's JSONP form of the resource URL is used
 * (`?callback=fn` returns `fn('<content>')`, compat.md §5).
 */

export interface AppendContentData {
  url?: unknown;
  method?: unknown;
  container?: unknown;
}

let jsonpCounter = 0;

function jsonp(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const name = '__beckonJsonp' + ++jsonpCounter;
    const w = window as unknown as Record<string, unknown>;
    const s = document.createElement('script');
    const done = () => {
      delete w[name];
      s.remove();
    };
    w[name] = (content: unknown) => {
      done();
      resolve(String(content));
    };
    s.onerror = () => {
      done();
      reject(new Error('JSONP failed'));
    };
    s.src = url + (url.indexOf('?') < 0 ? '?' : '&') + 'callback=' + name;
    (document.head || document.body).appendChild(s);
  });
}

function load(url: string): Promise<string> {
  return fetch(url, { credentials: 'omit' }).then(
    (r) => (r.ok ? r.text() : Promise.reject(new Error('HTTP ' + r.status))),
    (e: unknown) => (new URL(url, location.href).origin !== location.origin ? jsonp(url) : Promise.reject(e)),
  );
}

/** Runs the fragment's scripts one after the other, in document order. */
function runScripts(scripts: HTMLScriptElement[]): Promise<void> {
  return scripts.reduce<Promise<void>>(
    (previous, old) =>
      previous.then(
        () =>
          new Promise<void>((resolve) => {
            const s = document.createElement('script');
            for (let i = 0; i < old.attributes.length; i++) {
              const a = old.attributes[i] as Attr;
              s.setAttribute(a.name, a.value);
            }
            s.text = old.text;
            if (s.src) {
              s.async = false;
              s.onload = s.onerror = () => resolve();
            }
            if (old.parentNode) old.parentNode.replaceChild(s, old);
            if (!s.src) resolve();
          }),
      ),
    Promise.resolve(),
  );
}

/** Appends the fragment named by `data.url` to `data.container`; resolves when its scripts have run. */
export function appendContent(data: AppendContentData): Promise<void> {
  if (typeof data.url !== 'string' || (data.method !== undefined && data.method !== 'GET'))
    return Promise.reject(new Error('appendContent needs a url and method GET'));
  const selector = typeof data.container === 'string' && data.container ? data.container : 'body';
  return load(data.url).then((html) => {
    const target = document.querySelector(selector);
    if (!target) throw new Error('no container ' + selector);
    const template = document.createElement('template');
    template.innerHTML = html;
    const scripts = Array.prototype.slice.call(
      template.content.querySelectorAll('script'),
    ) as HTMLScriptElement[];
    target.appendChild(template.content);
    return runScripts(scripts);
  });
}
