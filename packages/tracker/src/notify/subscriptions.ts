/**
 * Delivery of push messages to the page's `['subscribe', channel, fn]` callbacks (compat.md §2): exact channel
 * names, or a prefix with a trailing `*` (`gpe.custom.*`, and `*` alone for everything). A throwing callback is
 * logged and never stops the others.
 */
import type { Subscription } from './host.js';

/** Whether `pattern` (exact, or prefix + `*`) matches `channel`. */
export function channelMatches(pattern: string, channel: string): boolean {
  return pattern.charAt(pattern.length - 1) === '*'
    ? channel.indexOf(pattern.slice(0, -1)) === 0
    : pattern === channel;
}

/** Calls every matching subscription with `(data, message)`. */
export function dispatch(
  subscriptions: readonly Subscription[],
  message: { channel: string; data: unknown },
  log: (...args: unknown[]) => void,
): void {
  for (const s of subscriptions.slice()) {
    if (!channelMatches(s.channel, message.channel)) continue;
    try {
      s.fn(message.data, message);
    } catch (e) {
      log('subscribe callback threw', e);
    }
  }
}
