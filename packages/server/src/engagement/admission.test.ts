import { describe, expect, it } from 'vitest';
import type { EngagementRecord } from '../contact-center/types.js';
import { admit } from './admission.js';

const NOW = 1_700_000_000_000;
const other = (over: Partial<EngagementRecord>): EngagementRecord =>
  ({ kind: 'proactive', state: 'ended', invitedAt: null, respondedAt: null, ...over }) as EngagementRecord;
const base = { connected: true, strictMode: true, refusalCooldownSec: 600, maxInvitesPerVisit: 3, now: NOW };

describe('admission', () => {
  it('passes a connected visit without other engagements', () => {
    expect(admit({ ...base, others: [] })).toBeNull();
  });

  it('checks visitorAbsent, then strictMode, then frequencyCap, then inviteLimit', () => {
    const live = other({ state: 'invited', invitedAt: NOW - 1 });
    const refused = other({ state: 'refused', invitedAt: NOW - 10, respondedAt: NOW - 5 });
    const many = [1, 2, 3].map(() => other({ state: 'timedOut', invitedAt: NOW - 100 }));
    expect(admit({ ...base, connected: false, others: [live] })).toBe('visitorAbsent');
    expect(admit({ ...base, others: [live, refused] })).toBe('strictMode');
    expect(admit({ ...base, strictMode: false, others: [live, refused] })).toBe('frequencyCap');
    expect(admit({ ...base, others: many })).toBe('inviteLimit');
  });

  it('lifts the refusal cap after the cooldown and ignores refusals of reactive engagements', () => {
    const old = other({ state: 'refused', invitedAt: NOW - 700_000, respondedAt: NOW - 600_000 });
    expect(admit({ ...base, others: [old] })).toBeNull();
    const reactive = other({ kind: 'reactive', state: 'refused', respondedAt: NOW - 1 });
    expect(admit({ ...base, others: [reactive] })).toBeNull();
  });
});
