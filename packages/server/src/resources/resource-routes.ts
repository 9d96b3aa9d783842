/**
 * Resource hosting (compat.md §5) as one Fastify plugin: the tracker and other non-modifiable assets under
 * `/server/resources/...`, the active application's DSL at `/server/resources/dsl/domain-model.xml`, the
 * application's modifiable resources under `/server/api/resources/v1/...`, CORS preflight for both, and the
 * admin upload `PUT /server/data/applications/{name}` that replaces the active application.
 */
import { BeckonError, isBeckonError } from '@beckon/protocol';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerHookHandler } from 'fastify';
import type { ApplicationStore } from './application-store.js';
import { DEFAULT_DSL } from './default-dsl.js';
import {
  InvalidDslError,
  checkApplicationName,
  parseApplication,
  type DslIssue,
} from './deploy-application.js';
import { diskLookup } from './disk-lookup.js';
import { resourcePath, sendResource, type ResourceLookup } from './send-resource.js';

/** Options of {@link resourceRoutes}. */
export interface ResourceRoutesOptions {
  store: ApplicationStore;
  /** Directory of the tracker build (`packages/tracker/dist`): `GPE.min.js`, `GPE.dsl.min.js` and siblings. */
  trackerDir: string;
  /** Directory of other non-modifiable assets under `/server/resources/<path>`; none when unset. */
  assetsDir?: string;
  /** The DSL validator (`validateDsl` of `@beckon/core`). */
  validateDsl: (xml: string) => DslIssue[];
  /** Authorization of the deploy endpoint (API key with role `full`). Without it deployment is open: tests only. */
  authorize?: preHandlerHookHandler;
  /** Applies the rest of the application (categories.json, rules/, strategies/) before resources are replaced. */
  onDeploy?: (app: { name: string; files: Map<string, Buffer> }) => Promise<void> | void;
  /** Clock, ms. Default `Date.now`. */
  now?: () => number;
  /** Maximum upload size in bytes. Default 32 MiB. */
  maxUploadBytes?: number;
  /** Register `OPTIONS` preflight routes for the resource paths. Default true; false when the app answers them. */
  preflight?: boolean;
  /** Install this plugin's error handler (`{code, message}`). Default true; false to use the app's own. */
  errorHandler?: boolean;
}

const RESOURCES = '/server/resources/';
const MODIFIABLE = '/server/api/resources/v1/';
const TRACKER_CACHE = 'public, max-age=300';
const TRACKER_FILES: Record<string, string> = {
  'GPE.min.js': 'GPE.min.js',
  'beckon.min.js': 'GPE.min.js',
  'GPE.dsl.min.js': 'GPE.dsl.min.js',
  'GPE.notify.min.js': 'GPE.notify.min.js',
  'GPE.chat.min.js': 'GPE.chat.min.js',
  'GPE.invite.min.js': 'GPE.invite.min.js',
};

const DeployBody = Type.Object({ files: Type.Record(Type.String(), Type.String()) });
type DeployBody = Static<typeof DeployBody>;

function sendError(reply: FastifyReply, error: unknown): FastifyReply {
  if (isBeckonError(error)) return reply.code(error.status).headers(error.headers).send(error.toJSON());
  const e = error as { validation?: unknown; statusCode?: number; code?: string; message?: string };
  if (e.validation)
    return reply.code(400).send({ code: 'invalidField', message: e.message ?? 'invalid body' });
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendError(reply, new BeckonError('payloadTooLarge'));
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    return sendError(reply, new BeckonError('unsupportedMediaType'));
  if (e.statusCode === 400) return sendError(reply, new BeckonError('invalidJson'));
  reply.log.error(error);
  return sendError(reply, new BeckonError('internal'));
}

/** Registers the resource routes. Use with `app.register(resourceRoutes, options)`. */
export async function resourceRoutes(app: FastifyInstance, opts: ResourceRoutesOptions): Promise<void> {
  const now = opts.now ?? Date.now;
  const tracker = diskLookup(opts.trackerDir);
  const assets: ResourceLookup = opts.assetsDir ? diskLookup(opts.assetsDir) : async () => undefined;
  const defaultDsl = Buffer.from(DEFAULT_DSL, 'utf8');
  let dslCache: { text: string; body: Buffer } | undefined;
  const activeDsl: ResourceLookup = async (path) => {
    if (path !== 'dsl/domain-model.xml') return undefined;
    const dsl = (await opts.store.activeApplication())?.dsl;
    if (dsl == null) return defaultDsl;
    if (dslCache?.text !== dsl) dslCache = { text: dsl, body: Buffer.from(dsl, 'utf8') };
    return dslCache.body;
  };
  const modifiable: ResourceLookup = (path) => opts.store.getResource(path);

  if (opts.errorHandler !== false) app.setErrorHandler((error, _request, reply) => sendError(reply, error));

  app.get(`${RESOURCES}*`, async (request: FastifyRequest, reply: FastifyReply) => {
    const path = resourcePath(request.url, RESOURCES);
    const build = /^js\/build\/([^/]+)$/.exec(path)?.[1];
    const trackerFile = build !== undefined ? TRACKER_FILES[build] : undefined;
    if (trackerFile) {
      return sendResource(request, reply, {
        path: trackerFile,
        lookup: tracker,
        cacheControl: TRACKER_CACHE,
      });
    }
    if (path === 'dsl/domain-model.xml') {
      return sendResource(request, reply, { path, lookup: activeDsl, cacheControl: 'no-cache' });
    }
    return sendResource(request, reply, { path, lookup: assets, cacheControl: TRACKER_CACHE });
  });

  app.get(`${MODIFIABLE}*`, async (request: FastifyRequest, reply: FastifyReply) => {
    const path = resourcePath(request.url, MODIFIABLE);
    return sendResource(request, reply, { path, lookup: modifiable, cacheControl: 'no-cache' });
  });

  for (const prefix of opts.preflight === false ? [] : [RESOURCES, MODIFIABLE]) {
    app.options(`${prefix}*`, async (_request, reply) =>
      reply
        .code(204)
        .header('access-control-allow-origin', '*')
        .header('access-control-allow-methods', 'GET, POST, OPTIONS')
        .header('access-control-allow-headers', 'Content-Type, Authorization')
        .header('access-control-max-age', '86400')
        .send(),
    );
  }

  app.put<{ Params: { name: string }; Body: DeployBody }>(
    '/server/data/applications/:name',
    {
      schema: { body: DeployBody },
      bodyLimit: opts.maxUploadBytes ?? 32 * 1024 * 1024,
      ...(opts.authorize ? { preHandler: opts.authorize } : {}),
    },
    async (request, reply) => {
      const { name } = request.params;
      checkApplicationName(name);
      let parsed;
      try {
        parsed = parseApplication(request.body.files, opts.validateDsl);
      } catch (e) {
        if (!(e instanceof InvalidDslError)) throw e;
        return reply.code(400).send({ code: 'invalidField', message: e.message, errors: e.issues });
      }
      if (opts.onDeploy) await opts.onDeploy({ name, files: parsed.other });
      const deployedAt = now();
      await opts.store.deploy({
        name,
        resources: parsed.resources,
        deployedAt,
        ...(parsed.dsl === undefined ? {} : { dsl: parsed.dsl }),
      });
      return reply
        .code(200)
        .send({ name, deployedAt, resources: parsed.resources.size, dsl: parsed.dsl !== undefined });
    },
  );
}
