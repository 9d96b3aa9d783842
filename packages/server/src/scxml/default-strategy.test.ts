import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  BeckonOutbox,
  createSession,
  loadScxml,
  performAction,
  RecordingEngagementActions,
  VirtualTimers,
  type BeckonPlatform,
  type ScxmlSession,
} from '@beckon/core/scxml';
import { createVmEvaluator } from './vm-evaluator.js';

const doc = loadScxml(readFileSync(new URL('./strategies/default.scxml', import.meta.url), 'utf8')).document!;

function actionable(channel: string) {
  return { ruleId: 'shop/cart', engagement: { channel, queue: 'sales', name: 'CartHelp' } };
}

function start(freeProactive: number) {
  const pacing = { freeProactive, free: 1, readyAgents: 1, queued: 0, reactiveState: 1 };
  const platform: BeckonPlatform = {
    beckon: { engagement: {}, visit: {}, pacing: () => pacing, now: () => 0 },
  };
  const timers = new VirtualTimers();
  const outbox = new BeckonOutbox('E1');
  const session = createSession({
    document: doc,
    evaluator: createVmEvaluator(),
    clock: timers,
    timers,
    sessionId: 'E1',
    ioProcessors: { beckon: outbox },
    platform,
  });
  session.start();
  const actions = new RecordingEngagementActions();
  const step = async (name: string, data: unknown = {}) => {
    session.send(name, data);
    for (const a of outbox.take()) {
      const failure = await performAction(actions, a);
      expect(failure).toBeUndefined();
    }
  };
  return { session, step, actions, pacing };
}

const calls = (a: RecordingEngagementActions) => a.calls.map((c) => [c.method, c.params]);
const ended = (s: ScxmlSession) => s.status === 'done' && s.atomicIds().join() === 'end';

describe('default engagement strategy', () => {
  it('invites when there is free proactive capacity, then starts the chat and records completion', async () => {
    const { session, step, actions } = await Promise.resolve(start(1));
    await step('actionable', actionable('chat'));
    expect(session.atomicIds()).toEqual(['inviting']);
    await step('invite.accepted', { engagementId: 'E1', at: 5 });
    expect(session.atomicIds()).toEqual(['waitEnd']);
    await step('chat.ended', { connected: true, reason: 'agent' });
    expect(ended(session)).toBe(true);
    expect(calls(actions)).toEqual([
      ['invite', { timeoutSec: 30 }],
      ['startChat', {}],
      ['recordOutcome', { code: 'completed' }],
    ]);
    expect(actions.calls.map((c) => c.ctx.idempotencyKey)).toEqual(['E1:1', 'E1:2', 'E1:3']);
  });

  it('creates a callback when a callback invitation is accepted', async () => {
    const { session, step, actions } = start(2);
    await step('actionable', actionable('callback'));
    await step('invite.accepted');
    await step('callback.done', { outcome: 'connected' });
    expect(ended(session)).toBe(true);
    expect(calls(actions).map((c) => c[0])).toEqual(['invite', 'createCallback']);
  });

  it('records a refusal and finishes', async () => {
    const { session, step, actions } = start(1);
    await step('actionable', actionable('chat'));
    await step('invite.refused', { reason: 'closed' });
    expect(ended(session)).toBe(true);
    expect(calls(actions)).toEqual([
      ['invite', { timeoutSec: 30 }],
      ['recordOutcome', { code: 'refused' }],
    ]);
  });

  it('records a timeout and finishes', async () => {
    const { session, step, actions } = start(1);
    await step('actionable', actionable('chat'));
    await step('invite.timeout');
    expect(ended(session)).toBe(true);
    expect(calls(actions).at(-1)).toEqual(['recordOutcome', { code: 'timeout' }]);
  });

  it('waits without capacity, re-checks on agent.available, and invites once capacity appears', async () => {
    const { session, step, actions, pacing } = start(0);
    await step('actionable', actionable('chat'));
    expect(session.atomicIds()).toEqual(['deciding']);
    await step('agent.available', { queue: 'sales', channel: 'chat', freeProactive: 0 });
    expect(session.atomicIds()).toEqual(['deciding']);
    pacing.freeProactive = 1;
    await step('agent.available', { queue: 'sales', channel: 'chat', freeProactive: 1 });
    expect(session.atomicIds()).toEqual(['inviting']);
    expect(calls(actions)).toEqual([['invite', { timeoutSec: 30 }]]);
  });

  it('records noCapacity when the engagement expires while waiting', async () => {
    const { session, step, actions } = start(0);
    await step('actionable', actionable('chat'));
    await step('engagement.expired');
    expect(ended(session)).toBe(true);
    expect(calls(actions)).toEqual([['recordOutcome', { code: 'noCapacity' }]]);
  });

  it('invites offers regardless of capacity and records acceptance', async () => {
    const { session, step, actions } = start(0);
    await step('actionable', actionable('offer'));
    await step('invite.accepted');
    expect(ended(session)).toBe(true);
    expect(calls(actions)).toEqual([
      ['invite', { timeoutSec: 30 }],
      ['recordOutcome', { code: 'accepted' }],
    ]);
  });

  it('ends on visit.ended or on a failed engagement action', async () => {
    const a = start(1);
    await a.step('actionable', actionable('chat'));
    await a.step('visit.ended');
    expect(ended(a.session)).toBe(true);

    const b = start(1);
    await b.step('actionable', actionable('chat'));
    b.session.send('error.communication', { sendid: 'x', target: 'invite', reason: 'inviteBusy' });
    expect(ended(b.session)).toBe(true);
  });
});
