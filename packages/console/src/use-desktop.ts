/**
 * The desktop's one stateful hook: it owns the agent client, the event stream and the reducer, and turns the
 * agent's clicks into REST calls. Everything the desktop decides (what to show, what is a repeat) is in the pure
 * reducer; this file only does I/O: sign-in, `/me`, the stream with resume, catch-up reads of chat messages and
 * journeys, and typing notices at most one per 2 s (spec §7).
 */
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { createAgentClient, openAgentStream } from '@beckon/client';
import type { AgentClient, AgentStream, CallbackOutcome } from '@beckon/client';
import { BeckonError, isBeckonError } from '@beckon/protocol';
import { desktopReducer } from './state/reducer.js';
import { initialDesktopState } from './state/desktop-state.js';
import type { DesktopState } from './state/desktop-state.js';
import { contiguousSeq, hasGap } from './state/messages.js';

const TOKEN_KEY = 'beckon.agent.token';
const seqKey = (agentId: string) => `beckon.agent.lastSeq.${agentId}`;
const TYPING_EVERY_MS = 2000;
const TYPING_IDLE_MS = 3000;

export interface DesktopActions {
  signIn(agentId: string, password: string): Promise<void>;
  signOut(): Promise<void>;
  /** Back into routing after a logout (e.g. by a supervisor or after a disconnect). */
  login(): void;
  ready(): void;
  notReady(reasonCode: string): void;
  accept(id: string): void;
  reject(id: string): void;
  release(id: string): void;
  send(id: string, text: string): void;
  retry(id: string, clientMessageId: string, text: string): void;
  typing(id: string): void;
  dialled(id: string): void;
  outcome(id: string, code: CallbackOutcome, note: string): void;
  select(id: string | null): void;
  dismiss(id: string): void;
  clearNotice(): void;
}

function messageOf(error: unknown): string {
  if (isBeckonError(error)) return `${error.message} (${error.code})`;
  return error instanceof Error ? error.message : String(error);
}

function newClientMessageId(): string {
  return globalThis.crypto?.randomUUID?.() ?? `c-${Date.now()}-${Math.floor(Math.random() * 1e9)}`;
}

