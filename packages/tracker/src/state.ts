/**
 * The tracker's options (compat.md §3) and the mutable state of the current page view. One object per module
 * keeps the bundle small: every other module reads and writes these two records instead of passing them around.
 */

/** Options set with `['config', {...}]`. */
export interface TrackerOptions {
  dslResource?: string;
  httpEndpoint?: string;
  httpsEndpoint?: string;
  languageCode: string;
  name: string;
  requireConsent: boolean;
  /** Seconds of inactivity after which the next event starts a new visit. */
  visitTimeout: number;
  cookieDomain?: string;
  trackHistory: boolean;
  notifications: boolean;
}

export const options: TrackerOptions = {
  languageCode: (typeof navigator !== 'undefined' && navigator.language) || '',
  name: '_gt',
  requireConsent: false,
  visitTimeout: 1800,
  trackHistory: true,
  notifications: true,
};

/** State of the page view and visit. */
export const state = {
  /** Current pageID; a new one on every load and SPA navigation. */
  pageID: '',
  /** visitID the current page belongs to; `''` until the first event is stamped. */
  visitID: '',
  globalVisitID: '',
  /** Time of this page view's PageEntered. */
  pageStart: 0,
  /** `PageEntered` data of the current page view, reused when a new visit re-enters the page. */
  pageData: {} as Record<string, unknown>,
  /** Consent given with `['consent', true]` (only meaningful with `requireConsent`). */
  consent: false,
  /** Origin of the tracker script, the default server endpoint. */
  scriptBase: '',
  /** Directory URL of the tracker script, for lazy chunks. */
  chunkBase: '',
};

/** True when cookies, storage and sending are allowed (compat.md §4). */
export function allowed(): boolean {
  return !options.requireConsent || state.consent;
}

/** The server base URL for this page's scheme (compat.md §3). */
export function endpoint(): string {
  const https = location.protocol === 'https:';
  const base =
    (https ? options.httpsEndpoint || options.httpEndpoint : options.httpEndpoint || options.httpsEndpoint) ||
    state.scriptBase;
  return base.replace(/\/+$/, '');
}
