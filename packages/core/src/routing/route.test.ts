import { describe, it, expect } from 'vitest';
import { route } from './route.js';
import { isEligible } from './eligibility.js';
import { agent, queue, queueMap, waiting } from './testing.js';

const NOW = 1_000_000;
const sales = queueMap(queue('sales'));

describe('isEligible', () => {
  const q = queue('loans', { groups: ['loans', 'sales'], requiredSkills: { english: 3, loans: 2 } });
  it('needs a group of the queue, every skill at or above its level, and capacity on the channel', () => {
    const a = agent('a', { groups: ['loans'], skills: { english: 3, loans: 5 } });
    expect(isEligible(a, q, 'chat')).toBe(true);
    expect(isEligible({ ...a, groups: ['support'] }, q, 'chat')).toBe(false);
    expect(isEligible({ ...a, skills: { english: 2, loans: 5 } }, q, 'chat')).toBe(false);
    expect(isEligible({ ...a, skills: { english: 3 } }, q, 'chat')).toBe(false);
    expect(isEligible({ ...a, capacity: { chat: 0, callback: 1 } }, q, 'chat')).toBe(false);
    expect(isEligible({ ...a, capacity: { chat: 0, callback: 1 } }, q, 'callback')).toBe(true);
  });
  it('ignores the agent state (eligibility is about the account)', () => {
    const a = agent('a', { state: 'LoggedOut', groups: ['sales'], skills: { english: 9, loans: 9 } });
    expect(isEligible(a, q, 'chat')).toBe(true);
  });
});

