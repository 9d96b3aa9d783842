/**
 * Funnel counts of engagements (spec/engagement.md §11): qualified → invited → accepted → connected → completed,
 * beside refused, timed out, expired and cancelled, grouped by rule, queue, channel and/or day (UTC), with the
 * refusal and timeout rates. Pure: takes the records, returns the rows.
 */
import type { EngagementRecord } from '../contact-center/types.js';

export const FUNNEL_DIMENSIONS = ['rule', 'queue', 'channel', 'day'] as const;
export type FunnelDimension = (typeof FUNNEL_DIMENSIONS)[number];

export interface FunnelRow {
  rule?: string;
  queue?: string;
  channel?: string;
  day?: string;
  qualified: number;
  invited: number;
  accepted: number;
  connected: number;
  completed: number;
  refused: number;
  timedOut: number;
  expired: number;
  cancelled: number;
  refusalRate: number;
  timeoutRate: number;
}

const reached = (e: EngagementRecord, state: string): boolean => e.history.some((h) => h.state === state);

function dimension(e: EngagementRecord, d: FunnelDimension): string {
  if (d === 'rule') return e.kind === 'reactive' ? 'reactive' : (e.ruleId ?? 'unknown');
  if (d === 'queue') return e.queue;
  if (d === 'channel') return e.channel;
  return new Date(e.createdAt).toISOString().slice(0, 10);
}

/** One row per combination of the `groupBy` dimensions (one row overall when empty), sorted by key. */
export function funnel(
  records: readonly EngagementRecord[],
  groupBy: readonly FunnelDimension[],
): FunnelRow[] {
  const rows = new Map<string, FunnelRow>();
  for (const e of records) {
    const keys = groupBy.map((d) => dimension(e, d));
    const id = keys.join('\u0000');
    let row = rows.get(id);
    if (!row) {
      row = {
        ...Object.fromEntries(groupBy.map((d, i) => [d, keys[i]])),
        qualified: 0,
        invited: 0,
        accepted: 0,
        connected: 0,
        completed: 0,
        refused: 0,
        timedOut: 0,
        expired: 0,
        cancelled: 0,
        refusalRate: 0,
        timeoutRate: 0,
      };
      rows.set(id, row);
    }
    row.qualified++;
    if (reached(e, 'invited')) row.invited++;
    if (reached(e, 'accepted')) row.accepted++;
    const connected = e.channel === 'callback' ? reached(e, 'dialled') : reached(e, 'connected');
    if (connected) row.connected++;
    if (
      e.channel === 'callback'
        ? e.outcome === 'connected'
        : connected && reached(e, 'ended') && e.reason !== 'error'
    )
      row.completed++;
    if (reached(e, 'refused')) row.refused++;
    if (reached(e, 'timedOut')) row.timedOut++;
    if (reached(e, 'expired')) row.expired++;
    if (reached(e, 'cancelled')) row.cancelled++;
  }
  const out = [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
  for (const r of out) {
    r.refusalRate = r.invited === 0 ? 0 : r.refused / r.invited;
    r.timeoutRate = r.invited === 0 ? 0 : r.timedOut / r.invited;
  }
  return out;
}
