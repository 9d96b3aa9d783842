/**
 * Browser-facing routes of the contact center (CORS `*`, no API key): reactive engagements (spec §9), the
 * visitor chat API authenticated by the interaction's chat token (spec §7) and the callback form (spec §10).
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BeckonError } from '@beckon/protocol';
import type { Channel } from '@beckon/core/routing';
import { MAX_TEXT } from './chat-service.js';
import type { ContactCenter } from './contact-center.js';
import { EngagementConflict } from './engagement-service.js';
import { wrongState } from './errors.js';
import type { InteractionRecord } from './types.js';

type Body = Record<string, unknown>;
type WithId = { Params: { id: string } };
const ID = /^[0-9A-Fa-f]{32}$/;

function objectBody(request: FastifyRequest): Body {
  const body = request.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new BeckonError('invalidJson', 'the body must be a JSON object');
  return body as Body;
}

export function visitorRoutes(app: FastifyInstance, cc: ContactCenter): void {
  const { interactions, chat, callbacks, store } = cc;

  /** The interaction the chat token opens (401 without a matching token). */
  const byToken = async (request: FastifyRequest<WithId>): Promise<InteractionRecord> => {
    const header = request.headers.authorization;
    const token = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
    if (!token)
      throw new BeckonError('unauthorized', 'the chat token is required: Authorization: Bearer <token>');
    const rec = interactions.live.get(request.params.id) ?? (await store.getInteraction(request.params.id));
    const a = Buffer.from(token);
    const b = Buffer.from(rec?.token ?? '');
    if (!rec || a.length !== b.length || !timingSafeEqual(a, b))
      throw new BeckonError('unauthorized', 'the chat token does not open this interaction');
    return rec;
  };

  app.post('/server/engagements', async (request, reply) => {
    const body = objectBody(request);
    for (const field of ['visitID', 'pageID', 'channel'] as const)
      if (body[field] === undefined) throw new BeckonError('missingField', `${field} is required`);
    if (typeof body.visitID !== 'string' || !ID.test(body.visitID))
      throw new BeckonError('invalidField', 'visitID must be 32 hex characters');
    if (typeof body.pageID !== 'string' || !ID.test(body.pageID))
      throw new BeckonError('invalidField', 'pageID must be 32 hex characters');
    if (body.channel !== 'chat' && body.channel !== 'callback')
      throw new BeckonError('invalidField', 'channel must be chat or callback');
    if (body.queue !== undefined && typeof body.queue !== 'string')
      throw new BeckonError('invalidField', 'queue must be a string');
    try {
      const { engagement, interaction } = await cc.engagements.reactive({
        visitID: body.visitID,
        pageID: body.pageID,
        channel: body.channel as Channel,
        ...(typeof body.queue === 'string' ? { queue: body.queue } : {}),
        ...(body.data !== undefined ? { data: body.data } : {}),
      });
      return reply.status(201).send({
        engagementId: engagement.engagementId,
        state: engagement.state,
        interactionId: interaction.interactionId,
        token: interaction.token,
      });
    } catch (error) {
      if (error instanceof EngagementConflict)
        return reply.status(409).send({ ...error.toJSON(), engagementId: error.engagementId });
      throw error;
    }
  });

  app.post<WithId>('/server/chat/:id/messages', async (request, reply) => {
    const rec = await byToken(request);
    const body = objectBody(request);
    const clientMessageId = body.clientMessageId ?? null;
    if (clientMessageId !== null && (typeof clientMessageId !== 'string' || clientMessageId.length > 100))
      throw new BeckonError('invalidField', 'clientMessageId must be a string of at most 100 characters');
    if (typeof body.text !== 'string')
      throw new BeckonError('missingField', `text (1–${MAX_TEXT} characters) is required`);
    const name = rec.registration?.firstName ?? 'visitor';
    const { message, created } = await chat.post(
      rec,
      { type: 'visitor', id: null, name },
      clientMessageId,
      body.text,
    );
    return reply.status(created ? 201 : 200).send(message);
  });
  app.post<WithId>('/server/chat/:id/typing', async (request, reply) => {
    const rec = await byToken(request);
    chat.typing(rec, { type: 'visitor', id: null, name: 'visitor' }, objectBody(request).typing === true);
    return reply.status(204).send();
  });
  app.get<WithId & { Querystring: { afterSeq?: string } }>('/server/chat/:id/messages', async (request) => {
    const rec = await byToken(request);
    const raw = request.query.afterSeq ?? '0';
    if (!/^\d{1,15}$/.test(raw))
      throw new BeckonError('invalidParameter', 'afterSeq must be a non-negative integer');
    return chat.messages(rec.interactionId, Number(raw), true);
  });
  app.post<WithId>('/server/chat/:id/registration', async (request, reply) => {
    const rec = await byToken(request);
    const fields = objectBody(request).fields;
    if (typeof fields !== 'object' || fields === null || Array.isArray(fields))
      throw new BeckonError('missingField', 'fields is required');
    await interactions.mutex.run(rec.interactionId, async () => {
      const live = interactions.live.get(rec.interactionId);
      if (!live || live.state !== 'registration') throw wrongState('the chat is not waiting for its form');
      const values: Record<string, string> = {};
      for (const field of interactions.queueRecords.get(live.queue)?.registration ?? []) {
        const value = (fields as Record<string, unknown>)[field.name];
        if (value !== undefined && (typeof value !== 'string' || value.length > 500))
          throw new BeckonError(
            'invalidField',
            `fields.${field.name} must be a string of at most 500 characters`,
          );
        if (field.required && (typeof value !== 'string' || value.trim() === ''))
          throw new BeckonError('missingField', `fields.${field.name} is required`);
        if (typeof value === 'string') values[field.name] = value;
      }
      live.registration = values;
      interactions.cancelTimer(live, 'registration');
      interactions.enqueue(live, false);
      await interactions.persist(live);
    });
    return reply.status(204).send();
  });
  app.post<WithId>('/server/chat/:id/close', async (request, reply) => {
    const rec = await byToken(request);
    const live = interactions.live.get(rec.interactionId);
    if (live) {
      const reason =
        live.mediaType === 'callback' || live.state === 'connected' || live.state === 'registration'
          ? 'visitorClosed'
          : 'abandoned';
      await interactions.end(
        rec.interactionId,
        reason,
        live.mediaType === 'callback' ? 'visitorClosed' : null,
      );
    }
    return reply.status(204).send();
  });

  app.post<WithId>('/server/callback/:id', async (request) => {
    const rec = await byToken(request);
    return callbacks.submit(rec, objectBody(request));
  });
}
