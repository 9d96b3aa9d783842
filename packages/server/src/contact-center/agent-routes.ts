/**
 * The agent desktop's REST API (spec §6 and the console contract): session sign-in, `me`, state actions and
 * interaction actions. Every route but `POST /session` authenticates with the agent session (Bearer token, or
 * cookie + `X-Beckon-CSRF`). Handlers validate, call one service and map errors; wrong states are 409.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BeckonError } from '@beckon/protocol';
import { SESSION_COOKIE } from './agent-auth.js';
import type { AgentPrincipal } from './agent-auth.js';
import { MAX_TEXT } from './chat-service.js';
import type { ContactCenter } from './contact-center.js';
import { wrongState } from './errors.js';
import { journey } from './journey.js';

type Body = Record<string, unknown>;
const bodyOf = (request: FastifyRequest): Body =>
  typeof request.body === 'object' && request.body !== null && !Array.isArray(request.body)
    ? (request.body as Body)
    : {};

function afterSeq(query: unknown): number {
  const raw = (query as Record<string, unknown> | undefined)?.afterSeq ?? '0';
  if (typeof raw !== 'string' || !/^\d{1,15}$/.test(raw))
    throw new BeckonError('invalidParameter', 'afterSeq must be a non-negative integer');
  return Number(raw);
}

export function agentRoutes(app: FastifyInstance, cc: ContactCenter): void {
  const { auth, routing, interactions, chat, callbacks, directory } = cc;
  const principal = (request: FastifyRequest): Promise<AgentPrincipal> => auth.authenticate(request);
  const liveName = (agentId: string) => routing.agents.get(agentId)?.record.name ?? agentId;

  app.post('/server/agent/session', async (request, reply) => {
    const body = bodyOf(request);
    const session = await auth.login(body.agentId, body.password, request.ip);
    const { agent } = session;
    reply.header(
      'Set-Cookie',
      `${SESSION_COOKIE}=${session.token}; HttpOnly; SameSite=Strict; Path=/server; Max-Age=${session.maxAgeSec}`,
    );
    return {
      token: session.token,
      csrf: session.csrf,
      agent: { agentId: agent.agentId, name: agent.name, groups: agent.groups, capacity: agent.capacity },
    };
  });
  app.delete('/server/agent/session', async (request, reply) => {
    await auth.logout(await principal(request));
    reply.header('Set-Cookie', `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/server; Max-Age=0`);
    return reply.status(204).send();
  });

  app.get('/server/agent/me', async (request) => {
    const { agentId } = await principal(request);
    const found = await directory.getAgent(agentId);
    if (!found) throw new BeckonError('unauthorized', 'the agent no longer exists');
    const status = routing.status(agentId);
    return {
      agentId,
      name: found.agent.name,
      groups: found.agent.groups,
      capacity: found.agent.capacity,
      state: status.state,
      reasonCode: status.reasonCode,
      afterChatWork: status.afterChatWork,
      interactions: routing.hooks.interactionsOf(agentId),
      /** The stream seq this answer reflects: open the stream with `lastSeq` = this. */
      lastSeq: cc.stream.head(agentId),
    };
  });

  const action =
    (fn: (agentId: string, body: Body) => Promise<unknown> | unknown) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      const { agentId } = await principal(request);
      const result = await fn(agentId, bodyOf(request));
      if (result === undefined) return reply.status(204).send();
      return result;
    };

  app.post(
    '/server/agent/login',
    action(async (agentId, body) => {
      const found = await directory.getAgent(agentId);
      if (!found?.agent.enabled) throw new BeckonError('forbidden', 'the agent account is disabled');
      const place = typeof body.place === 'string' ? body.place : null;
      routing.login(found.agent, place, cc.stream.isConnected(agentId));
    }),
  );
  app.post(
    '/server/agent/ready',
    action((agentId) => routing.command(agentId, { type: 'ready' })),
  );
  app.post(
    '/server/agent/notReady',
    action((agentId, body) => {
      const reasonCode = body.reasonCode ?? null;
      if (reasonCode !== null && (typeof reasonCode !== 'string' || reasonCode.length > 64))
        throw new BeckonError('invalidField', 'reasonCode must be a string of at most 64 characters');
      routing.command(agentId, { type: 'notReady', reasonCode });
    }),
  );
  app.post(
    '/server/agent/logout',
    action((agentId) => routing.logout(agentId, 'agent')),
  );

  type WithId = { Params: { id: string } };
  const onInteraction = (
    verb: string,
    fn: (agentId: string, id: string, body: Body, request: FastifyRequest) => Promise<unknown>,
  ) =>
    app.post<WithId>(`/server/agent/interactions/:id/${verb}`, async (request, reply) => {
      const { agentId } = await principal(request);
      const result = await fn(agentId, request.params.id, bodyOf(request), request);
      if (result === undefined) return reply.status(204).send();
      return reply
        .status(verb === 'messages' && (result as { created?: boolean }).created ? 201 : 200)
        .send(verb === 'messages' ? (result as { message: unknown }).message : result);
    });
  const connected = (agentId: string, id: string) => {
    const rec = interactions.forAgent(agentId, id);
    if (routing.involves(agentId, id) !== 'connected') throw wrongState(`interaction ${id} is not connected`);
    return rec;
  };

  onInteraction('accept', async (agentId, id) =>
    cc.summary((await interactions.accept(agentId, liveName(agentId), id)).interactionId),
  );
  onInteraction('reject', async (agentId, id) => {
    routing.reject(agentId, id);
  });
  onInteraction('release', async (agentId, id, body) => {
    const rec = connected(agentId, id);
    const outcome = body.outcome ?? null;
    if (outcome !== null && typeof outcome !== 'string')
      throw new BeckonError('invalidField', 'outcome must be a string');
    if (rec.mediaType === 'callback' && outcome !== null) await callbacks.outcome(agentId, id, outcome, null);
    else await interactions.end(id, 'agent', outcome);
  });
  onInteraction('messages', async (agentId, id, body) => {
    const rec = connected(agentId, id);
    const clientMessageId = body.clientMessageId ?? null;
    if (clientMessageId !== null && (typeof clientMessageId !== 'string' || clientMessageId.length > 100))
      throw new BeckonError('invalidField', 'clientMessageId must be a string of at most 100 characters');
    if (typeof body.text !== 'string')
      throw new BeckonError('missingField', `text (1–${MAX_TEXT} characters) is required`);
    return chat.post(
      rec,
      { type: 'agent', id: agentId, name: liveName(agentId) },
      clientMessageId,
      body.text,
    );
  });
  onInteraction('typing', async (agentId, id, body) => {
    const rec = connected(agentId, id);
    chat.typing(rec, { type: 'agent', id: agentId, name: liveName(agentId) }, body.typing === true);
  });
  onInteraction('callback', async (agentId, id, body) => {
    if (body.state !== 'dialled') throw new BeckonError('invalidField', 'state must be "dialled"');
    const rec = await callbacks.dialled(agentId, id);
    return { interactionId: rec.interactionId, state: rec.state, attempts: rec.attempts };
  });
  onInteraction('outcome', async (agentId, id, body) => {
    if (typeof body.code !== 'string') throw new BeckonError('missingField', 'code is required');
    const note = body.note ?? null;
    if (note !== null && (typeof note !== 'string' || note.length > 4000))
      throw new BeckonError('invalidField', 'note must be a string of at most 4000 characters');
    const state = await callbacks.outcome(agentId, id, body.code, note);
    return { interactionId: id, state };
  });

  const readable = async (request: FastifyRequest<WithId>) => {
    const { agentId } = await principal(request);
    const rec = interactions.live.get(request.params.id);
    if (!rec || routing.involves(agentId, rec.interactionId) === null)
      throw new BeckonError('forbidden', 'the interaction is not offered to or connected with this agent');
    return rec;
  };
  app.get<WithId>('/server/agent/interactions/:id/messages', async (request) => {
    const rec = await readable(request);
    return chat.messages(rec.interactionId, afterSeq(request.query), false);
  });
  app.get<WithId>('/server/agent/interactions/:id/journey', async (request) =>
    journey(cc, await readable(request)),
  );
}
