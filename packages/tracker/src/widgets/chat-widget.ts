/**
 * The visitor's chat widget (engagement spec §7, §9, §10), in a shadow root so the site's CSS cannot touch it.
 * It opens when the visitor engages or accepts an invitation, then follows the `gpe.chat` frames: `started`,
 * `registration`, `queue`, `agentJoined`, `message`, `typing`, `agentLeft`, `ended`, `callback`, and `restore`
 * after a page change. Messages are shown by server `id` and `seq`: one already shown is never shown twice, and
 * after a push reconnection the widget asks for `afterSeq` = the highest seq shown. All text is set with
 * `textContent`. Keyboard: Tab order header → log → composer, Enter sends, Shift+Enter is a new line, Escape
 * from the panel closes it.
 */
import type { ChatFrame, ChatWidgets, OpenReason, WidgetHost } from './api.js';
import type { ChatMessage, ChatSession } from './chat-api.js';
import { closeChat, messagesAfter, sendMessage, sendRegistration, sendTyping } from './chat-api.js';
import { callbackForm } from './callback-form.js';
import { el, mount, randomId, type Mounted } from './dom.js';
import { WIDGET_CSS } from './styles.js';

const TYPING_SEND_MS = 2000;
const TYPING_SHOW_MS = 6000;

const OPEN_TEXT: Record<OpenReason, string> = {
  connecting: 'Connecting you to an agent…',
  resuming: 'Resuming your conversation…',
  offline: 'Sorry, no agent is available right now. Please try again later.',
};

interface RegistrationField {
  name: string;
  label?: string;
  required?: boolean;
}

