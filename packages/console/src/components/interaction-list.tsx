/**
 * The agent's chats and callbacks as a vertical tab list (WAI-ARIA tabs: arrow keys move between them, Home/End
 * jump), with unread counts, typing notices and ended ones kept until closed.
 */
import { useRef } from 'react';
import type { KeyboardEvent } from 'react';
import type { InteractionView } from '../state/desktop-state.js';

export interface InteractionListProps {
  title: string;
  items: InteractionView[];
  selected: string | null;
  now: number;
  onSelect(id: string): void;
}

function label(v: InteractionView): string {
  if (v.mediaType === 'callback') return v.phoneNumber ?? 'Callback';
  return v.visitorName ?? 'Visitor';
}

/** Tabs of connected and ended interactions. */
export function InteractionList({ title, items, selected, now, onSelect }: InteractionListProps) {
  const refs = useRef(new Map<string, HTMLButtonElement>());

  function onKeyDown(e: KeyboardEvent, index: number) {
    let next = index;
    if (e.key === 'ArrowDown') next = (index + 1) % items.length;
    else if (e.key === 'ArrowUp') next = (index - 1 + items.length) % items.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = items.length - 1;
    else return;
    e.preventDefault();
    const id = items[next]!.interactionId;
    onSelect(id);
    refs.current.get(id)?.focus();
  }

  const headingId = `list-${title.toLowerCase()}`;
  const anyActive = items.some((v) => v.interactionId === selected);
  return (
    <section className="interactions" aria-labelledby={headingId}>
      <h2 id={headingId}>
        {title} <span className="count">{items.filter((i) => i.phase !== 'ended').length}</span>
      </h2>
      {items.length === 0 && <p className="empty">None.</p>}
      <div role="tablist" aria-orientation="vertical" aria-labelledby={headingId}>
        {items.map((v, index) => {
          const active = selected === v.interactionId;
          const typing = v.visitorTypingUntil !== null && v.visitorTypingUntil > now;
          return (
            <button
              key={v.interactionId}
              ref={(el) => {
                if (el) refs.current.set(v.interactionId, el);
                else refs.current.delete(v.interactionId);
              }}
              type="button"
              role="tab"
              id={`tab-${v.interactionId}`}
              aria-selected={active}
              aria-controls="conversation"
              tabIndex={active || (!anyActive && index === 0) ? 0 : -1}
              className={`tab phase-${v.phase}${active ? ' active' : ''}`}
              onClick={() => onSelect(v.interactionId)}
              onKeyDown={(e) => onKeyDown(e, index)}
            >
              <span className="tab-name">{label(v)}</span>
              <span className="tab-meta">
                {v.queue}
                {v.phase === 'ended' ? ' · ended' : ''}
                {typing ? ' · typing…' : ''}
              </span>
              {v.unread > 0 && (
                <span className="badge" aria-label={`${v.unread} unread`}>
                  {v.unread}
                </span>
              )}
            </button>
          );
        })}
      </div>
    </section>
  );
}
