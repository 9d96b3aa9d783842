/**
 * The contract between the monitoring core and its lazily loaded notification chunk (`GPE.notify.min.js`). The
 * core keeps only what it must own (ids, consent, the subscription list the `_gt` commands fill) and hands it
 * over through this object; everything about connections and widgets lives in the chunk. Types only: this file
 * adds no bytes to either bundle.
 */

/** A `['subscribe', channel, fn]` registration (compat.md §2). */
export interface Subscription {
  channel: string;
  fn: (data: unknown, message: unknown) => void;
}

/** What the `_gt` commands collect for the notification agent; `engage` is replaced by a live queue on load. */
export interface NotificationRequests {
  subscriptions: Subscription[];
  engage: { push(request: unknown): unknown };
  /** Set by the agent: told when consent is given (reconnect) or withdrawn (close the push connection). */
  consent?: (given: boolean) => void;
}

/** What the notification chunk receives from the core. */
export interface NotifyHost {
  /** Current visit and page ids (they change on SPA navigation and on a new visit). */
  ids(): { visitID: string; pageID: string };
  /** Server base URL, without trailing slash. */
  endpoint(): string;
  /** Directory URL the chunks are loaded from. */
  chunkBase(): string;
  requests: NotificationRequests;
  /** Whether cookies and connections are allowed (consent, compat.md §4). */
  allowed(): boolean;
  /** Registers a callback for each SPA navigation (a new pageID). */
  onPage(fn: () => void): void;
  log(...args: unknown[]): void;
}

/** The global through which a loaded chunk reaches the core. */
export const NOTIFY_HOOK = '__beckonNotify';