/** The desktop state, a ticking clock for countdowns, and the agent's actions. */
export function useDesktop(): {
  state: DesktopState;
  now: number;
  signedIn: boolean;
  actions: DesktopActions;
} {
  const [state, dispatch] = useReducer(desktopReducer, initialDesktopState);
  const [now, setNow] = useState(() => Date.now());
  /** Counts stream (re)connections, so each one triggers one catch-up read per chat. */
  const [generation, setGeneration] = useState(0);
  const [token, setToken] = useState<string | null>(() => sessionStorage.getItem(TOKEN_KEY));
  const client: AgentClient = useMemo(() => createAgentClient({ baseUrl: location.origin, token }), [token]);
  const stateRef = useRef(state);
  stateRef.current = state;
  const inFlight = useRef(new Set<string>());
  const typingState = useRef(
    new Map<string, { sentAt: number; idle: ReturnType<typeof setTimeout> | null }>(),
  );

  const fail = useCallback((error: unknown) => {
    if (isBeckonError(error) && error.code === 'unauthorized') {
      sessionStorage.removeItem(TOKEN_KEY);
      setToken(null);
      dispatch({ type: 'signedOut' });
      dispatch({ type: 'notice', message: 'Your session has ended. Please sign in again.' });
      return;
    }
    dispatch({ type: 'notice', message: messageOf(error) });
  }, []);

  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, []);

  // Session: load /me, sign the agent in to routing if needed, then keep the stream open.
  useEffect(() => {
    if (!token) return;
    let stream: AgentStream | null = null;
    let cancelled = false;
    (async () => {
      try {
        let me = await client.me();
        if (me.state === 'LoggedOut') {
          await client.login();
          me = await client.me();
        }
        if (cancelled) return;
        // Resume where this tab left off (a reload), else ask the server for a fresh snapshot (EventResync).
        const stored = sessionStorage.getItem(seqKey(me.agentId));
        const startSeq = me.lastSeq ?? (stored !== null && /^\d+$/.test(stored) ? Number(stored) : null);
        dispatch({ type: 'me', me: startSeq === null ? me : { ...me, lastSeq: startSeq }, at: Date.now() });
        // Tracked here as well as in the reducer: the reducer's value reaches stateRef only at the next render.
        let applied: number | null = startSeq;
        stream = openAgentStream({
          url: (lastSeq) => client.streamUrl(lastSeq),
          lastSeq: () => applied,
          onEvent: (event) => {
            applied = event.Event === 'EventResync' ? event.seq : Math.max(applied ?? 0, event.seq);
            dispatch({ type: 'event', event, at: Date.now() });
          },
          onStatus: (status, { attempt }) => {
            dispatch({ type: 'connection', status });
            // A refused WebSocket upgrade looks like any network drop; ask REST whether the session still holds.
            if (status === 'reconnecting' && attempt === 3) client.me().catch(fail);
            if (status === 'open') setGeneration((g) => g + 1);
            if (status === 'unauthorized')
              fail(new BeckonError('unauthorized', 'The event stream refused the session.'));
          },
        });
      } catch (error) {
        if (!cancelled) fail(error);
      }
    })();
    return () => {
      cancelled = true;
      stream?.close();
    };
  }, [token, client, fail]);

  useEffect(() => {
    if (state.agentId && state.lastSeq > 0)
      sessionStorage.setItem(seqKey(state.agentId), String(state.lastSeq));
  }, [state.agentId, state.lastSeq]);

  // Catch-up reads: a journey for every interaction shown, and chat messages when a chat is connected, after a
  // reconnect, or when a gap shows that a message was missed.
  useEffect(() => {
    if (!token) return;
    for (const id of state.order) {
      const view = state.interactions[id]!;
      if (!state.journeys[id] && !inFlight.current.has(`j:${id}`)) {
        inFlight.current.add(`j:${id}`);
        dispatch({ type: 'journeyLoading', interactionId: id });
        client
          .journey(id)
          .then((journey) => dispatch({ type: 'journeyLoaded', interactionId: id, journey }))
          .catch((e: unknown) => dispatch({ type: 'journeyFailed', interactionId: id, error: messageOf(e) }))
          .finally(() => inFlight.current.delete(`j:${id}`));
      }
      if (view.mediaType !== 'chat' || view.phase !== 'connected') continue;
      // Once per reconnect, and once per missing range (first load, or a seq gap seen on the stream).
      const afterSeq = contiguousSeq(view.chat);
      const keys = [`m:${id}:g${generation}`];
      if (view.chat.messages.length === 0 || hasGap(view.chat)) keys.push(`m:${id}:s${afterSeq}`);
      const key = keys.find((k) => !inFlight.current.has(k));
      if (key) {
        for (const k of keys) inFlight.current.add(k);
        client
          .messages(id, afterSeq)
          .then((messages) => dispatch({ type: 'messages', interactionId: id, messages }))
          .catch(() => keys.forEach((k) => inFlight.current.delete(k)));
      }
    }
  }, [token, client, state.order, state.interactions, state.journeys, generation]);

  const act = useCallback((p: Promise<unknown>) => void p.catch(fail), [fail]);

  const actions: DesktopActions = useMemo(
    () => ({
      async signIn(agentId, password) {
        const c = createAgentClient({ baseUrl: location.origin });
        const session = await c.signIn(agentId, password);
        sessionStorage.setItem(TOKEN_KEY, session.token);
        dispatch({ type: 'signedIn', session });
        setToken(session.token);
      },
      async signOut() {
        try {
          if (stateRef.current.agentState !== 'LoggedOut') await client.logout();
          await client.signOut();
        } catch (error) {
          fail(error);
          return;
        }
        sessionStorage.removeItem(TOKEN_KEY);
        setToken(null);
        dispatch({ type: 'signedOut' });
      },
      login: () => act(client.login()),
      ready: () => act(client.ready()),
      notReady: (reasonCode) => act(client.notReady(reasonCode)),
      accept(id) {
        dispatch({ type: 'select', interactionId: id });
        act(client.accept(id));
      },
      reject: (id) => act(client.reject(id)),
      release: (id) => act(client.release(id)),
      send(id, text) {
        actions.retry(id, newClientMessageId(), text);
      },
      retry(id, clientMessageId, text) {
        dispatch({ type: 'sending', interactionId: id, clientMessageId, text });
        const t = typingState.current.get(id);
        if (t?.idle) clearTimeout(t.idle);
        typingState.current.delete(id);
        client
          .sendMessage(id, { clientMessageId, text })
          .then((message) => dispatch({ type: 'messages', interactionId: id, messages: [message] }))
          .catch((error: unknown) => {
            dispatch({ type: 'sendFailed', interactionId: id, clientMessageId });
            fail(error);
          });
      },
      typing(id) {
        const t = typingState.current.get(id) ?? { sentAt: 0, idle: null };
        const at = Date.now();
        if (at - t.sentAt >= TYPING_EVERY_MS) {
          t.sentAt = at;
          client.typing(id, true).catch(() => undefined);
        }
        if (t.idle) clearTimeout(t.idle);
        t.idle = setTimeout(() => {
          typingState.current.delete(id);
          client.typing(id, false).catch(() => undefined);
        }, TYPING_IDLE_MS);
        typingState.current.set(id, t);
      },
      dialled: (id) =>
        act(client.callbackDialled(id).then(() => dispatch({ type: 'dialled', interactionId: id }))),
      outcome: (id, code, note) =>
        act(
          client
            .callbackOutcome(id, code, note || undefined)
            .then(() => dispatch({ type: 'outcomeRecorded', interactionId: id, code })),
        ),
      select: (id) => dispatch({ type: 'select', interactionId: id }),
      dismiss: (id) => dispatch({ type: 'dismiss', interactionId: id }),
      clearNotice: () => dispatch({ type: 'notice', message: null }),
    }),
    [client, act, fail],
  );

  return { state, now, signedIn: token !== null, actions };
}
