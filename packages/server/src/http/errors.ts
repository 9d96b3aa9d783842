/**
 * Maps every error that reaches Fastify to the catalogue shape `{code, message}` (spec/compat.md §12.4):
 * BeckonErrors keep their code, Fastify's own errors (validation, content type, body size) get the matching
 * catalogued code, anything else is a logged 500 `internal` that never leaks internals.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { BeckonError } from '@beckon/protocol';
import type { ErrorCode } from '@beckon/protocol';

const fastifyCodes: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupportedMediaType',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalidJson',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payloadTooLarge',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalidJson',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalidJson',
  FST_ERR_NOT_FOUND: 'notFound',
};

interface ValidationItem {
  instancePath?: string;
  message?: string;
  keyword?: string;
  params?: Record<string, unknown>;
}

function validationError(
  error: FastifyError & { validation: ValidationItem[]; validationContext?: string },
): BeckonError {
  const first: ValidationItem = error.validation[0] ?? {};
  const context = error.validationContext ?? 'body';
  const missing = first.keyword === 'required' ? String(first.params?.missingProperty ?? '') : '';
  const field = [first.instancePath?.replace(/^\//, '').replace(/\//g, '.'), missing]
    .filter(Boolean)
    .join('.');
  if (context === 'body') {
    return missing
      ? new BeckonError('missingField', `${field} is required`)
      : new BeckonError('invalidField', `${field || 'body'} ${first.message ?? 'is invalid'}`);
  }
  return new BeckonError('invalidParameter', `${field || context} ${first.message ?? 'is invalid'}`);
}

export function toBeckonError(error: unknown): BeckonError | null {
  if (error instanceof BeckonError) return error;
  const e = error as FastifyError & { validation?: ValidationItem[] };
  if (Array.isArray(e?.validation))
    return validationError(e as FastifyError & { validation: ValidationItem[] });
  const code = e?.code ? fastifyCodes[e.code] : undefined;
  if (code)
    return new BeckonError(code, code === 'payloadTooLarge' ? 'the request body is too large' : e.message);
  if (e?.statusCode === 429) return new BeckonError('rateLimited', 'too many requests; retry later');
  if (e?.statusCode === 415) return new BeckonError('unsupportedMediaType', e.message);
  if (e?.statusCode === 413) return new BeckonError('payloadTooLarge', e.message);
  if (e?.statusCode === 400) return new BeckonError('invalidJson', e.message);
  return null;
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const mapped = toBeckonError(error);
    if (!mapped) {
      request.log.error({ err: error }, 'unhandled error');
      return reply.status(500).send({ code: 'internal', message: 'internal error' });
    }
    if (mapped.status >= 500) request.log.error({ err: error }, mapped.message);
    for (const [name, value] of Object.entries(mapped.headers)) reply.header(name, value);
    if (mapped.code === 'unauthorized') reply.header('WWW-Authenticate', 'Bearer');
    return reply.status(mapped.status).send(mapped.toJSON());
  });
  app.setNotFoundHandler((request, reply) => {
    reply
      .status(404)
      .send({ code: 'notFound', message: `no route for ${request.method} ${request.url.split('?')[0]}` });
  });
}
