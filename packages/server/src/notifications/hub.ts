/**
 * The visitor push channel as other features see it (spec/compat.md §13). Contact-center code (chat frames,
 * invitations) pushes messages to a visit without knowing whether the visitor is on a WebSocket, on the SSE
 * fallback, or momentarily offline: the hub assigns the per-visit `seq`, delivers to the right page connection,
 * and buffers what it cannot deliver yet. The transport implementation lives in `notification-hub.ts`.
 */

/** One message for a visitor's browser; `page` targets one page of the visit (else every connected page). */
export interface PushMessage {
  channel: string;
  data: unknown;
  page?: string;
}

/** Visitor push channel; implemented by the notifications feature. */
export interface NotificationHub {
  /** Sends to the visit's connected pages; buffered when no connection (compat §13). */
  push(visitId: string, message: PushMessage): void;
  /** Whether at least one page of the visit has an open push connection. */
  isConnected(visitId: string): boolean;
  /** Called after a page's connection is accepted (and its buffered frames are sent). Returns an unsubscribe. */
  onConnect(listener: (visitId: string, pageId: string) => void): () => void;
  /** Called when a page's connection closes. Returns an unsubscribe. */
  onDisconnect(listener: (visitId: string, pageId: string) => void): () => void;
}
