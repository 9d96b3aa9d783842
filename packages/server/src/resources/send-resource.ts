/**
 * HTTP semantics shared by every resource (compat.md §5): path checks, precompressed `.br`/`.gz` variants chosen
 * by `Accept-Encoding` (with `Vary`), JSONP, a strong `ETag` per variant with `If-None-Match` → 304, CORS and
 * `Cache-Control`. Where the bytes come from (disk, database) is the caller's `lookup`.
 */
import { createHash } from 'node:crypto';
import { BeckonError } from '@beckon/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { jsonpTarget, wrapJsonp } from './jsonp.js';

/** Finds the bytes of a resource path (also asked for `<path>.br` and `<path>.gz`). */
export type ResourceLookup = (path: string) => Promise<Buffer | undefined>;

const contentTypes: Record<string, string> = {
  js: 'application/javascript; charset=utf-8',
  mjs: 'application/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  html: 'text/html; charset=utf-8',
  htm: 'text/html; charset=utf-8',
  xml: 'application/xml; charset=utf-8',
  json: 'application/json; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  ico: 'image/x-icon',
  woff2: 'font/woff2',
  woff: 'font/woff',
};

/** Content type by file extension; `application/octet-stream` when unknown. */
export function contentTypeOf(path: string): string {
  const ext = /\.([A-Za-z0-9]+)$/.exec(path)?.[1]?.toLowerCase() ?? '';
  return contentTypes[ext] ?? 'application/octet-stream';
}

/**
 * The resource path after `prefix` in the raw URL, percent-decoded.
 * @throws BeckonError notFound for paths with `..`, `//`, `\` or NUL (raw or decoded), or an empty path.
 */
export function resourcePath(rawUrl: string, prefix: string): string {
  const raw = (rawUrl.split('?')[0] ?? '').slice(prefix.length);
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    throw new BeckonError('notFound', 'No such resource');
  }
  for (const p of [raw, decoded]) {
    if (
      !p ||
      p.includes('..') ||
      p.includes('//') ||
      p.includes('\\') ||
      p.includes('\0') ||
      p.startsWith('/')
    ) {
      throw new BeckonError('notFound', 'No such resource');
    }
  }
  return decoded;
}

/** Whether `Accept-Encoding` allows `encoding` with q > 0 (explicitly or through `*`). */
export function acceptsEncoding(header: string | undefined, encoding: string): boolean {
  if (!header) return false;
  let star: boolean | undefined;
  for (const part of header.split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const ok = qParam === undefined || Number(qParam.slice(2)) > 0;
    if (name.trim() === encoding) return ok;
    if (name.trim() === '*') star = ok;
  }
  return star ?? false;
}

const etags = new WeakMap<Buffer, string>();

/** Strong ETag of some bytes (cached per buffer, since disk and store caches reuse buffers). */
export function etagOf(body: Buffer): string {
  let tag = etags.get(body);
  if (!tag) {
    tag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    etags.set(body, tag);
  }
  return tag;
}

function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((t) => {
    const tag = t.trim().replace(/^W\//, '');
    return tag === '*' || tag === etag;
  });
}

/** Options of one resource response. */
export interface SendOptions {
  path: string;
  lookup: ResourceLookup;
  cacheControl: string;
}

/**
 * Answers a GET/HEAD for a resource.
 * @throws BeckonError notFound when the resource does not exist, invalidParameter for bad JSONP names.
 */
export async function sendResource(
  request: FastifyRequest,
  reply: FastifyReply,
  opts: SendOptions,
): Promise<void> {
  const query = request.query as { callback?: unknown; obj?: unknown };
  const target = jsonpTarget(query);
  let body: Buffer | undefined;
  let encoding: string | undefined;
  let type = contentTypeOf(opts.path);
  if (target) {
    const content = await opts.lookup(opts.path);
    if (!content) throw new BeckonError('notFound', 'No such resource');
    body = wrapJsonp(target, content);
    type = 'application/javascript; charset=utf-8';
  } else {
    const accept = request.headers['accept-encoding'];
    for (const [enc, ext] of [
      ['br', '.br'],
      ['gzip', '.gz'],
    ] as const) {
      if (acceptsEncoding(accept, enc)) {
        body = await opts.lookup(opts.path + ext);
        if (body) {
          encoding = enc;
          break;
        }
      }
    }
    body ??= await opts.lookup(opts.path);
    if (!body) throw new BeckonError('notFound', 'No such resource');
  }
  const etag = etagOf(body);
  reply
    .header('access-control-allow-origin', '*')
    .header('vary', 'Accept-Encoding')
    .header('cache-control', opts.cacheControl)
    .header('etag', etag);
  if (matchesIfNoneMatch(request.headers['if-none-match'], etag)) {
    await reply.code(304).send();
    return;
  }
  if (encoding) reply.header('content-encoding', encoding);
  await reply.code(200).type(type).send(body);
}
