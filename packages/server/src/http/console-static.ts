/**
 * Serves the agent desktop (packages/console, built by Vite) at /console/ under a strict Content-Security-Policy.
 * Hashed assets are cached for a year, index.html never. The desktop is one page without client-side routes.
 * Nothing is mounted when the console has not been built (`npm run build -w @beckon/console`).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

export const DEFAULT_CONSOLE_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../console/dist',
);

const CSP =
  "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'";

export async function consoleRoutes(app: FastifyInstance, options: { dir?: string } = {}): Promise<boolean> {
  const dir = options.dir ?? DEFAULT_CONSOLE_DIR;
  if (!existsSync(path.join(dir, 'index.html'))) return false;
  await app.register(fastifyStatic, {
    root: dir,
    prefix: '/console/',
    decorateReply: false,
    index: ['index.html'],
    setHeaders(res, file) {
      res.header('Content-Security-Policy', CSP);
      res.header('X-Content-Type-Options', 'nosniff');
      res.header(
        'Cache-Control',
        file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
  app.get('/console', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/console/'));
  return true;
}
