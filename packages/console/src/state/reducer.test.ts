// @vitest-environment node
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { AgentEvent, AgentInteraction, ChatMessage } from '@beckon/client';
import { desktopReducer } from './reducer.js';
import { initialDesktopState } from './desktop-state.js';
import type { DesktopAction, DesktopState } from './desktop-state.js';

type Draft = { Event: AgentEvent['Event'] } & Record<string, unknown>;

/** Numbers a list of event drafts as the server would (seq from `from`). */
function events(drafts: Draft[], from = 1): AgentEvent[] {
  return drafts.map(
    (d, i) => ({ AgentID: 'jdoe', time: 1000 + i, seq: from + i, ...d }) as unknown as AgentEvent,
  );
}

const run = (actions: DesktopAction[], s: DesktopState = signedIn()) => actions.reduce(desktopReducer, s);
const ev = (e: AgentEvent, at = 10_000): DesktopAction => ({ type: 'event', event: e, at });

function signedIn(): DesktopState {
  return desktopReducer(initialDesktopState, {
    type: 'signedIn',
    session: {
      token: 't',
      csrf: 'c',
      agent: { agentId: 'jdoe', name: 'Jane', groups: [], capacity: { chat: 3, callback: 1 } },
    },
  });
}

const invite = (id: string, media: 'chat' | 'callback' = 'chat'): Draft => ({
  Event: 'EventInvite',
  InteractionID: id,
  MediaType: media,
  Queue: 'sales',
  TimeoutSec: 15,
  UserData: {
    visitID: 'V1',
    pageID: 'P1',
    webengagement: 'reactive',
    engagementId: 'E1',
    engagementName: 'Chat',
    phoneNumber: media === 'callback' ? '+33123456789' : undefined,
  },
});
const agentParty = { Type: 'agent', ID: 'jdoe', Name: 'Jane' };
const message = (
  id: string,
  seq: number,
  type: 'visitor' | 'agent' = 'visitor',
  clientMessageId: string | null = null,
): ChatMessage => ({
  id,
  seq,
  interactionId: 'I1',
  from: { type, id: null, name: type === 'visitor' ? 'Bob' : 'Jane' },
  text: `m${seq}`,
  timestamp: seq,
  clientMessageId,
});

