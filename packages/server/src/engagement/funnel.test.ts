import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { EngagementRecord } from '../contact-center/types.js';
import { funnel } from './funnel.js';

const DAY1 = Date.parse('2026-03-01T10:00:00Z');
const DAY2 = Date.parse('2026-03-02T10:00:00Z');

function record(states: string[], over: Partial<EngagementRecord> = {}): EngagementRecord {
  return {
    engagementId: Math.random().toString(16).slice(2),
    kind: 'proactive',
    visitID: 'V',
    globalVisitID: null,
    pageID: 'P',
    name: 'LoanHelp',
    channel: 'chat',
    queue: 'sales',
    priority: 50,
    ruleId: 'demo/loan',
    actionableId: null,
    strategy: 'default',
    state: states[states.length - 1]!,
    reason: null,
    outcome: null,
    interactionId: null,
    createdAt: DAY1,
    invitedAt: null,
    respondedAt: null,
    queuedAt: null,
    connectedAt: null,
    endedAt: null,
    history: states.map((state, i) => ({ state, at: DAY1 + i, reason: null })),
    ...over,
  };
}

describe('funnel', () => {
  it('counts each stage reached and the rates, per rule, queue and day', () => {
    const rows = funnel(
      [
        record(['qualified', 'evaluating', 'invited', 'accepted', 'queued', 'connected', 'ended']),
        record(['qualified', 'evaluating', 'invited', 'refused']),
        record(['qualified', 'evaluating', 'invited', 'timedOut']),
        record(['qualified', 'cancelled']),
        record(['qualified', 'evaluating', 'expired'], { createdAt: DAY2 }),
        record(['accepted', 'queued', 'ended'], { kind: 'reactive', ruleId: null }),
      ],
      ['rule', 'day'],
    );
    expect(rows).toEqual([
      expect.objectContaining({
        rule: 'demo/loan',
        day: '2026-03-01',
        qualified: 4,
        invited: 3,
        accepted: 1,
        connected: 1,
        completed: 1,
        refused: 1,
        timedOut: 1,
        cancelled: 1,
        refusalRate: 1 / 3,
        timeoutRate: 1 / 3,
      }),
      expect.objectContaining({ rule: 'demo/loan', day: '2026-03-02', qualified: 1, expired: 1 }),
      expect.objectContaining({
        rule: 'reactive',
        day: '2026-03-01',
        qualified: 1,
        accepted: 1,
        connected: 0,
      }),
    ]);
  });

  it('counts callbacks as connected when dialled and completed with outcome connected', () => {
    const [row] = funnel(
      [
        record(['accepted', 'requested', 'scheduled', 'dialled', 'done'], {
          channel: 'callback',
          outcome: 'connected',
        }),
      ],
      [],
    );
    expect(row).toMatchObject({ connected: 1, completed: 1 });
  });

  it('never counts a later stage more often than an earlier one (monotone funnel)', () => {
    const path = ['qualified', 'evaluating', 'invited', 'accepted', 'queued', 'connected', 'ended'];
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: path.length }), { maxLength: 30 }), (lengths) => {
        const rows = funnel(
          lengths.map((n) => record(path.slice(0, n))),
          [],
        );
        for (const r of rows) {
          expect(r.invited).toBeLessThanOrEqual(r.qualified);
          expect(r.accepted).toBeLessThanOrEqual(r.invited);
          expect(r.connected).toBeLessThanOrEqual(r.accepted);
          expect(r.completed).toBeLessThanOrEqual(r.connected);
        }
      }),
    );
  });
});
