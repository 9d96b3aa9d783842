/**
 * The invitation (compat.md §13 `gpe.invite`, issue 7): a small card in a shadow root with the strategy's
 * message, "Accept", "No thanks" and a close button. It reports exactly one disposition per invitation to
 * `GET /server/data/notification/disposition/{visitID}?engagementId&code` — `accepted`, `refused`, `closed`
 * (close button or Escape) or `timeout` after `timeoutSec` — unless `gpe.cancelInvite` removes it first. Focus
 * moves to "Accept" when it appears, and back to where it was when it goes.
 */
import type { Disposition, InviteData, InviteWidget, WidgetHost } from './api.js';
import { el, mount, type Mounted } from './dom.js';
import { WIDGET_CSS } from './styles.js';

const DEFAULT_TIMEOUT_SEC = 30;

const TITLES: Record<InviteData['channel'], string> = {
  chat: 'Can we help?',
  callback: 'Would you like us to call you?',
  offer: 'A special offer for you',
};

/** Creates the invitation widget; shows one invitation at a time (a new one replaces the old, silently). */
export function createInviteWidget(host: WidgetHost): InviteWidget {
  let current: { engagementId: string; mounted: Mounted; timer: ReturnType<typeof setTimeout> } | null = null;
  let previousFocus: Element | null = null;

  function remove(): void {
    if (!current) return;
    clearTimeout(current.timer);
    current.mounted.host.remove();
    current = null;
    if (previousFocus && (previousFocus as HTMLElement).focus) (previousFocus as HTMLElement).focus();
  }

  function report(engagementId: string, code: Disposition): Promise<unknown> {
    const url =
      host.endpoint() +
      '/server/data/notification/disposition/' +
      encodeURIComponent(host.ids().visitID) +
      '?engagementId=' +
      encodeURIComponent(engagementId) +
      '&code=' +
      code;
    return fetch(url, { credentials: 'omit' }).catch((e: unknown) => host.log('disposition failed', e));
  }

  return {
    show(data, onAccepted) {
      if (!data || typeof data.engagementId !== 'string') return;
      remove();
      const channel = data.channel === 'callback' || data.channel === 'offer' ? data.channel : 'chat';
      const mounted = mount('invite', WIDGET_CSS);
      const panel = el('section', {
        class: 'panel',
        role: 'dialog',
        'aria-labelledby': 'bk-invite-title',
        'aria-describedby': 'bk-invite-text',
      });
      const head = el('div', { class: 'head' });
      head.appendChild(el('h2', { id: 'bk-invite-title' }, TITLES[channel]));
      const close = el('button', { type: 'button', class: 'x', 'aria-label': 'Close invitation' }, '×');
      head.appendChild(close);
      const body = el('p', { class: 'body', id: 'bk-invite-text' }, String(data.message || ''));
      const actions = el('div', { class: 'actions' });
      const refuse = el('button', { type: 'button' }, 'No thanks');
      const accept = el(
        'button',
        { type: 'button', class: 'primary' },
        channel === 'offer' ? 'Show me' : 'Accept',
      );
      actions.appendChild(refuse);
      actions.appendChild(accept);
      panel.appendChild(head);
      panel.appendChild(body);
      panel.appendChild(actions);
      mounted.root.appendChild(panel);

      const engagementId = data.engagementId;
      const finish = (code: Disposition) => {
        if (!current || current.engagementId !== engagementId) return;
        remove();
        const reported = report(engagementId, code);
        if (code === 'accepted') {
          // an offer navigates away: let the disposition leave first
          if (channel === 'offer') reported.then(() => onAccepted({ ...data, channel }));
          else onAccepted({ ...data, channel });
        }
      };
      accept.addEventListener('click', () => finish('accepted'));
      refuse.addEventListener('click', () => finish('refused'));
      close.addEventListener('click', () => finish('closed'));
      panel.addEventListener('keydown', (e: KeyboardEvent) => {
        if (e.key === 'Escape') finish('closed');
      });
      const timeoutSec =
        typeof data.timeoutSec === 'number' && data.timeoutSec > 0 ? data.timeoutSec : DEFAULT_TIMEOUT_SEC;
      current = {
        engagementId,
        mounted,
        timer: setTimeout(() => finish('timeout'), timeoutSec * 1000),
      };
      previousFocus = document.activeElement;
      accept.focus();
    },
    cancel(engagementId) {
      if (current && current.engagementId === engagementId) remove();
    },
  };
}
