import { describe, it, expect } from 'vitest';
import { initialAgentStatus, transitionAgent, type AgentCommand } from './agent-state.js';
import type { AgentState, AgentStatus } from './model.js';

const T0 = 1_700_000_000_000;
const NOW = T0 + 60_000;

function statusIn(state: AgentState): AgentStatus {
  return {
    state,
    reasonCode: state === 'NotReady' ? 'Break' : null,
    afterChatWork: state === 'AfterChatWork',
    idleSince: T0,
  };
}

const commands: Record<string, AgentCommand> = {
  login: { type: 'login' },
  ready: { type: 'ready' },
  notReady: { type: 'notReady', reasonCode: 'Lunch' },
  logout: { type: 'logout', reason: 'agent', activeInteractions: 0 },
  interactionEnded: { type: 'interactionEnded', afterChatWorkSec: 30 },
  afterChatWorkElapsed: { type: 'afterChatWorkElapsed' },
  inviteTimedOut: { type: 'inviteTimedOut' },
};

/** Expected target state per (from, command); null = rejected with wrongState. */
const table: Record<AgentState, Record<keyof typeof commands, AgentState | null>> = {
  LoggedOut: {
    login: 'NotReady',
    ready: null,
    notReady: null,
    logout: null,
    interactionEnded: null,
    afterChatWorkElapsed: null,
    inviteTimedOut: null,
  },
  NotReady: {
    login: null,
    ready: 'Ready',
    notReady: null,
    logout: 'LoggedOut',
    interactionEnded: 'NotReady',
    afterChatWorkElapsed: null,
    inviteTimedOut: 'NotReady',
  },
  Ready: {
    login: null,
    ready: null,
    notReady: 'NotReady',
    logout: 'LoggedOut',
    interactionEnded: 'AfterChatWork',
    afterChatWorkElapsed: null,
    inviteTimedOut: 'NotReady',
  },
  AfterChatWork: {
    login: null,
    ready: 'Ready',
    notReady: 'NotReady',
    logout: 'LoggedOut',
    interactionEnded: 'AfterChatWork',
    afterChatWorkElapsed: 'Ready',
    inviteTimedOut: 'NotReady',
  },
};

describe('transitionAgent: the full state × command table', () => {
  for (const [from, row] of Object.entries(table) as [AgentState, Record<string, AgentState | null>][]) {
    for (const [name, to] of Object.entries(row)) {
      const command = commands[name]!;
      it(`${from} --${name}--> ${to ?? 'wrongState'}`, () => {
        const before = statusIn(from);
        const frozen = structuredClone(before);
        const result = transitionAgent(before, command, NOW);
        expect(before).toEqual(frozen); // never mutates its input
        if (to === null) {
          expect(result).toMatchObject({ ok: false, code: 'wrongState' });
          if (!result.ok) expect(result.message.length).toBeGreaterThan(0);
        } else {
          expect(result.ok).toBe(true);
          if (result.ok) {
            expect(result.status.state).toBe(to);
            expect(result.status.afterChatWork).toBe(to === 'AfterChatWork');
            if (to !== 'NotReady') expect(result.status.reasonCode).toBeNull();
          }
        }
      });
    }
  }
});

