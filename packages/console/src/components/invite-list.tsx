/**
 * Incoming invitations with their countdown (spec §5 rule 4). An invite leaves the list as soon as the stream says
 * it was rejected or revoked; the countdown is only a guide, the server decides the timeout.
 */
import type { InteractionView } from '../state/desktop-state.js';
import { countdown } from '../state/countdown.js';

export interface InviteListProps {
  invites: InteractionView[];
  selected: string | null;
  now: number;
  onAccept(id: string): void;
  onReject(id: string): void;
  onSelect(id: string): void;
}

/** One card per pending invite, newest last. */
export function InviteList({ invites, selected, now, onAccept, onReject, onSelect }: InviteListProps) {
  return (
    <section className="invites" aria-labelledby="invites-title">
      <h2 id="invites-title">
        Invitations <span className="count">{invites.length}</span>
      </h2>
      <div className="visually-hidden" aria-live="assertive">
        {invites.length > 0 ? `${invites.length} pending invitation${invites.length > 1 ? 's' : ''}` : ''}
      </div>
      {invites.length === 0 && <p className="empty">No invitation.</p>}
      <ul>
        {invites.map((v) => {
          const c = countdown(v.inviteDeadline, v.inviteTimeoutSec, now);
          const label = `${v.mediaType === 'chat' ? 'Chat' : 'Callback'} from queue ${v.queue}`;
          return (
            <li key={v.interactionId} className={`invite${selected === v.interactionId ? ' selected' : ''}`}>
              <button
                type="button"
                className="invite-info"
                onClick={() => onSelect(v.interactionId)}
                aria-label={`Show ${label}`}
              >
                <span className={`media media-${v.mediaType}`}>
                  {v.mediaType === 'chat' ? 'Chat' : 'Callback'}
                </span>
                <span className="queue">{v.queue}</span>
                <span className="engagement">
                  {v.engagementName ?? ''} {v.webengagement ? `· ${v.webengagement}` : ''}
                </span>
              </button>
              {c && (
                <div className="countdown" aria-label={`${c.seconds} seconds left`}>
                  <div className="bar" style={{ width: `${Math.round(c.fraction * 100)}%` }} />
                  <span>{c.seconds}s</span>
                </div>
              )}
              <div className="actions">
                <button type="button" className="primary" onClick={() => onAccept(v.interactionId)}>
                  Accept
                </button>
                <button type="button" onClick={() => onReject(v.interactionId)}>
                  Reject
                </button>
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