describe('desktop reducer', () => {
  it('follows the agent state events, including AfterChatWork and reason codes', () => {
    const list = events([
      { Event: 'EventAgentLogin' },
      { Event: 'EventAgentNotReady', ReasonCode: null },
      { Event: 'EventAgentReady' },
      { Event: 'EventAgentNotReady', ReasonCode: 'Lunch' },
    ]);
    let s = run(list.map((e) => ev(e)));
    expect([s.agentState, s.reasonCode, s.lastSeq]).toEqual(['NotReady', 'Lunch', 4]);
    s = run(
      events([{ Event: 'EventAgentNotReady', ReasonCode: null, WorkMode: 'AfterChatWork' }], 5).map((e) =>
        ev(e),
      ),
      s,
    );
    expect(s.agentState).toBe('AfterChatWork');
    s = run(
      events([{ Event: 'EventAgentLogout', Reason: 'agent' }], 6).map((e) => ev(e)),
      s,
    );
    expect(s.agentState).toBe('LoggedOut');
  });

  it('applies each seq once, whatever the replay overlap', () => {
    const list = events([
      invite('I1'),
      { Event: 'EventPartyAdded', InteractionID: 'I1', Party: agentParty },
      { Event: 'EventChatMessage', InteractionID: 'I1', Message: message('a', 1) },
    ]);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 2 }), { maxLength: 12 }), (repeats) => {
        // Deliver in order, with arbitrary re-deliveries of earlier events interleaved (a resume overlap).
        const actions: DesktopAction[] = [];
        list.forEach((e, i) => {
          actions.push(ev(e));
          for (const r of repeats) if (r <= i) actions.push(ev(list[r]!));
        });
        const s = run(actions);
        expect(s.lastSeq).toBe(3);
        expect(s.interactions.I1!.phase).toBe('connected');
        expect(s.interactions.I1!.chat.messages).toHaveLength(1);
      }),
    );
  });

  it('shows an invite with its deadline, selects it, and removes it on revoke or reject', () => {
    let s = run([ev(events([invite('I1')])[0]!, 50_000)]);
    expect(s.interactions.I1).toMatchObject({
      phase: 'invited',
      inviteDeadline: 65_000,
      visitID: 'V1',
      webengagement: 'reactive',
    });
    expect(s.selected).toBe('I1');
    s = run(
      events([{ Event: 'EventRevoked', InteractionID: 'I1', Reason: 'timeout' }, invite('I2')], 2).map((e) =>
        ev(e),
      ),
      s,
    );
    expect(s.order).toEqual(['I2']);
    expect(s.selected).toBe('I2');
    s = run(
      events([{ Event: 'EventRejected', InteractionID: 'I2' }], 4).map((e) => ev(e)),
      s,
    );
    expect(s.order).toEqual([]);
    expect(s.selected).toBeNull();
  });

  it('holds several chats, counts unread messages of the ones not selected, and keeps ended chats until dismissed', () => {
    let s = run(
      events([
        invite('I1'),
        { Event: 'EventPartyAdded', InteractionID: 'I1', Party: agentParty },
        invite('I2'),
        { Event: 'EventPartyAdded', InteractionID: 'I2', Party: agentParty },
        {
          Event: 'EventChatMessage',
          InteractionID: 'I2',
          Message: { ...message('x', 1), interactionId: 'I2' },
        },
        { Event: 'EventTyping', InteractionID: 'I1', From: 'visitor', Typing: true },
      ]).map((e) => ev(e, 20_000)),
    );
    expect(s.selected).toBe('I1');
    expect(s.interactions.I2!.unread).toBe(1);
    expect(s.interactions.I1!.visitorTypingUntil).toBe(26_000);
    s = desktopReducer(s, { type: 'select', interactionId: 'I2' });
    expect(s.interactions.I2!.unread).toBe(0);
    s = run(
      events(
        [
          {
            Event: 'EventPartyRemoved',
            InteractionID: 'I2',
            Party: { Type: 'visitor', ID: null, Name: 'Bob' },
            Reason: 'visitorClosed',
          },
          { Event: 'EventReleased', InteractionID: 'I2', Reason: 'visitorClosed' },
        ],
        7,
      ).map((e) => ev(e)),
      s,
    );
    expect(s.interactions.I2).toMatchObject({
      phase: 'ended',
      endReason: 'visitorClosed',
      visitorPresent: false,
    });
    s = desktopReducer(s, { type: 'dismiss', interactionId: 'I2' });
    expect(s.order).toEqual(['I1']);
    expect(s.selected).toBe('I1');
  });

  it('drops a replayed old invite that was released without being taken here', () => {
    const s = run(
      events([invite('OLD'), { Event: 'EventReleased', InteractionID: 'OLD', Reason: 'visitorGone' }]).map(
        (e) => ev(e),
      ),
    );
    expect(s.order).toEqual([]);
  });

  it('does not take a connected interaction back to invited on a replayed invite', () => {
    const me = {
      type: 'me',
      at: 1,
      me: {
        agentId: 'jdoe',
        name: 'Jane',
        state: 'Ready',
        reasonCode: null,
        afterChatWork: false,
        interactions: [interaction('I1', 'connected')],
      },
    } satisfies DesktopAction;
    const s = run([me, ...events([invite('I1')]).map((e) => ev(e))]);
    expect(s.interactions.I1!.phase).toBe('connected');
  });

  it('replaces state by an EventResync snapshot, even with a lower seq', () => {
    let s = run(
      events([
        invite('I1'),
        { Event: 'EventPartyAdded', InteractionID: 'I1', Party: agentParty },
        invite('I2'),
        { Event: 'EventAgentReady' },
      ]).map((e) => ev(e)),
    );
    const resync = {
      Event: 'EventResync',
      AgentID: 'jdoe',
      seq: 2,
      time: 5,
      Snapshot: { state: 'NotReady', reasonCode: 'Break', interactions: [interaction('I3', 'invited')] },
    } as AgentEvent;
    s = desktopReducer(s, ev(resync));
    expect([s.agentState, s.reasonCode, s.lastSeq]).toEqual(['NotReady', 'Break', 2]);
    expect(s.interactions.I1!.phase).toBe('ended');
    expect(s.interactions.I2).toBeUndefined();
    expect(s.interactions.I3).toMatchObject({ phase: 'invited', inviteDeadline: null });
    s = desktopReducer(s, ev(events([{ Event: 'EventAgentReady' }], 3)[0]!));
    expect(s.agentState).toBe('Ready');
  });

  it('takes lastSeq and interactions from /me, callback details included', () => {
    const s = run([
      {
        type: 'me',
        at: 1,
        me: {
          agentId: 'jdoe',
          name: 'Jane',
          state: 'NotReady',
          reasonCode: 'Break',
          afterChatWork: false,
          lastSeq: 41,
          interactions: [
            {
              ...interaction('C1', 'connected'),
              mediaType: 'callback',
              phoneNumber: '+33123456789',
              preferredTime: '2026-01-01T10:00:00+01:00',
            },
          ],
        },
      },
    ]);
    expect(s.lastSeq).toBe(41);
    expect(s.interactions.C1).toMatchObject({
      mediaType: 'callback',
      phoneNumber: '+33123456789',
      callbackState: 'toDial',
    });
    const after = run([ev(events([{ Event: 'EventAgentReady' }], 41)[0]!)], s);
    expect(after.agentState).toBe('NotReady');
  });

  it('merges sent, acknowledged and streamed messages without duplicates', () => {
    let s = run(
      events([invite('I1'), { Event: 'EventPartyAdded', InteractionID: 'I1', Party: agentParty }]).map((e) =>
        ev(e),
      ),
    );
    s = desktopReducer(s, { type: 'sending', interactionId: 'I1', clientMessageId: 'c1', text: 'hi' });
    expect(s.interactions.I1!.chat.pending).toHaveLength(1);
    s = desktopReducer(
      s,
      ev(
        events(
          [{ Event: 'EventChatMessage', InteractionID: 'I1', Message: message('m1', 1, 'agent', 'c1') }],
          3,
        )[0]!,
      ),
    );
    s = desktopReducer(s, {
      type: 'messages',
      interactionId: 'I1',
      messages: [message('m1', 1, 'agent', 'c1'), message('m0', 2)],
    });
    expect(s.interactions.I1!.chat.pending).toEqual([]);
    expect(s.interactions.I1!.chat.messages.map((m) => m.id)).toEqual(['m1', 'm0']);
    expect(s.interactions.I1!.visitorName).toBe('Bob');
  });

  it('applies live visit activity to the journey of that interaction, before and after the REST read', () => {
    let s = run(events([invite('I1')]).map((e) => ev(e)));
    s = desktopReducer(
      s,
      ev(
        events(
          [
            {
              Event: 'EventVisitActivity',
              InteractionID: 'I1',
              visitID: 'V1',
              Kind: 'page',
              Item: {
                eventName: 'PageEntered',
                eventID: 'e2',
                pageID: 'P2',
                url: 'https://shop/tv',
                timestamp: 2000,
                category: 'TV',
                data: { title: 'TVs' },
              },
            },
          ],
          2,
        )[0]!,
      ),
    );
    expect(s.journeys.I1!.view.pages.map((p) => p.pageId)).toEqual(['P2']);
    s = desktopReducer(s, {
      type: 'journeyLoaded',
      interactionId: 'I1',
      journey: {
        visit: {
          visitId: 'V1',
          globalVisitID: 'G',
          startDate: 1000,
          userAgent: 'UA',
          referrer: null,
          pages: [
            {
              pageId: 'P1',
              url: 'https://shop/',
              title: 'Home',
              startDate: 1000,
              endDate: 2000,
              durationMs: 1000,
              category: '',
              events: null,
            },
          ],
        } as never,
        identities: [],
        previousVisits: [],
        chats: [],
        actionable: [],
      },
    });
    expect(s.journeys.I1!.status).toBe('ready');
    expect(s.journeys.I1!.view.pages.map((p) => [p.pageId, p.title])).toEqual([
      ['P1', 'Home'],
      ['P2', 'TVs'],
    ]);
  });
});

function interaction(id: string, state: string): AgentInteraction {
  return {
    interactionId: id,
    mediaType: 'chat',
    state,
    queue: 'sales',
    visitID: 'V1',
    pageID: 'P1',
    identityId: null,
    engagementId: 'E1',
    webengagement: 'reactive',
    startedAt: 1,
  };
}
