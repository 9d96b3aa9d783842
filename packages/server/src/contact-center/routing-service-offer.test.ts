import { describe, expect, it } from 'vitest';
import type { AgentEvent, InviteUserData } from '@beckon/protocol';
import { AgentStreamHub } from './agent-stream.js';
import { RoutingService } from './routing-service.js';
import { manualScheduler } from './scheduler.js';

describe('RoutingService', () => {
  it('offers only live interactions: one that ended while it waited leaves the queue without an invite', () => {
    let t = 1_700_000_000_000;
    const clock = { now: () => t, set: (ms: number) => void (t = ms) };
    const stream = new AgentStreamHub({ now: clock.now, snapshot: () => ({}) });
    const routing = new RoutingService({
      now: clock.now,
      scheduler: manualScheduler(clock),
      stream,
      inviteTimeoutSec: 30,
      disconnectGraceSec: 10,
      exclusionSec: 60,
    });
    const live = new Map<string, InviteUserData>([
      [
        'LIVE',
        {
          visitID: 'V1',
          pageID: 'P1',
          webengagement: 'proactive',
          engagementId: 'E1',
          engagementName: 'help',
        },
      ],
    ]);
    routing.hooks = { ...routing.hooks, userData: (id) => live.get(id) ?? null };
    routing.setQueues(
      new Map([['sales', { name: 'sales', channels: ['chat'], groups: ['team'], requiredSkills: {} }]]),
    );

    const got: AgentEvent[] = [];
    stream.attach(
      'ann',
      { send: (text) => void got.push(JSON.parse(text) as AgentEvent), close: () => {} },
      0,
    );
    routing.login(
      {
        agentId: 'ann',
        name: 'Ann',
        groups: ['team'],
        skills: {},
        capacity: { chat: 1, callback: 0 },
        afterChatWorkSec: 0,
        enabled: true,
      },
      null,
      true,
    );
    // the ended interaction waited longer, so routing picks it first
    routing.enqueue({
      interactionId: 'GONE',
      queue: 'sales',
      channel: 'chat',
      priority: 50,
      enqueuedAt: t - 5000,
    });
    routing.enqueue({
      interactionId: 'LIVE',
      queue: 'sales',
      channel: 'chat',
      priority: 50,
      enqueuedAt: t - 1000,
    });
    routing.command('ann', { type: 'ready' });

    const invites = got.filter((e) => e.Event === 'EventInvite');
    expect(invites).toHaveLength(1);
    expect(invites[0]).toMatchObject({ InteractionID: 'LIVE', UserData: live.get('LIVE') });
    expect(routing.waiting.has('GONE')).toBe(false);
    expect(routing.waiting.get('LIVE')?.offeredTo).toBe('ann');
  });
});