/** Creates the chat widget controller; nothing is shown until `open()` or a frame arrives. */
export function createChatWidgets(host: WidgetHost): ChatWidgets {
  let ui: ReturnType<typeof build> | null = null;
  let session: ChatSession | null = null;
  let channel: 'chat' | 'callback' = 'chat';
  let ended = false;
  let maxSeq = 0;
  const shown: Record<string, true> = {};
  let typingTimer: ReturnType<typeof setTimeout> | undefined;
  let lastTypingSent = 0;

  function build(): Mounted & {
    title: HTMLElement;
    status: HTMLElement;
    log: HTMLElement;
    typing: HTMLElement;
    extra: HTMLElement;
    compose: HTMLFormElement;
    input: HTMLTextAreaElement;
    send: HTMLButtonElement;
  } {
    const m = mount('chat', WIDGET_CSS);
    const panel = el('section', { class: 'panel', role: 'dialog', 'aria-labelledby': 'bk-title' });
    const head = el('div', { class: 'head' });
    const title = el('h2', { id: 'bk-title' }, 'Chat');
    const close = el('button', { type: 'button', class: 'x', 'aria-label': 'Close chat' }, '×');
    head.appendChild(title);
    head.appendChild(close);
    const status = el('div', { class: 'status', role: 'status', 'aria-live': 'polite' });
    const log = el('div', { class: 'log', role: 'log', 'aria-live': 'polite', tabindex: '0' });
    const typing = el('div', { class: 'typing', 'aria-live': 'polite' });
    const extra = el('div');
    const compose = el('form', { class: 'compose', 'aria-label': 'Send a message' });
    const input = el('textarea', { 'aria-label': 'Your message', maxlength: '4000', rows: '2' });
    const send = el('button', { type: 'submit', class: 'primary' }, 'Send');
    compose.appendChild(input);
    compose.appendChild(send);
    for (const part of [head, status, log, typing, extra, compose]) panel.appendChild(part);
    m.root.appendChild(panel);
    close.addEventListener('click', () => closeWidget());
    panel.addEventListener('keydown', (e: KeyboardEvent) => {
      if (e.key === 'Escape') closeWidget();
    });
    input.addEventListener('keydown', (e: KeyboardEvent) => {
      if (e.key === 'Enter' && !e.shiftKey) {
        e.preventDefault();
        submit();
      }
    });
    input.addEventListener('input', () => {
      const now = Date.now();
      if (session && now - lastTypingSent > TYPING_SEND_MS) {
        lastTypingSent = now;
        sendTyping(session, true).catch(host.log);
      }
    });
    compose.addEventListener('submit', (e) => {
      e.preventDefault();
      submit();
    });
    return { ...m, title, status, log, typing, extra, compose, input, send };
  }

  function view() {
    if (!ui) ui = build();
    return ui;
  }

  function setStatus(text: string): void {
    view().status.textContent = text;
  }

  function setChannel(c: 'chat' | 'callback'): void {
    channel = c;
    const v = view();
    v.title.textContent = c === 'callback' ? 'Request a callback' : 'Chat';
    v.log.hidden = v.compose.hidden = v.typing.hidden = c === 'callback';
    if (c === 'callback' && !v.extra.firstChild)
      v.extra.appendChild(
        callbackForm(
          () => session,
          () => setStatus('Thank you, we will call you back.'),
        ),
      );
  }

  function system(text: string): void {
    view().log.appendChild(el('div', { class: 'msg system' }, text));
  }

  function render(message: ChatMessage): void {
    if (!message || typeof message.id !== 'string' || shown[message.id]) return;
    shown[message.id] = true;
    if (typeof message.seq === 'number' && message.seq > maxSeq) maxSeq = message.seq;
    const type = message.from && message.from.type;
    const box = el('div', { class: 'msg ' + (type || 'agent'), 'data-seq': String(message.seq) });
    const who = type === 'visitor' ? 'You' : (message.from && message.from.name) || 'Agent';
    box.appendChild(el('span', { class: 'who' }, who));
    box.appendChild(el('span', { class: 'text' }, String(message.text)));
    const log = view().log;
    // keep seq order even when a catch-up answer and a push frame interleave
    let before: Element | null = null;
    for (let n = log.lastElementChild; n; n = n.previousElementSibling) {
      const s = Number(n.getAttribute('data-seq'));
      if (!(s > message.seq)) break;
      before = n;
    }
    log.insertBefore(box, before);
    log.scrollTop = log.scrollHeight;
  }

  function submit(): void {
    const v = view();
    const text = v.input.value.trim();
    if (!text || !session || ended) return;
    v.input.value = '';
    sendMessage(session, randomId(), text.slice(0, 4000)).then(render, (e: unknown) => {
      host.log('message not sent', e);
      system('Your message could not be sent.');
      v.input.value = text;
    });
  }

  function closeWidget(): void {
    if (session && !ended) closeChat(session).catch(host.log);
    ended = true;
    if (ui) ui.host.remove();
    ui = null;
    session = null;
  }

  function end(text: string): void {
    ended = true;
    const v = view();
    v.input.disabled = v.send.disabled = true;
    v.typing.textContent = '';
    setStatus(text);
  }

  function registration(fields: RegistrationField[]): void {
    const v = view();
    const form = el('form', { 'aria-label': 'Your details' });
    const inputs: Record<string, HTMLInputElement> = {};
    for (const f of fields) {
      const label = el('label', {}, (f.label || f.name) + (f.required ? ' *' : ''));
      const input = el('input', { name: f.name, type: f.name === 'emailAddress' ? 'email' : 'text' });
      if (f.required) input.required = true;
      inputs[f.name] = input;
      label.appendChild(input);
      form.appendChild(label);
    }
    const error = el('div', { class: 'error', role: 'alert' });
    form.appendChild(error);
    form.appendChild(el('button', { type: 'submit', class: 'primary' }, 'Start chat'));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      if (!session) return;
      const values: Record<string, string> = {};
      for (const k in inputs) values[k] = (inputs[k] as HTMLInputElement).value.trim();
      sendRegistration(session, values).then(
        (res) => {
          if (res.ok) return form.remove();
          return res.json().then((b: { message?: string }) => {
            error.textContent = b.message || 'Please complete the required fields.';
          });
        },
        () => (error.textContent = 'The form could not be sent. Please try again.'),
      );
    });
    v.extra.textContent = '';
    v.extra.appendChild(form);
    setStatus('Please tell us a little about yourself.');
  }

  function startSession(data: ChatFrame): void {
    if (typeof data.interactionId !== 'string' || typeof data.token !== 'string') return;
    if (!session || session.interactionId !== data.interactionId) maxSeq = 0;
    session = { endpoint: host.endpoint(), interactionId: data.interactionId, token: data.token };
    ended = false;
    const v = view();
    v.input.disabled = v.send.disabled = false;
  }

  function queue(q: unknown): void {
    const { position, ewtSec } = (q || {}) as { position?: number; ewtSec?: number };
    if (typeof position !== 'number') return;
    const wait =
      typeof ewtSec === 'number' ? ' Estimated wait: ' + Math.max(1, Math.round(ewtSec / 60)) + ' min.' : '';
    setStatus('You are number ' + position + ' in the queue.' + wait);
  }

  const handlers: Record<string, (d: ChatFrame) => void> = {
    started: (d) => {
      if (d.channel === 'callback' || d.mediaType === 'callback') setChannel('callback');
      startSession(d);
      setStatus(channel === 'callback' ? 'Leave your number and we will call you.' : 'Waiting for an agent…');
    },
    registration: (d) => registration(Array.isArray(d.fields) ? (d.fields as RegistrationField[]) : []),
    queue: (d) => queue(d),
    agentJoined: (d) => {
      setStatus('Connected');
      system(String(d.name || 'An agent') + ' joined the chat');
      view().input.focus();
    },
    message: (d) => render(d.message as ChatMessage),
    typing: (d) => {
      const from = (d.from || {}) as { type?: string; name?: string };
      if (from.type === 'visitor') return;
      const line = view().typing;
      clearTimeout(typingTimer);
      line.textContent = d.typing ? (from.name || 'The agent') + ' is typing…' : '';
      if (d.typing) typingTimer = setTimeout(() => (line.textContent = ''), TYPING_SHOW_MS);
    },
    agentLeft: () => system('The agent left the chat'),
    ended: () => end('The chat has ended.'),
    callback: (d) => {
      const at = typeof d.at === 'number' ? new Date(d.at).toLocaleString() : '';
      setStatus('Callback ' + String(d.state || 'scheduled') + (at ? ' for ' + at : ''));
    },
    restore: (d) => {
      setChannel(d.channel === 'callback' || d.mediaType === 'callback' ? 'callback' : 'chat');
      startSession(d);
      for (const m of Array.isArray(d.messages) ? (d.messages as ChatMessage[]) : []) render(m);
      if (d.state === 'connected') setStatus('Connected');
      else if (d.queue) queue(d.queue);
      else if (d.state === 'registration') setStatus('Please tell us a little about yourself.');
      else setStatus('Waiting for an agent…');
    },
  };

  return {
    open(c, reason) {
      if (session && !ended && reason !== 'offline') return void view();
      if (ended) {
        session = null;
        ended = false;
        const v = view();
        v.input.disabled = v.send.disabled = false;
      }
      setChannel(c);
      setStatus(OPEN_TEXT[reason]);
      if (reason === 'offline') end(OPEN_TEXT.offline);
      view().input.focus();
    },
    frame(data) {
      const handler = data && handlers[data.type];
      if (!handler) return host.log('unknown chat frame', data);
      if (!ui && (data.type === 'message' || data.type === 'typing')) return; // closed by the visitor
      handler(data);
    },
    resumed() {
      const s = session;
      if (!s || ended) return;
      messagesAfter(s, maxSeq).then((list) => list.forEach(render), host.log);
    },
  };
}
