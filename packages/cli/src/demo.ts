/**
 * Serves the demo site (examples/demo-site) at /demo/ for `npm start`, so a new user sees the tracker at work
 * against their own server at once.
 */
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

export async function mountDemo(app: FastifyInstance, options: { demoDir: string }): Promise<void> {
  await app.register(fastifyStatic, {
    root: options.demoDir,
    prefix: '/demo/',
    index: ['index.html'],
    decorateReply: false,
  });
  app.get('/', async (_request, reply) => reply.redirect('/demo/'));
}
