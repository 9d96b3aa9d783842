/**
 * Builds the Beckon HTTP application without listening (tests call it in-process with `inject()`; `main.ts` is
 * the only file that listens). Wires config, store, services and routes; owns nothing else.
 */
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import { BeckonError } from '@beckon/protocol';
import type { Config } from './config.js';
import { installCors, isPublicPath } from './http/cors.js';
import { consoleRoutes } from './http/console-static.js';
import { notificationsFeature } from './notifications/index.js';
import { rulesFeature } from './rules/rules-feature.js';
import { contactCenterFeature } from './contact-center/index.js';
import { engagementFeature } from './engagement/index.js';
import type { EngagementEngine } from './engagement/index.js';
import type { ContactCenter } from './contact-center/index.js';
import type { NotificationsService } from './notifications/index.js';
import { installErrorHandling } from './http/errors.js';
import { requestPath, routedPath } from './http/request-path.js';
import { sharedSchemas } from './http/schemas.js';
import { createMetrics } from './metrics.js';
import type { Metrics } from './metrics.js';
import { categoryRoutes } from './routes/categories.js';
import { historyRoutes } from './routes/history.js';
import { ingestRoutes } from './routes/ingest.js';
import { opsRoutes } from './routes/ops.js';
import { ApiKeyAuth } from './services/auth.js';
import { CategoryService } from './services/category-service.js';
import { HistoryService } from './services/history-service.js';
import { IngestService } from './services/ingest-service.js';
import type { SqlStore } from './store/sql-store.js';
import type { Bus } from './bus/bus.js';
import { createMemoryBus } from './bus/memory-bus.js';
import { createSqlApplicationStore } from './store/sql-application-store.js';
import { resourceRoutes } from './resources/resource-routes.js';
import type { ApplicationStore } from './resources/application-store.js';
import { validateDsl } from '@beckon/core';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StoredEvent } from '@beckon/protocol';

/** Where `npm run build -w @beckon/tracker` writes GPE.min.js and its siblings. */
export const DEFAULT_TRACKER_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../tracker/dist',
);

/** Files of a deployed application besides its resources and DSL (categories.json, rules/, strategies/). */
export type DeployHook = (app: { name: string; files: Map<string, Buffer> }) => Promise<void>;

export interface BuildAppOptions {
  /** Directory of the built tracker (default packages/tracker/dist). */
  trackerDir?: string;
  /** Register agents, routing, chat and callback (default true; widget tests serve fakes instead). */
  contactCenter?: boolean;
  /** Directory of the built agent desktop (default packages/console/dist); not served when absent. */
  consoleDir?: string;
  /** Deployed applications (default: in the store). */
  applications?: ApplicationStore;
  config: Readonly<Config>;
  store: SqlStore;
  /** Clock in ms (default Date.now). */
  now?: () => number;
  metrics?: Metrics;
  /** pino logger options, or false for none (tests). */
  logger?: boolean | Record<string, unknown>;
  onStored?: (events: StoredEvent[]) => void;
  /** Publish/subscribe between services (default: in memory, this node only). */
  bus?: Bus;
}

export interface BeckonApp {
  app: FastifyInstance;
  store: SqlStore;
  config: Readonly<Config>;
  bus: Bus;
  /** The clock every service uses, ms. */
  now: () => number;
  /** Hooks run on application deploy, before resources are replaced; later services add theirs. */
  deployHooks: DeployHook[];
  services: {
    notifications: NotificationsService;
    applications: ApplicationStore;
    ingest: IngestService;
    history: HistoryService;
    categories: CategoryService;
    auth: ApiKeyAuth;
  };
  metrics: Metrics;
  /** Agents, routing, chat and callback; absent when built with `contactCenter: false`. */
  contactCenter?: ContactCenter;
  /** Proactive engagements (strategies, invitations); with the contact center. */
  engagement?: EngagementEngine;
  /** Stops accepting work, finishes in-flight commits, closes the store. */
  shutdown(): Promise<void>;
}

