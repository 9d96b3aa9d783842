/**
 * Chat messages of one interaction on the desktop (spec §7): server messages merged by `id` and ordered by `seq`
 * whatever the path they came by (stream, send acknowledgement, `messages?afterSeq`), plus the agent's own
 * messages still being sent, matched to the stored message by `clientMessageId`. Nothing is lost or shown twice.
 */
import type { ChatMessage } from '@beckon/client';

export interface PendingMessage {
  clientMessageId: string;
  text: string;
  status: 'sending' | 'failed';
}

export interface ChatLog {
  messages: ChatMessage[];
  pending: PendingMessage[];
}

export const emptyChatLog: ChatLog = { messages: [], pending: [] };

/** Adds stored messages: known ids are skipped, the result is sorted by seq, matched pending entries go away. */
export function mergeMessages(log: ChatLog, incoming: readonly ChatMessage[]): ChatLog {
  const ids = new Set(log.messages.map((m) => m.id));
  const fresh = incoming.filter((m) => {
    if (ids.has(m.id)) return false;
    ids.add(m.id);
    return true;
  });
  if (fresh.length === 0) return log;
  const messages = [...log.messages, ...fresh].sort((a, b) => a.seq - b.seq);
  const acked = new Set(fresh.map((m) => m.clientMessageId).filter((c): c is string => c !== null));
  const pending = log.pending.filter((p) => !acked.has(p.clientMessageId));
  return { messages, pending };
}

/** Shows a message the agent is sending (before the server acknowledged it). */
export function addPending(log: ChatLog, clientMessageId: string, text: string): ChatLog {
  if (log.pending.some((p) => p.clientMessageId === clientMessageId)) return log;
  if (log.messages.some((m) => m.clientMessageId === clientMessageId)) return log;
  return { ...log, pending: [...log.pending, { clientMessageId, text, status: 'sending' }] };
}

/** Marks a pending message failed (the desktop offers a retry with the same clientMessageId). */
export function failPending(log: ChatLog, clientMessageId: string): ChatLog {
  return {
    ...log,
    pending: log.pending.map((p) => (p.clientMessageId === clientMessageId ? { ...p, status: 'failed' } : p)),
  };
}

/** Highest seq such that every seq from 1 up to it is present: the `afterSeq` to ask for on catch-up. */
export function contiguousSeq(log: ChatLog): number {
  let n = 0;
  for (const m of log.messages) {
    if (m.seq === n + 1) n = m.seq;
    else if (m.seq > n + 1) break;
  }
  return n;
}

/** True when a later message arrived before an earlier one (a gap to fill with `messages?afterSeq`). */
export function hasGap(log: ChatLog): boolean {
  const last = log.messages.at(-1);
  return last !== undefined && last.seq !== contiguousSeq(log);
}