describe('route', () => {
  it('offers to the longest-idle Ready agent', () => {
    const agents = [
      agent('a', { idleSince: 300 }),
      agent('b', { idleSince: 100 }),
      agent('c', { idleSince: 200 }),
    ];
    expect(route([waiting('i1')], agents, sales, NOW)).toEqual([{ interactionId: 'i1', agentId: 'b' }]);
  });

  it('breaks idle ties by the smallest agentId (code-unit order)', () => {
    const agents = [agent('bob'), agent('Zed'), agent('amy')];
    expect(route([waiting('i1')], agents, sales, NOW)).toEqual([{ interactionId: 'i1', agentId: 'Zed' }]);
  });

  it('serves priority first, then FIFO by enqueue time, across queues', () => {
    const queues = queueMap(queue('sales'), queue('support'));
    const items = [
      waiting('old-low', { enqueuedAt: 10, priority: 1, queue: 'support' }),
      waiting('new-high', { enqueuedAt: 50, priority: 9 }),
      waiting('mid-low', { enqueuedAt: 20, priority: 1 }),
      waiting('oldest-high', { enqueuedAt: 40, priority: 9, queue: 'support' }),
    ];
    const one = [agent('a', { capacity: { chat: 1, callback: 0 } })];
    expect(route(items, one, queues, NOW)).toEqual([{ interactionId: 'oldest-high', agentId: 'a' }]);
    const four = [agent('a', { capacity: { chat: 4, callback: 0 } })];
    expect(route(items, four, queues, NOW).map((x) => x.interactionId)).toEqual([
      'oldest-high',
      'new-high',
      'old-low',
      'mid-low',
    ]);
  });

  it('a re-queued interaction keeps its original enqueue time and goes before later arrivals', () => {
    const items = [waiting('later', { enqueuedAt: 500 }), waiting('requeued', { enqueuedAt: 100 })];
    const agents = [agent('a', { capacity: { chat: 1, callback: 0 } })];
    expect(route(items, agents, sales, NOW)).toEqual([{ interactionId: 'requeued', agentId: 'a' }]);
  });

  it('respects capacity: several assignments in one call never exceed free seats', () => {
    const items = ['i1', 'i2', 'i3', 'i4', 'i5', 'i6'].map((id, n) => waiting(id, { enqueuedAt: n }));
    const agents = [
      agent('a', { idleSince: 1, capacity: { chat: 3, callback: 0 }, active: { chat: 1, callback: 0 } }),
      agent('b', { idleSince: 2, capacity: { chat: 2, callback: 0 } }),
    ];
    const result = route(items, agents, sales, NOW);
    expect(result).toEqual([
      { interactionId: 'i1', agentId: 'a' },
      { interactionId: 'i2', agentId: 'a' },
      { interactionId: 'i3', agentId: 'b' },
      { interactionId: 'i4', agentId: 'b' },
    ]);
  });

  it('counts seats per channel', () => {
    const items = [
      waiting('cb1', { channel: 'callback' }),
      waiting('cb2', { channel: 'callback', enqueuedAt: 1 }),
    ];
    const agents = [agent('a', { capacity: { chat: 3, callback: 1 }, active: { chat: 3, callback: 0 } })];
    expect(route(items, agents, sales, NOW)).toEqual([{ interactionId: 'cb1', agentId: 'a' }]);
  });

  it('gives nothing to NotReady, AfterChatWork or LoggedOut agents', () => {
    const agents = [
      agent('n', { state: 'NotReady' }),
      agent('w', { state: 'AfterChatWork' }),
      agent('o', { state: 'LoggedOut' }),
    ];
    expect(route([waiting('i1')], agents, sales, NOW)).toEqual([]);
    expect(route([waiting('i1')], [...agents, agent('r', { idleSince: 9 })], sales, NOW)).toEqual([
      { interactionId: 'i1', agentId: 'r' },
    ]);
  });

  it('requires skill levels, and lets a later interaction through when the head needs a skill nobody has', () => {
    const queues = queueMap(queue('sales'), queue('loans', { requiredSkills: { loans: 4 } }));
    const items = [
      waiting('needs-loans', { queue: 'loans', enqueuedAt: 1 }),
      waiting('plain', { enqueuedAt: 2 }),
    ];
    const agents = [agent('junior', { skills: { loans: 3 } })];
    expect(route(items, agents, queues, NOW)).toEqual([{ interactionId: 'plain', agentId: 'junior' }]);
    const senior = agent('senior', { skills: { loans: 4 }, idleSince: 5 });
    expect(route(items, [...agents, senior], queues, NOW)).toEqual([
      { interactionId: 'needs-loans', agentId: 'senior' },
      { interactionId: 'plain', agentId: 'junior' },
    ]);
  });

  it('routes only to members of the queue’s groups', () => {
    const queues = queueMap(queue('vip', { groups: ['vip'] }));
    const agents = [agent('a'), agent('b', { groups: ['support', 'vip'], idleSince: 50 })];
    expect(route([waiting('i1', { queue: 'vip' })], agents, queues, NOW)).toEqual([
      { interactionId: 'i1', agentId: 'b' },
    ]);
  });

  it('skips an agent excluded for the interaction until the exclusion ends', () => {
    const items = [waiting('i1', { excluded: { a: NOW + 1 } })];
    const agents = [agent('a', { idleSince: 1 }), agent('b', { idleSince: 2 })];
    expect(route(items, agents, sales, NOW)).toEqual([{ interactionId: 'i1', agentId: 'b' }]);
    expect(route(items, [agents[0]!], sales, NOW)).toEqual([]);
    // At the exclusion's end the agent is eligible again.
    expect(route(items, agents, sales, NOW + 1)).toEqual([{ interactionId: 'i1', agentId: 'a' }]);
    // Exclusion is per interaction: another interaction may go to the excluded agent.
    expect(route([...items, waiting('i2', { enqueuedAt: 1 })], [agents[0]!], sales, NOW)).toEqual([
      { interactionId: 'i2', agentId: 'a' },
    ]);
  });

  it('leaves interactions that are being offered alone', () => {
    const items = [waiting('offered', { offeredTo: 'a' }), waiting('next', { enqueuedAt: 1 })];
    const agents = [agent('a', { active: { chat: 1, callback: 0 } })];
    expect(route(items, agents, sales, NOW)).toEqual([{ interactionId: 'next', agentId: 'a' }]);
  });

  it('skips interactions of unknown queues and returns [] with no agents or nothing waiting', () => {
    expect(route([waiting('i1', { queue: 'gone' })], [agent('a')], sales, NOW)).toEqual([]);
    expect(route([waiting('i1')], [], sales, NOW)).toEqual([]);
    expect(route([], [agent('a')], sales, NOW)).toEqual([]);
  });

  it('does not mutate its inputs', () => {
    const items = [waiting('i2', { enqueuedAt: 5 }), waiting('i1')];
    const agents = [agent('b', { idleSince: 5 }), agent('a')];
    const before = structuredClone({ items, agents });
    route(items, agents, sales, NOW);
    expect({ items, agents }).toEqual(before);
  });
});
