/**
 * GWE's Notification REST API (spec/compat.md §13): `POST /server/data/notification/notify/{visitID}` with a JSON
 * array of 1–20 messages `{page?, channel: "gpe.…", data}`, pushed in order to the visit's browser. Server
 * integrations use it with an API key (the app's auth hook guards `/server/data`). 200 with an empty body; 404
 * for an unknown visit; 400 when a channel lacks the `gpe.` prefix or the batch is empty or too large.
 */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { BeckonError } from '@beckon/protocol';
import { errorResponses } from '../http/schemas.js';
import type { SqlStore } from '../store/sql-store.js';
import type { NotificationHub } from './hub.js';

/** Most messages in one notify call. */
export const MAX_NOTIFY_MESSAGES = 20;

const Params = Type.Object({ visitID: Type.String({ pattern: '^[A-Za-z0-9_-]{8,64}$' }) });
const Message = Type.Object({
  page: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{8,64}$' })),
  channel: Type.String({ minLength: 5, maxLength: 128 }),
  data: Type.Optional(Type.Unknown()),
});
const Body = Type.Array(Message, { minItems: 1, maxItems: MAX_NOTIFY_MESSAGES });

export interface NotifyRoutesOptions {
  hub: NotificationHub;
  store: Pick<SqlStore, 'getVisit'>;
}

/** Registers the notify endpoint. */
export async function notifyRoutes(app: FastifyInstance, options: NotifyRoutesOptions): Promise<void> {
  app.post<{ Params: Static<typeof Params>; Body: Static<typeof Body> }>(
    '/server/data/notification/notify/:visitID',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Push 1–20 messages to the browser pages of a visit (GWE Notification API)',
        params: Params,
        body: Body,
        response: { ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { visitID } = request.params;
      const messages = request.body;
      messages.forEach((m, i) => {
        if (!m.channel.startsWith('gpe.'))
          throw new BeckonError('invalidField', `${i}.channel must start with "gpe."`);
      });
      if (!(await options.store.getVisit(visitID))) throw new BeckonError('notFound', `no visit ${visitID}`);
      for (const m of messages) {
        const message = { channel: m.channel, data: m.data === undefined ? {} : m.data };
        options.hub.push(visitID, m.page === undefined ? message : { ...message, page: m.page });
      }
      return reply.status(200).send();
    },
  );
}
