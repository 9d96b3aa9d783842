import { describe, it, expect } from 'vitest';
import { estimatedWaitSec, queuePositions, staffedSeats } from './queue-position.js';
import { agent, queue, queueMap, waiting } from './testing.js';

describe('estimatedWaitSec: ceil(p × AHT / max(1, S))', () => {
  it('worked numbers', () => {
    expect(estimatedWaitSec(3, 300, 2)).toBe(450); // 3 × 300 / 2
    expect(estimatedWaitSec(1, 100, 3)).toBe(34); // 33.33… rounds up
    expect(estimatedWaitSec(2, 300, 0)).toBe(600); // no staffed seat: S counts as 1
    expect(estimatedWaitSec(3, 100, 3)).toBe(100); // exact, not 101
    expect(estimatedWaitSec(3, 0.1, 1)).toBe(1); // 0.30000000000000004 → 1, not 2 via noise
    expect(estimatedWaitSec(30, 0.1, 1)).toBe(3); // 3.0000000000000004 stays 3
  });
});

describe('staffedSeats (S)', () => {
  it('sums the channel capacity of logged-in eligible agents, whatever their state', () => {
    const q = queue('sales', { requiredSkills: { english: 2 } });
    const agents = [
      agent('ready', { skills: { english: 2 } }),
      agent('busy', { state: 'NotReady', skills: { english: 5 }, capacity: { chat: 2, callback: 1 } }),
      agent('acw', { state: 'AfterChatWork', skills: { english: 5 } }),
      agent('out', { state: 'LoggedOut', skills: { english: 5 } }),
      agent('unskilled', { skills: { english: 1 } }),
      agent('other', { groups: ['support'], skills: { english: 5 } }),
    ];
    expect(staffedSeats(agents, q, 'chat')).toBe(3 + 2 + 3);
    expect(staffedSeats(agents, q, 'callback')).toBe(3);
  });
});

describe('queuePositions', () => {
  const queues = queueMap(queue('sales'), queue('support', { groups: ['support'] }));
  const agents = [agent('a', { capacity: { chat: 2, callback: 1 } }), agent('b', { state: 'NotReady' })];

  it('numbers interactions 1.. in routing order within each queue and channel', () => {
    const items = [
      waiting('s-late', { enqueuedAt: 30 }),
      waiting('s-early', { enqueuedAt: 10 }),
      waiting('s-vip', { enqueuedAt: 50, priority: 5 }),
      waiting('s-cb', { enqueuedAt: 5, channel: 'callback' }),
      waiting('t-1', { enqueuedAt: 1, queue: 'support' }),
      waiting('s-offered', { enqueuedAt: 0, offeredTo: 'a' }),
    ];
    const aht = (q: string): number => (q === 'sales' ? 300 : 120);
    const pos = queuePositions(items, agents, queues, aht);
    // sales chat: S = 2 + 3 = 5
    expect(pos.get('s-vip')).toEqual({ position: 1, ewtSec: 60 });
    expect(pos.get('s-offered')).toEqual({ position: 2, ewtSec: 120 });
    expect(pos.get('s-early')).toEqual({ position: 3, ewtSec: 180 });
    expect(pos.get('s-late')).toEqual({ position: 4, ewtSec: 240 });
    // sales callback: S = 1 + 1
    expect(pos.get('s-cb')).toEqual({ position: 1, ewtSec: 150 });
    // support has nobody: S = 0 → p × AHT
    expect(pos.get('t-1')).toEqual({ position: 1, ewtSec: 120 });
    expect(pos.size).toBe(6);
  });

  it('a re-queued interaction gets its old place back', () => {
    const items = [waiting('new', { enqueuedAt: 100 }), waiting('requeued', { enqueuedAt: 10 })];
    const pos = queuePositions(items, agents, queues, () => 300);
    expect(pos.get('requeued')?.position).toBe(1);
    expect(pos.get('new')?.position).toBe(2);
  });

  it('unknown queues still get a position, with S = 0', () => {
    const pos = queuePositions([waiting('x', { queue: 'gone' })], agents, queues, () => 50);
    expect(pos.get('x')).toEqual({ position: 1, ewtSec: 50 });
  });
});
