/**
 * API-key routes of the contact center under `/server/data` (the app's hook has already checked the key):
 * agents, groups and queues (role `full`, also for reading — they are configuration), chat transcripts of a
 * visit, and the pacing figures (`reactiveState` is public, GWE path and shape).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BeckonError } from '@beckon/protocol';
import type { Channel } from '@beckon/core/routing';
import { createAgent, parseQueue, updateAgent } from './agent-accounts.js';
import type { ContactCenter } from './contact-center.js';
import { CHANNELS } from './types.js';

type Body = Record<string, unknown>;

function objectBody(request: FastifyRequest): Body {
  const body = request.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new BeckonError('invalidJson', 'the body must be a JSON object');
  return body as Body;
}

function channelOf(value: unknown): Channel {
  if (typeof value !== 'string' || !(CHANNELS as readonly string[]).includes(value))
    throw new BeckonError('invalidParameter', 'channel must be chat or callback');
  return value as Channel;
}

function list(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

export function adminRoutes(app: FastifyInstance, cc: ContactCenter): void {
  const { directory, beckon } = cc;
  const full = async (request: FastifyRequest) => {
    await beckon.services.auth.authorize(request.headers.authorization, 'PUT');
  };

  app.get('/server/data/agents', { preHandler: full }, async () => ({
    agents: await directory.listAgents(),
  }));
  app.post('/server/data/agents', { preHandler: full }, async (request, reply) => {
    const { agent, generatedPassword } = await createAgent(directory, objectBody(request), beckon.now());
    await cc.agentChanged(agent, agent.agentId);
    return reply.status(201).send(generatedPassword ? { ...agent, password: generatedPassword } : agent);
  });
  app.get<{ Params: { agentId: string } }>(
    '/server/data/agents/:agentId',
    { preHandler: full },
    async (request) => {
      const found = await directory.getAgent(request.params.agentId);
      if (!found) throw new BeckonError('notFound', `no agent ${request.params.agentId}`);
      return { ...found.agent, state: cc.routing.status(found.agent.agentId).state };
    },
  );
  app.put<{ Params: { agentId: string } }>(
    '/server/data/agents/:agentId',
    { preHandler: full },
    async (request) => {
      const agent = await updateAgent(directory, request.params.agentId, objectBody(request), beckon.now());
      await cc.agentChanged(agent, agent.agentId);
      return agent;
    },
  );
  app.delete<{ Params: { agentId: string } }>(
    '/server/data/agents/:agentId',
    { preHandler: full },
    async (request, reply) => {
      const { agentId } = request.params;
      if (cc.routing.agents.get(agentId)?.connected.size)
        throw new BeckonError('conflict', `agent ${agentId} has active interactions`);
      if (!(await directory.deleteAgent(agentId))) throw new BeckonError('notFound', `no agent ${agentId}`);
      await cc.agentChanged(null, agentId);
      return reply.status(204).send();
    },
  );

  app.get('/server/data/groups', { preHandler: full }, async () => {
    const groups = await directory.listGroups();
    const agents = await directory.listAgents();
    const named = new Set(groups.map((g) => g.name));
    for (const name of new Set(agents.flatMap((a) => a.groups)))
      if (!named.has(name)) groups.push({ name, description: '' });
    return {
      groups: groups
        .sort((a, b) => (a.name < b.name ? -1 : 1))
        .map((g) => ({
          ...g,
          agents: agents.filter((a) => a.groups.includes(g.name)).map((a) => a.agentId),
        })),
    };
  });
  app.put<{ Params: { name: string } }>(
    '/server/data/groups/:name',
    { preHandler: full },
    async (request, reply) => {
      const body = objectBody(request);
      const description = body.description ?? '';
      if (typeof description !== 'string')
        throw new BeckonError('invalidField', 'description must be a string');
      if (!/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/.test(request.params.name))
        throw new BeckonError('invalidParameter', 'group name must be 1–64 letters, digits, . _ @ -');
      const created = await directory.putGroup({ name: request.params.name, description });
      return reply.status(created ? 201 : 200).send({ name: request.params.name, description });
    },
  );
  app.delete<{ Params: { name: string } }>(
    '/server/data/groups/:name',
    { preHandler: full },
    async (request, reply) => {
      if (!(await directory.deleteGroup(request.params.name)))
        throw new BeckonError('notFound', `no group ${request.params.name}`);
      return reply.status(204).send();
    },
  );

  app.get('/server/data/queues', { preHandler: full }, async () => ({
    queues: [...cc.interactions.queueRecords.values()],
  }));
  app.get<{ Params: { name: string } }>(
    '/server/data/queues/:name',
    { preHandler: full },
    async (request) => {
      const queue = cc.interactions.queueRecords.get(request.params.name);
      if (!queue) throw new BeckonError('notFound', `no queue ${request.params.name}`);
      return queue;
    },
  );
  app.put<{ Params: { name: string } }>(
    '/server/data/queues/:name',
    { preHandler: full },
    async (request, reply) => {
      const queue = parseQueue(request.params.name, objectBody(request));
      const created = await directory.putQueue(queue);
      await cc.reloadQueues();
      return reply.status(created ? 201 : 200).send(queue);
    },
  );
  app.delete<{ Params: { name: string } }>(
    '/server/data/queues/:name',
    { preHandler: full },
    async (request, reply) => {
      if (!(await directory.deleteQueue(request.params.name)))
        throw new BeckonError('notFound', `no queue ${request.params.name}`);
      await cc.reloadQueues();
      return reply.status(204).send();
    },
  );

  app.get<{ Params: { visitId: string } }>('/server/data/visits/:visitId/chats', async (request) => {
    await beckon.services.history.requireVisit(request.params.visitId);
    return cc.chat.transcripts([request.params.visitId]);
  });
  app.get<{ Querystring: Record<string, unknown> }>('/server/data/pacing/reactiveState', async (request) => {
    const channel = channelOf(request.query.channel);
    return { reactiveState: await cc.pacing.reactiveState(channel, list(request.query.groups)) };
  });
  app.get<{ Querystring: Record<string, unknown> }>('/server/data/pacing/state', async (request) => {
    const channel = channelOf(request.query.channel);
    return { channel, queues: await cc.pacing.state(channel, list(request.query.groups)) };
  });
}
