/**
 * Wires the rules engine into the server (spec/rules.md §1, §2): a RuleHost over the SQL stores, fed by ingest's
 * `events.stored` bus topic after the durable commit; actionable events are stored with the visit and published
 * on the bus (`actionable`) for the engagement side; rule packages are managed over REST and deployed with the
 * application (`rules/*.rules`); timers are re-armed on start.
 */
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { VisitorFacts } from '@beckon/core/rules';
import { BeckonError } from '@beckon/protocol';
import type { StoredEvent } from '@beckon/protocol';
import type { BeckonApp } from '../app.js';
import { errorResponses } from '../http/schemas.js';
import { RuleCompileError, RuleHost } from './rule-host.js';
import { SqlRulePackageStore, SqlRuleStateStore } from './sql-rule-stores.js';
import { systemClock } from './timer-wheel.js';

const RULES_TYPE = 'text/x-beckon-rules';
const PackageName = Type.Object({
  name: Type.String({ pattern: '^[a-z0-9-]+(\\.[a-z0-9-]+)*$', maxLength: 200 }),
});

function compileError(error: RuleCompileError): BeckonError {
  return new BeckonError(
    'compileError',
    error.message,
    {},
    { errors: error.errors, warnings: error.warnings },
  );
}

export interface RulesService {
  host: RuleHost;
  states: SqlRuleStateStore;
}

