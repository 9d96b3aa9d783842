/**
 * The visitor side of the chat and callback HTTP API (engagement spec §7, §10), authenticated with the chat
 * token of one interaction. Sends are idempotent by `clientMessageId`, so a failed send is retried with the same
 * id without risking a duplicate.
 */

/** A chat message as the server stores it (spec §7). */
export interface ChatMessage {
  id: string;
  seq: number;
  interactionId?: string;
  from: { type: 'visitor' | 'agent' | 'system'; id?: string | null; name?: string | null };
  text: string;
  timestamp?: number;
  clientMessageId?: string;
}

/** One interaction's endpoints. */
export interface ChatSession {
  endpoint: string;
  interactionId: string;
  token: string;
}

function call(session: ChatSession, path: string, method: string, body?: unknown): Promise<Response> {
  const init: RequestInit = {
    method,
    credentials: 'omit',
    headers: { Authorization: 'Bearer ' + session.token, 'Content-Type': 'application/json' },
  };
  if (body !== undefined) init.body = JSON.stringify(body);
  return fetch(session.endpoint + path.replace('{id}', encodeURIComponent(session.interactionId)), init);
}

function json<T>(res: Response): Promise<T> {
  return res.ok ? (res.json() as Promise<T>) : Promise.reject(res);
}

/** Sends a message (retried up to 3 times on network or 5xx failure with the same clientMessageId). */
export function sendMessage(
  session: ChatSession,
  clientMessageId: string,
  text: string,
  attempt = 0,
): Promise<ChatMessage> {
  return call(session, '/server/chat/{id}/messages', 'POST', { clientMessageId, text }).then(
    (res) =>
      res.status >= 500 && attempt < 3
        ? retryLater(() => sendMessage(session, clientMessageId, text, attempt + 1))
        : json<ChatMessage>(res),
    (e: unknown) =>
      attempt < 3
        ? retryLater(() => sendMessage(session, clientMessageId, text, attempt + 1))
        : Promise.reject(e),
  );
}

function retryLater<T>(fn: () => Promise<T>): Promise<T> {
  return new Promise((resolve) => setTimeout(resolve, 1500)).then(fn);
}

/** Messages with `seq > afterSeq`. */
export function messagesAfter(session: ChatSession, afterSeq: number): Promise<ChatMessage[]> {
  return call(session, '/server/chat/{id}/messages?afterSeq=' + afterSeq, 'GET').then((res) =>
    json<ChatMessage[] | { messages: ChatMessage[] }>(res).then((b) =>
      Array.isArray(b) ? b : b.messages || [],
    ),
  );
}

export function sendTyping(session: ChatSession, typing: boolean): Promise<unknown> {
  return call(session, '/server/chat/{id}/typing', 'POST', { typing });
}

/** Submits the registration form; resolves with the response (204, or 400 `missingField`). */
export function sendRegistration(session: ChatSession, fields: Record<string, string>): Promise<Response> {
  return call(session, '/server/chat/{id}/registration', 'POST', { fields });
}

export function closeChat(session: ChatSession): Promise<unknown> {
  return call(session, '/server/chat/{id}/close', 'POST', {});
}

/** Requests the callback (spec §10); resolves with the response (204/200/201 or 400 `invalidField`). */
export function requestCallback(
  session: ChatSession,
  body: { phoneNumber: string; preferredTime?: string; note?: string },
): Promise<Response> {
  return call(session, '/server/callback/{id}', 'POST', body);
}
