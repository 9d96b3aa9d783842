/**
 * One callback (spec §10): the number to call and the preferred time, "dialled" once the agent placed the call
 * with their own phone, then the outcome. `noAnswer` and `busy` are rescheduled by the server.
 */
import { useState } from 'react';
import { callbackOutcomes } from '@beckon/client';
import type { CallbackOutcome } from '@beckon/client';
import type { InteractionView } from '../state/desktop-state.js';
import { formatDateTime } from '../state/format.js';

export interface CallbackPanelProps {
  view: InteractionView;
  onDialled(): void;
  onOutcome(code: CallbackOutcome, note: string): void;
  onClose(): void;
}

const E164 = /^\+[1-9][0-9]{6,14}$/;

const outcomeLabel: Record<CallbackOutcome, string> = {
  connected: 'Connected',
  noAnswer: 'No answer (retry in 15 min)',
  busy: 'Busy (retry in 15 min)',
  wrongNumber: 'Wrong number',
  cancelled: 'Cancelled',
};

/** The callback work area of the selected interaction. */
export function CallbackPanel({ view, onDialled, onOutcome, onClose }: CallbackPanelProps) {
  const [code, setCode] = useState<CallbackOutcome>('connected');
  const [note, setNote] = useState('');
  const ended = view.phase === 'ended';
  const phone = view.phoneNumber ?? '';
  const preferred = view.preferredTime ? Date.parse(view.preferredTime) : NaN;

  return (
    <section
      className="callback"
      id="conversation"
      role="tabpanel"
      aria-labelledby={`tab-${view.interactionId}`}
    >
      <header className="panel-header">
        <div>
          <h2>Callback</h2>
          <p className="sub">
            {view.queue}
            {view.engagementName ? ` · ${view.engagementName}` : ''}
          </p>
        </div>
        {ended && (
          <button type="button" onClick={onClose}>
            Close
          </button>
        )}
      </header>
      <dl className="facts">
        <dt>Phone number</dt>
        <dd className="phone">{E164.test(phone) ? <a href={`tel:${phone}`}>{phone}</a> : phone || '—'}</dd>
        <dt>Preferred time</dt>
        <dd>{Number.isNaN(preferred) ? 'As soon as possible' : formatDateTime(preferred)}</dd>
        <dt>Status</dt>
        <dd>
          {ended
            ? `Done${view.outcome ? ` · ${view.outcome}` : ''}`
            : view.callbackState === 'toDial'
              ? 'To dial'
              : view.callbackState === 'dialled'
                ? 'Dialled'
                : `Outcome recorded · ${view.outcome ?? ''}`}
        </dd>
      </dl>
      {!ended && (
        <div className="callback-actions">
          <button
            type="button"
            className="primary"
            onClick={onDialled}
            disabled={view.callbackState !== 'toDial'}
          >
            Mark dialled
          </button>
          <fieldset disabled={view.callbackState === 'toDial'}>
            <legend>Outcome</legend>
            <label>
              Result
              <select value={code} onChange={(e) => setCode(e.target.value as CallbackOutcome)}>
                {callbackOutcomes.map((o) => (
                  <option key={o} value={o}>
                    {outcomeLabel[o]}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Note
              <input value={note} maxLength={1000} onChange={(e) => setNote(e.target.value)} />
            </label>
            <button type="button" onClick={() => onOutcome(code, note)}>
              Record outcome
            </button>
          </fieldset>
        </div>
      )}
    </section>
  );
}
