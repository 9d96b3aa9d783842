/**
 * Deployed strategies (spec/engagement.md §3): `PUT /server/data/strategies/{name}` (SCXML text; 400 compileError
 * with `[{line, column, message}]`), `GET /server/data/strategies`, `GET …/{name}` (the source), and
 * `strategies/*.scxml` files deployed with the application. Sources are stored, so every node and every restart
 * has the same catalogue; the built-in `default` can be replaced but not deleted.
 */
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { BeckonError } from '@beckon/protocol';
import type { BeckonApp } from '../app.js';
import type { StrategyCatalog } from '../scxml/strategy-catalog.js';

const SCXML_TYPES = ['application/scxml+xml', 'application/xml', 'text/xml'];
const Name = Type.Object({ name: Type.String({ pattern: '^[A-Za-z0-9][\\w.-]{0,63}$' }) });

export async function strategyRoutes(
  app: FastifyInstance,
  beckon: BeckonApp,
  catalog: StrategyCatalog,
): Promise<void> {
  const { driver } = beckon.store;
  // Strategies deployed earlier (by any node) come back first.
  const rows = await driver.all<{ name: string; source: string }>(
    'SELECT name, source FROM strategies ORDER BY name',
  );
  for (const row of rows) {
    const result = catalog.deploy(row.name, row.source);
    if (!result.ok)
      app.log.warn({ strategy: row.name, errors: result.errors }, 'stored strategy no longer compiles');
  }

  async function deploy(name: string, text: string) {
    const result = catalog.deploy(name, text);
    if (!result.ok) {
      throw new BeckonError(
        'compileError',
        `strategy ${name}: ${result.errors.length} errors`,
        {},
        {
          errors: result.errors,
          warnings: [],
        },
      );
    }
    await driver.transaction((tx) =>
      tx.run(
        `INSERT INTO strategies (name, source, deployed_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET source = excluded.source, deployed_at = excluded.deployed_at`,
        [name, text, beckon.now()],
      ),
    );
    return { name, warnings: result.warnings };
  }

  beckon.deployHooks.push(async ({ files }) => {
    for (const [file, content] of files) {
      const match = /^strategies\/([^/]+)\.scxml$/.exec(file);
      if (match) await deploy(match[1]!, content.toString('utf8'));
    }
  });

  app.addContentTypeParser(SCXML_TYPES, { parseAs: 'string' }, (_request, body, done) => done(null, body));
  const tags = ['engagement'];
  app.put<{ Params: { name: string } }>(
    '/server/data/strategies/:name',
    { schema: { tags, summary: 'Deploy or replace a strategy (SCXML text)', params: Name } },
    async (request) => {
      if (typeof request.body !== 'string') {
        throw new BeckonError(
          'unsupportedMediaType',
          `send the SCXML document as ${SCXML_TYPES.join(' or ')}`,
        );
      }
      return deploy(request.params.name, request.body);
    },
  );
  app.get(
    '/server/data/strategies',
    { schema: { tags, summary: 'Names of the deployed strategies' } },
    async () => catalog.names(),
  );
  app.get<{ Params: { name: string } }>(
    '/server/data/strategies/:name',
    { schema: { tags, summary: 'The source of a deployed strategy', params: Name } },
    async (request, reply) => {
      const source = catalog.source(request.params.name);
      if (source === undefined) throw new BeckonError('notFound', `no strategy ${request.params.name}`);
      return reply.type('application/scxml+xml').send(source);
    },
  );
}
