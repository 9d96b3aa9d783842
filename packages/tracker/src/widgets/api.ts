/**
 * The contract between the notification agent and the lazily loaded widget chunks (`GPE.chat.min.js` with the
 * chat widget and callback form, `GPE.invite.min.js` with the invitation). A chunk registers a factory through
 * the `__beckonWidget` hook; the agent creates it once with a `WidgetHost` and drives it with push frames.
 * Types only.
 */

/** What a widget may use from the agent. */
export interface WidgetHost {
  endpoint(): string;
  ids(): { visitID: string; pageID: string };
  log(...args: unknown[]): void;
}

/** A `gpe.chat` frame's `data` (engagement spec §7); `type` selects the shape. */
export interface ChatFrame {
  type: string;
  [key: string]: unknown;
}

/** Why the chat/callback widget opens before the server has said anything. */
export type OpenReason = 'connecting' | 'resuming' | 'offline';

/** The chat widget and callback form (`GPE.chat.min.js`). */
export interface ChatWidgets {
  /** Opens the widget for `channel` while waiting for the server's `started` frame. */
  open(channel: 'chat' | 'callback', reason: OpenReason): void;
  /** Handles one `gpe.chat` frame. */
  frame(data: ChatFrame): void;
  /** The push connection came back after a break: fetch messages after the highest seq shown. */
  resumed(): void;
}

/** A `gpe.invite` frame's `data` (compat.md §13). */
export interface InviteData {
  engagementId: string;
  channel: 'chat' | 'callback' | 'offer';
  message?: string;
  timeoutSec?: number;
  url?: string;
}

/** Disposition codes reported for an invitation (compat.md §13). */
export type Disposition = 'accepted' | 'refused' | 'timeout' | 'closed';

/** The invitation widget (`GPE.invite.min.js`). */
export interface InviteWidget {
  /** Shows the invitation; `onAccepted` runs after the visitor accepts. */
  show(data: InviteData, onAccepted: (data: InviteData) => void): void;
  /** Removes the invitation of this engagement, without disposition. */
  cancel(engagementId: string): void;
}

export interface WidgetApis {
  chat: ChatWidgets;
  invite: InviteWidget;
}

export type WidgetName = keyof WidgetApis;

/** The global through which a widget chunk registers. */
export const WIDGET_HOOK = '__beckonWidget';

/** Chunk file of each widget. */
export const WIDGET_FILES: Record<WidgetName, string> = {
  chat: 'GPE.chat.min.js',
  invite: 'GPE.invite.min.js',
};

/** Registers a widget factory from inside its chunk. */
export function registerWidget<N extends WidgetName>(
  name: N,
  factory: (host: WidgetHost) => WidgetApis[N],
): void {
  const hook = (window as unknown as Record<string, unknown>)[WIDGET_HOOK] as
    ((n: N, f: (host: WidgetHost) => WidgetApis[N]) => void) | undefined;
  if (hook) hook(name, factory);
}
