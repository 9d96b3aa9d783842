/**
 * Entry of the notification agent chunk (`GPE.notify.min.js`, compat.md §13). Loaded by the core once the visit
 * exists: it opens the push connection, reconnects with the new pageID on SPA navigation, closes on consent
 * withdrawal, and routes each frame: `gpe.appendContent` appends its fragment, `gpe.invite` / `gpe.cancelInvite`
 * drive the invitation widget, `gpe.chat` the chat widget; every frame also reaches the matching `subscribe`
 * callbacks. `['engage', …]` requests (engagement spec §9) are taken over from the core's queue.
 */
import type { ChatWidgets, InviteData, WidgetHost } from '../widgets/api.js';
import { appendContent, type AppendContentData } from './append-content.js';
import { PushConnection, type Frame } from './connection.js';
import { NOTIFY_HOOK, type NotifyHost } from './host.js';
import { dispatch } from './subscriptions.js';
import { widget } from './widget-loader.js';

/** Delay before the first connection, so that the page's first event is stored (else 4403 and a retry). */
const FIRST_CONNECT_MS = 400;

function start(host: NotifyHost): void {
  const widgetHost: WidgetHost = { endpoint: host.endpoint, ids: host.ids, log: host.log };
  const chat = () => widget('chat', host.chunkBase(), widgetHost);
  let chatLoaded = false;
  const withChat = (fn: (w: ChatWidgets) => void) =>
    chat().then((w) => {
      chatLoaded = true;
      fn(w);
    }, host.log);

  const onFrame = (frame: Frame) => {
    const data = (frame.data || {}) as Record<string, unknown>;
    if (frame.channel === 'gpe.appendContent')
      appendContent(data as AppendContentData).catch((e: unknown) => host.log('appendContent failed', e));
    else if (frame.channel === 'gpe.invite')
      widget('invite', host.chunkBase(), widgetHost).then(
        (w) => w.show(data as unknown as InviteData, accepted),
        host.log,
      );
    else if (frame.channel === 'gpe.cancelInvite')
      widget('invite', host.chunkBase(), widgetHost).then(
        (w) => w.cancel(String(data.engagementId)),
        host.log,
      );
    else if (frame.channel === 'gpe.chat') withChat((w) => w.frame(data as { type: string }));
    dispatch(host.requests.subscriptions, frame, host.log);
  };

  const accepted = (invite: InviteData) => {
    if (invite.channel === 'offer') {
      if (invite.url) location.href = invite.url;
    } else withChat((w) => w.open(invite.channel as 'chat' | 'callback', 'connecting'));
  };

  const connection = new PushConnection({
    url: () => host.endpoint() + '/server/notifications',
    ids: host.ids,
    onFrame,
    onOpen: (resumed) => {
      if (resumed && chatLoaded) withChat((w) => w.resumed());
    },
    log: host.log,
  });

  const engage = (request: unknown) => {
    const r = (request || {}) as { channel?: unknown; queue?: unknown; data?: unknown };
    const channel = r.channel === 'callback' ? 'callback' : 'chat';
    const { visitID, pageID } = host.ids();
    const body: Record<string, unknown> = { visitID, pageID, channel };
    if (typeof r.queue === 'string') body.queue = r.queue;
    if (r.data && typeof r.data === 'object') body.data = r.data;
    withChat((w) => w.open(channel, 'connecting'));
    fetch(host.endpoint() + '/server/engagements', {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'Content-Type': 'text/plain' },
      credentials: 'omit',
    })
      .then((res) => {
        if (res.status === 201) return;
        if (res.status === 409) return withChat((w) => w.open(channel, 'resuming'));
        host.log('engage refused with status', res.status);
        withChat((w) => w.open(channel, 'offline'));
      })
      .catch((e: unknown) => {
        host.log('engage failed', e);
        withChat((w) => w.open(channel, 'offline'));
      });
    return 1;
  };

  const queued = host.requests.engage as unknown as unknown[];
  host.requests.engage = { push: engage };
  if (Array.isArray(queued)) for (const r of queued) engage(r);
  host.requests.consent = (given) => (given ? connection.start() : connection.stop());
  host.onPage(() => connection.restart(FIRST_CONNECT_MS));
  connection.start(FIRST_CONNECT_MS);
}

const hook = (window as unknown as Record<string, unknown>)[NOTIFY_HOOK] as
  ((start: (host: NotifyHost) => void) => void) | undefined;
if (hook) hook(start);
