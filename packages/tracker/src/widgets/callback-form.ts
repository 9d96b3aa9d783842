/**
 * The callback form (engagement spec §10): an E.164 phone number, an optional preferred time (from now to
 * 7 days ahead, sent as ISO 8601 with the browser's UTC offset) and a note. Validated here for a quick answer,
 * and again by the server, whose 400 `invalidField` message is shown as text.
 */
import type { ChatSession } from './chat-api.js';
import { requestCallback } from './chat-api.js';
import { el } from './dom.js';

/** E.164 as the server checks it. */
export const E164 = /^\+[1-9][0-9]{6,14}$/;

function pad(n: number): string {
  return (n < 10 ? '0' : '') + n;
}

/** ISO 8601 with the local offset for a `datetime-local` value, or null when invalid. */
export function localToIso(value: string): string | null {
  const d = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value) || isNaN(d.getTime())) return null;
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const abs = Math.abs(off);
  return (
    d.getFullYear() +
    '-' +
    pad(d.getMonth() + 1) +
    '-' +
    pad(d.getDate()) +
    'T' +
    pad(d.getHours()) +
    ':' +
    pad(d.getMinutes()) +
    ':00' +
    sign +
    pad(Math.floor(abs / 60)) +
    ':' +
    pad(abs % 60)
  );
}

/** Checks the form values; returns an error text or null. */
export function validateCallback(phone: string, preferred: string, now: number): string | null {
  if (!E164.test(phone)) return 'Enter the number in international form, e.g. +14155550123.';
  if (preferred) {
    const t = new Date(preferred).getTime();
    if (isNaN(t) || t < now - 60000 || t > now + 7 * 86400000) return 'Choose a time within the next 7 days.';
  }
  return null;
}

/** Builds the form; `session()` is null until the server has started the interaction. */
export function callbackForm(session: () => ChatSession | null, onScheduled: () => void): HTMLFormElement {
  const form = el('form', { class: 'callback', 'aria-label': 'Request a callback' });
  const phone = el('input', { type: 'tel', name: 'phoneNumber', autocomplete: 'tel', required: '' });
  const when = el('input', { type: 'datetime-local', name: 'preferredTime' });
  const note = el('textarea', { name: 'note', maxlength: '500' });
  const error = el('div', { class: 'error', role: 'alert' });
  const submit = el('button', { type: 'submit', class: 'primary' }, 'Call me back');
  const field = (text: string, input: HTMLElement) => {
    const label = el('label', {}, text);
    label.appendChild(input);
    return label;
  };
  form.appendChild(field('Phone number (international, e.g. +14155550123)', phone));
  form.appendChild(field('Preferred time (optional)', when));
  form.appendChild(field('Note (optional)', note));
  form.appendChild(error);
  form.appendChild(submit);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const s = session();
    const problem = validateCallback(phone.value.trim(), when.value, Date.now());
    error.textContent = problem || (s ? '' : 'Please wait a moment, connecting…');
    if (problem || !s) return;
    const body: { phoneNumber: string; preferredTime?: string; note?: string } = {
      phoneNumber: phone.value.trim(),
    };
    const iso = when.value ? localToIso(when.value) : null;
    if (iso) body.preferredTime = iso;
    if (note.value.trim()) body.note = note.value.trim();
    submit.disabled = true;
    requestCallback(s, body)
      .then((res) => {
        if (res.ok) return onScheduled();
        return res.json().then((b: { message?: string }) => {
          error.textContent = b.message || 'The request was refused.';
        });
      })
      .catch(() => {
        error.textContent = 'The request could not be sent. Please try again.';
      })
      .then(() => {
        submit.disabled = false;
      });
  });
  return form;
}
