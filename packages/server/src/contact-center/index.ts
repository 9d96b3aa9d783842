/**
 * The contact center feature (spec/engagement.md §5–§10): agents, routing, chat, callback, reactive
 * engagements and pacing, registered on the app as one function. Only re-exports and the registration live here.
 */
import type { FastifyInstance } from 'fastify';
import type { BeckonApp } from '../app.js';
import { adminRoutes } from './admin-routes.js';
import { installAgentSocket } from './agent-socket.js';
import { agentRoutes } from './agent-routes.js';
import { createContactCenter } from './contact-center.js';
import type { ContactCenter, ContactCenterOptions } from './contact-center.js';
import { visitorRoutes } from './visitor-routes.js';

export type { ContactCenter, ContactCenterOptions } from './contact-center.js';
export { manualScheduler, realScheduler } from './scheduler.js';
export type { ManualScheduler, Scheduler } from './scheduler.js';

/**
 * Registers the contact center on `app` (the Fastify instance of `beckon`): REST routes under `/server/agent`,
 * `/server/chat`, `/server/callback`, `/server/engagements` and `/server/data/{agents,groups,queues,pacing}`,
 * `/server/data/visits/:visitId/chats`, and the WebSocket `/server/agent/stream`. Call before `listen`/`ready`.
 * Returns the assembled services (tests and other features use them, e.g. `pacing` for strategies).
 */
export async function contactCenterFeature(
  app: FastifyInstance,
  beckon: BeckonApp,
  options: ContactCenterOptions,
): Promise<ContactCenter> {
  const cc = await createContactCenter(beckon, options);
  adminRoutes(app, cc);
  agentRoutes(app, cc);
  visitorRoutes(app, cc);
  installAgentSocket(app, cc);
  return cc;
}