describe('transitionAgent: events and attributes', () => {
  it('starts LoggedOut', () => {
    expect(initialAgentStatus(T0)).toEqual({
      state: 'LoggedOut',
      reasonCode: null,
      afterChatWork: false,
      idleSince: T0,
    });
  });

  it('login → NotReady without reason, EventAgentLogin then EventAgentNotReady, idle since login', () => {
    const r = transitionAgent(initialAgentStatus(T0), { type: 'login' }, NOW);
    expect(r).toEqual({
      ok: true,
      status: { state: 'NotReady', reasonCode: null, afterChatWork: false, idleSince: NOW },
      events: [{ Event: 'EventAgentLogin' }, { Event: 'EventAgentNotReady', ReasonCode: null }],
    });
  });

  it('ready from NotReady and from AfterChatWork: EventAgentReady, idle since now, reason cleared', () => {
    for (const from of ['NotReady', 'AfterChatWork'] as const) {
      const r = transitionAgent(statusIn(from), { type: 'ready' }, NOW);
      expect(r).toEqual({
        ok: true,
        status: { state: 'Ready', reasonCode: null, afterChatWork: false, idleSince: NOW },
        events: [{ Event: 'EventAgentReady' }],
      });
    }
  });

  it('notReady carries the reason code (or null) and keeps idleSince', () => {
    const r = transitionAgent(statusIn('Ready'), { type: 'notReady', reasonCode: 'Lunch' }, NOW);
    expect(r).toEqual({
      ok: true,
      status: { state: 'NotReady', reasonCode: 'Lunch', afterChatWork: false, idleSince: T0 },
      events: [{ Event: 'EventAgentNotReady', ReasonCode: 'Lunch' }],
    });
    const n = transitionAgent(statusIn('AfterChatWork'), { type: 'notReady', reasonCode: null }, NOW);
    expect(n.ok && n.status).toMatchObject({ state: 'NotReady', reasonCode: null, afterChatWork: false });
    expect(n.ok && n.events).toEqual([{ Event: 'EventAgentNotReady', ReasonCode: null }]);
  });

  it('notReady while already NotReady is wrongState (the table allows it only from Ready and AfterChatWork)', () => {
    expect(
      transitionAgent(statusIn('NotReady'), { type: 'notReady', reasonCode: 'Lunch' }, NOW),
    ).toMatchObject({
      ok: false,
      code: 'wrongState',
    });
  });

  it('interaction end from Ready with afterChatWorkSec > 0 → AfterChatWork with WorkMode', () => {
    const r = transitionAgent(statusIn('Ready'), { type: 'interactionEnded', afterChatWorkSec: 30 }, NOW);
    expect(r).toEqual({
      ok: true,
      status: { state: 'AfterChatWork', reasonCode: null, afterChatWork: true, idleSince: NOW },
      events: [{ Event: 'EventAgentNotReady', ReasonCode: null, WorkMode: 'AfterChatWork' }],
    });
  });

  it('interaction end from Ready with afterChatWorkSec 0 stays Ready, idle since the end, no event', () => {
    const r = transitionAgent(statusIn('Ready'), { type: 'interactionEnded', afterChatWorkSec: 0 }, NOW);
    expect(r).toEqual({
      ok: true,
      status: { state: 'Ready', reasonCode: null, afterChatWork: false, idleSince: NOW },
      events: [],
    });
  });

  it('interaction end while NotReady keeps state and reason, moves idleSince, no event', () => {
    const r = transitionAgent(statusIn('NotReady'), { type: 'interactionEnded', afterChatWorkSec: 30 }, NOW);
    expect(r).toEqual({
      ok: true,
      status: { state: 'NotReady', reasonCode: 'Break', afterChatWork: false, idleSince: NOW },
      events: [],
    });
  });

  it('after-chat work elapsed → Ready with EventAgentReady', () => {
    const r = transitionAgent(statusIn('AfterChatWork'), { type: 'afterChatWorkElapsed' }, NOW);
    expect(r).toEqual({
      ok: true,
      status: { state: 'Ready', reasonCode: null, afterChatWork: false, idleSince: NOW },
      events: [{ Event: 'EventAgentReady' }],
    });
  });

  it('a stale after-chat-work timer (agent already Ready) is wrongState', () => {
    expect(transitionAgent(statusIn('Ready'), { type: 'afterChatWorkElapsed' }, NOW).ok).toBe(false);
  });

  it('unanswered invitation → NotReady NoAnswer from Ready and AfterChatWork', () => {
    for (const from of ['Ready', 'AfterChatWork'] as const) {
      const r = transitionAgent(statusIn(from), { type: 'inviteTimedOut' }, NOW);
      expect(r).toEqual({
        ok: true,
        status: { state: 'NotReady', reasonCode: 'NoAnswer', afterChatWork: false, idleSince: T0 },
        events: [{ Event: 'EventAgentNotReady', ReasonCode: 'NoAnswer' }],
      });
    }
  });

  it('unanswered invitation while NotReady changes nothing (keeps the agent’s own reason)', () => {
    const before = statusIn('NotReady');
    expect(transitionAgent(before, { type: 'inviteTimedOut' }, NOW)).toEqual({
      ok: true,
      status: before,
      events: [],
    });
  });

  it('agent logout is refused while interactions are active', () => {
    const r = transitionAgent(
      statusIn('Ready'),
      { type: 'logout', reason: 'agent', activeInteractions: 2 },
      NOW,
    );
    expect(r).toMatchObject({ ok: false, code: 'wrongState' });
  });

  it('disconnect and supervisor logouts are forced even with active interactions', () => {
    for (const reason of ['disconnected', 'supervisor'] as const) {
      for (const from of ['NotReady', 'Ready', 'AfterChatWork'] as const) {
        const r = transitionAgent(statusIn(from), { type: 'logout', reason, activeInteractions: 3 }, NOW);
        expect(r).toEqual({
          ok: true,
          status: { state: 'LoggedOut', reasonCode: null, afterChatWork: false, idleSince: NOW },
          events: [{ Event: 'EventAgentLogout', Reason: reason }],
        });
      }
    }
  });

  it('logout with reason agent and no active interactions → EventAgentLogout {Reason: agent}', () => {
    const r = transitionAgent(
      statusIn('NotReady'),
      { type: 'logout', reason: 'agent', activeInteractions: 0 },
      NOW,
    );
    expect(r.ok && r.events).toEqual([{ Event: 'EventAgentLogout', Reason: 'agent' }]);
  });

  it('logout from LoggedOut is wrongState whatever the reason', () => {
    for (const reason of ['agent', 'disconnected', 'supervisor'] as const) {
      const r = transitionAgent(
        initialAgentStatus(T0),
        { type: 'logout', reason, activeInteractions: 0 },
        NOW,
      );
      expect(r).toMatchObject({ ok: false, code: 'wrongState' });
    }
  });

  it('a whole shift: login, ready, chat ends with ACW, ready again, break, logout', () => {
    let s = initialAgentStatus(T0);
    const steps: [AgentCommand, AgentState][] = [
      [{ type: 'login' }, 'NotReady'],
      [{ type: 'ready' }, 'Ready'],
      [{ type: 'interactionEnded', afterChatWorkSec: 10 }, 'AfterChatWork'],
      [{ type: 'afterChatWorkElapsed' }, 'Ready'],
      [{ type: 'notReady', reasonCode: 'Break' }, 'NotReady'],
      [{ type: 'logout', reason: 'agent', activeInteractions: 0 }, 'LoggedOut'],
    ];
    let t = T0;
    for (const [cmd, to] of steps) {
      const r = transitionAgent(s, cmd, (t += 1000));
      if (!r.ok) throw new Error(r.message);
      expect(r.status.state).toBe(to);
      s = r.status;
    }
  });
});