export async function rulesFeature(app: FastifyInstance, beckon: BeckonApp): Promise<RulesService> {
  const { store, bus, config, services } = beckon;
  const states = new SqlRuleStateStore(store);
  const host = new RuleHost({
    store: states,
    // the app's clock, which also stamps `receivedAt`: timers and events must share one time line (§8.1)
    clock: { ...systemClock, now: beckon.now },
    packageStore: new SqlRulePackageStore(store),
    domainSeparation: config.domainSeparation,
    knownCategories: () => new Set(services.categories.categorizer.categories.map((c) => c.name)),
    onActionable: (visitId, events) => {
      for (const actionable of events) bus.publish('actionable', { visitId, actionable });
    },
    onError: (error, visitId) => app.log.error({ err: error, visitId }, 'rule evaluation failed'),
    // states are rebuilt from the visit's stored events after their snapshot (rule-host.ts, snapshots.ts)
    eventsAfter: async (visitId, afterEventId) => {
      const events: StoredEvent[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.listEvents({ visitId }, { limit: 1000, cursor });
        events.push(...page.items);
        cursor = page.next ?? undefined;
      } while (cursor !== undefined);
      const at = events.findIndex((e) => e.eventID === afterEventId);
      return at < 0 ? [] : events.slice(at + 1).map(withTitle);
    },
  });
  await host.start();

  // Visitor facts the rules may read (visitor.state, visitor.visitCount …): counts are read once per visit.
  const visitCounts = new Map<string, number>();
  async function visitCount(visitId: string, globalVisitID: string): Promise<number> {
    let count = visitCounts.get(visitId);
    if (count === undefined) {
      const [row] = await store.driver.all<{ c: number }>(
        'SELECT COUNT(*) AS c FROM visits WHERE global_visit_id = ?',
        [globalVisitID],
      );
      count = Math.max(1, Number(row?.c ?? 1));
      if (visitCounts.size > 100_000) visitCounts.clear();
      visitCounts.set(visitId, count);
    }
    return count;
  }

  /** The event with its page's title, when the sessionizer has the page cached. */
  function withTitle(e: StoredEvent): StoredEvent & { pageTitle?: string } {
    const title = services.ingest.cachedVisit(e.visitID)?.pages.get(e.pageID)?.title;
    return title ? { ...e, pageTitle: title } : e;
  }

  async function evaluate(events: readonly StoredEvent[]): Promise<void> {
    const facts = new Map<string, VisitorFacts>();
    for (const e of events) {
      if (facts.has(e.visitID)) continue;
      const visit = services.ingest.cachedVisit(e.visitID);
      facts.set(e.visitID, {
        state: visit?.current?.scope ?? 'Anonymous',
        identityId: visit?.current?.identityId ?? null,
        verified: visit?.current?.verified ?? false,
        visitCount: await visitCount(e.visitID, e.globalVisitID),
      });
    }
    await host.onEvents(events.map(withTitle), (visitId) => facts.get(visitId) ?? null);
  }
  bus.subscribe('events.stored', (events) => {
    evaluate(events).catch((error: unknown) => app.log.error({ err: error }, 'rule evaluation failed'));
  });

  beckon.deployHooks.push(async ({ files }) => {
    for (const [file, content] of files) {
      if (!/^rules\/[^/]+\.rules$/.test(file)) continue;
      const text = content.toString('utf8');
      const compiled = host.compile(text);
      if (!compiled.ok || !compiled.ast) {
        throw new BeckonError(
          'compileError',
          `${file}: ${compiled.errors.length} errors`,
          {},
          {
            file,
            errors: compiled.errors,
            warnings: compiled.warnings,
          },
        );
      }
      try {
        await host.deploy(compiled.ast.package, text);
      } catch (error) {
        if (error instanceof RuleCompileError) throw compileError(error);
        throw error;
      }
    }
  });

  app.addContentTypeParser(RULES_TYPE, { parseAs: 'string' }, (_request, body, done) => done(null, body));
  const tags = ['rules'];

  app.put<{ Params: { name: string } }>(
    '/server/data/rules/packages/:name',
    {
      schema: {
        tags,
        summary: 'Deploy or replace a rule package (text/x-beckon-rules or JSON AST)',
        params: PackageName,
      },
    },
    async (request) => {
      try {
        return await host.deploy(request.params.name, request.body);
      } catch (error) {
        if (error instanceof RuleCompileError) throw compileError(error);
        throw error;
      }
    },
  );
  app.get(
    '/server/data/rules/packages',
    { schema: { tags, summary: 'List deployed rule packages' } },
    async () => host.list(),
  );
  app.get<{ Params: { name: string } }>(
    '/server/data/rules/packages/:name',
    {
      schema: {
        tags,
        summary: 'One rule package, as text (Accept: text/x-beckon-rules) or AST',
        params: PackageName,
      },
    },
    async (request, reply) => {
      const pkg = host.get(request.params.name);
      if (!pkg) throw new BeckonError('notFound', `no rule package ${request.params.name}`);
      if ((request.headers.accept ?? '').includes(RULES_TYPE)) return reply.type(RULES_TYPE).send(pkg.text);
      return pkg.ast;
    },
  );
  app.delete<{ Params: { name: string } }>(
    '/server/data/rules/packages/:name',
    {
      schema: { tags, summary: 'Delete a rule package', params: PackageName, response: errorResponses(404) },
    },
    async (request, reply) => {
      if (!(await host.remove(request.params.name)))
        throw new BeckonError('notFound', `no rule package ${request.params.name}`);
      return reply.status(204).send();
    },
  );
  app.post(
    '/server/data/rules/compile',
    { schema: { tags, summary: 'Compile without deploying' } },
    async (request) => {
      const r = host.compile(request.body);
      return { ok: r.ok, errors: r.errors, warnings: r.warnings, ast: r.ast ?? null };
    },
  );
  app.get<{ Params: { visitId: string } }>(
    '/server/data/visits/:visitId/actionable',
    {
      schema: {
        tags: ['history'],
        summary: 'Actionable events of a visit (rule hits)',
        params: Type.Object({ visitId: Type.String({ pattern: '^[A-Za-z0-9_-]{8,64}$' }) }),
      },
    },
    async (request) => {
      await services.history.requireVisit(request.params.visitId);
      return states.actionable(request.params.visitId);
    },
  );

  app.addHook('onClose', async () => {
    host.stop();
    await host.idle();
    await host.flush(); // a clean restart replays nothing
  });
  return { host, states };
}