export async function buildApp(options: BuildAppOptions): Promise<BeckonApp> {
  const { config, store } = options;
  const now = options.now ?? Date.now;
  const metrics = options.metrics ?? createMetrics();
  const bus =
    options.bus ??
    createMemoryBus((topic, error) => app.log.error({ err: error, topic }, 'bus subscriber failed'));
  const app = Fastify({
    logger: options.logger === undefined ? { level: config.log.level } : options.logger,
    trustProxy: config.security.trustProxy,
    bodyLimit: 1_048_576,
    ajv: { customOptions: { coerceTypes: 'array', allErrors: false, removeAdditional: false } },
  });
  let shuttingDown = false;

  // JSON bodies: also text/plain (sendBeacon). A parse failure is the catalogued invalidJson.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    ['application/json', 'text/plain'],
    { parseAs: 'string' },
    (_request, body, done) => {
      try {
        done(null, body === '' ? undefined : JSON.parse(body as string));
      } catch (error) {
        done(
          new BeckonError('invalidJson', `the body is not valid JSON: ${(error as Error).message}`),
          undefined,
        );
      }
    },
  );

  for (const schema of sharedSchemas) app.addSchema(schema);
  installErrorHandling(app);
  installCors(app, config.cors.apiOrigins);
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Beckon REST API',
        version: '0.1.0',
        description: 'GWE-compatible ingestion and History API',
      },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
      security: [{ apiKey: [] }],
    },
  });
  await app.register(rateLimit, {
    global: true,
    max: (request) =>
      requestPath(request).startsWith('/server/events')
        ? config.ingest.rateLimitPerIpPerMin
        : config.api.rateLimitPerKeyPerMin,
    timeWindow: 60_000,
    keyGenerator: (request) =>
      requestPath(request).startsWith('/server/data') && request.headers.authorization
        ? `key:${request.headers.authorization}`
        : `ip:${request.ip}`,
    allowList: (request) => request.method === 'OPTIONS' || !requestPath(request).startsWith('/server/'),
    errorResponseBuilder: (_request, context) =>
      Object.assign(
        new BeckonError('rateLimited', `rate limit of ${context.max} requests per minute exceeded`),
        {
          statusCode: 429,
        },
      ),
  });

  const categories = new CategoryService({ store, now });
  await categories.start();
  const ingestOptions: ConstructorParameters<typeof IngestService>[0] = {
    store,
    config,
    categories,
    metrics,
    now,
  };
  const onStored = options.onStored;
  ingestOptions.onStored = (events) => {
    onStored?.(events);
    bus.publish('events.stored', events);
  };
  const ingest = new IngestService(ingestOptions);
  const history = new HistoryService({ store, config, now });
  const auth = new ApiKeyAuth({ store });

  app.addHook('onRequest', async (request) => {
    if (shuttingDown && requestPath(request).startsWith('/server/')) {
      throw new BeckonError('unavailable', 'the server is shutting down', {
        'Retry-After': '5',
        Connection: 'close',
      });
    }
    // The matched route decides, not the raw URL: `/server/%64ata/…` reaches the same handlers.
    const path = routedPath(request);
    if (request.method !== 'OPTIONS' && path.startsWith('/server/data') && !isPublicPath(path)) {
      await auth.authorize(request.headers.authorization, request.method);
    }
  });

  // Answers finished during shutdown close their connection: a keep-alive socket that turns idle after close()
  // began would otherwise hold the server open until its keep-alive timeout.
  app.addHook('onSend', async (_request, reply) => {
    if (shuttingDown) reply.header('Connection', 'close');
  });

  await app.register(ingestRoutes, { ingest, config, metrics });
  await app.register(historyRoutes, { history, store, config, now });
  await app.register(categoryRoutes, { categories });
  const deployHooks: DeployHook[] = [
    async ({ files }) => {
      const file = files.get('categories.json');
      if (!file) return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(file.toString('utf8'));
      } catch (error) {
        throw new BeckonError(
          'invalidField',
          `categories.json is not valid JSON: ${(error as Error).message}`,
        );
      }
      await categories.replaceAll(parsed);
    },
  ];
  const applications = options.applications ?? createSqlApplicationStore(store.driver);
  await app.register(resourceRoutes, {
    store: applications,
    trackerDir: options.trackerDir ?? DEFAULT_TRACKER_DIR,
    validateDsl,
    preflight: false,
    errorHandler: false,
    now,
    onDeploy: async (deployed) => {
      for (const hook of deployHooks) await hook(deployed);
    },
  });
  await consoleRoutes(app, options.consoleDir ? { dir: options.consoleDir } : {});
  const notifications = await notificationsFeature(app, { store, config, now });
  await app.register(opsRoutes, { store, metrics, isShuttingDown: () => shuttingDown });

  const beckon: BeckonApp = {
    app,
    store,
    config,
    bus,
    now,
    deployHooks,
    services: { notifications, applications, ingest, history, categories, auth },
    metrics,
    async shutdown() {
      shuttingDown = true;
      categories.stop();
      await app.close(); // waits for in-flight requests, whose commits are awaited by their handlers
      await store.close(); // drains any queued commit
    },
  };
  // Feature modules that build on the services above; each registers its own routes, hooks and subscriptions.
  await rulesFeature(app, beckon);
  if (options.contactCenter ?? true) {
    beckon.contactCenter = await contactCenterFeature(app, beckon, { hub: notifications });
    beckon.engagement = await engagementFeature(app, beckon);
  }
  return beckon;
}
