/**
 * One chat: the transcript (text rendered as text only, never as HTML), the visitor's typing notice, the composer
 * (Enter sends, Shift+Enter adds a line) and release. Messages still being sent show as such and can be retried
 * with the same clientMessageId, so a retry never duplicates a message.
 */
import { useEffect, useRef } from 'react';
import type { KeyboardEvent } from 'react';
import type { ChatMessage } from '@beckon/client';
import type { InteractionView } from '../state/desktop-state.js';
import { formatClock } from '../state/format.js';

export interface ChatPanelProps {
  view: InteractionView;
  now: number;
  /** The unsent text, kept by the parent so switching chats does not lose it. */
  draft: string;
  onDraft(text: string): void;
  onSend(text: string): void;
  onRetry(clientMessageId: string, text: string): void;
  onTyping(): void;
  onRelease(): void;
  onClose(): void;
}

const MAX_TEXT = 4000;

function author(m: ChatMessage, visitorName: string | null): string {
  if (m.from.type === 'agent') return m.from.name ?? 'Agent';
  if (m.from.type === 'system') return 'System';
  return m.from.name ?? visitorName ?? 'Visitor';
}

/** The chat conversation of the selected interaction. */
export function ChatPanel({
  view,
  now,
  draft,
  onDraft,
  onSend,
  onRetry,
  onTyping,
  onRelease,
  onClose,
}: ChatPanelProps) {
  const logRef = useRef<HTMLOListElement>(null);
  const ended = view.phase === 'ended';
  const typing = view.visitorTypingUntil !== null && view.visitorTypingUntil > now;

  useEffect(() => {
    const el = logRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [view.chat.messages.length, view.chat.pending.length, view.interactionId]);

  function send() {
    const text = draft.trim();
    if (!text || ended) return;
    onSend(text.slice(0, MAX_TEXT));
    onDraft('');
  }

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      send();
    }
  }

  return (
    <section className="chat" id="conversation" role="tabpanel" aria-labelledby={`tab-${view.interactionId}`}>
      <header className="panel-header">
        <div>
          <h2>{view.visitorName ?? 'Visitor'}</h2>
          <p className="sub">
            Chat · {view.queue}
            {view.engagementName && view.engagementName !== view.webengagement
              ? ` · ${view.engagementName}`
              : ''}
            {view.webengagement ? ` · ${view.webengagement}` : ''}
            {!view.visitorPresent && !ended ? ' · visitor left' : ''}
          </p>
        </div>
        {ended ? (
          <button type="button" onClick={onClose}>
            Close
          </button>
        ) : (
          <button type="button" className="danger" onClick={onRelease}>
            End chat
          </button>
        )}
      </header>
      <ol className="messages" ref={logRef} role="log" aria-live="polite" aria-label="Messages" tabIndex={0}>
        {view.chat.messages.map((m) => (
          <li key={m.id} className={`message from-${m.from.type}`}>
            <div className="meta">
              <span className="author">{author(m, view.visitorName)}</span>
              <time dateTime={new Date(m.timestamp).toISOString()}>{formatClock(m.timestamp)}</time>
            </div>
            <p className="text">{m.text}</p>
          </li>
        ))}
        {view.chat.pending.map((p) => (
          <li key={p.clientMessageId} className={`message from-agent pending ${p.status}`}>
            <div className="meta">
              <span className="author">You</span>
              <span>{p.status === 'sending' ? 'sending…' : 'not sent'}</span>
            </div>
            <p className="text">{p.text}</p>
            {p.status === 'failed' && (
              <button type="button" className="link" onClick={() => onRetry(p.clientMessageId, p.text)}>
                Retry
              </button>
            )}
          </li>
        ))}
        {ended && (
          <li className="message from-system">
            <p className="text">Chat ended{view.endReason ? ` (${view.endReason})` : ''}.</p>
          </li>
        )}
      </ol>
      <p className="typing" aria-live="polite">
        {typing ? `${view.visitorName ?? 'The visitor'} is typing…` : ''}
      </p>
      <div className="composer">
        <label htmlFor={`draft-${view.interactionId}`} className="visually-hidden">
          Message
        </label>
        <textarea
          id={`draft-${view.interactionId}`}
          value={draft}
          maxLength={MAX_TEXT}
          rows={3}
          disabled={ended}
          placeholder={
            ended ? 'This chat has ended.' : 'Type a message — Enter to send, Shift+Enter for a new line'
          }
          onChange={(e) => {
            onDraft(e.target.value);
            if (e.target.value) onTyping();
          }}
          onKeyDown={onKeyDown}
        />
        <button type="button" className="primary" onClick={send} disabled={ended || !draft.trim()}>
          Send
        </button>
      </div>
    </section>
  );
}
