/**
 * Non-modifiable resources read from a directory (the tracker build, widget bundles). Files are cached in memory
 * and re-read when their modification time or size changes, so a rebuilt tracker is served without a restart
 * while hot requests cost one `stat`.
 */
import { readFile, stat } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import type { ResourceLookup } from './send-resource.js';

/** A lookup over `dir`; paths that would leave `dir` are not found. */
export function diskLookup(dir: string): ResourceLookup {
  const root = resolve(dir);
  const cache = new Map<string, { mtimeMs: number; size: number; body: Buffer }>();
  return async (path) => {
    const file = resolve(root, path);
    if (!file.startsWith(root + sep)) return undefined;
    try {
      const info = await stat(file);
      if (!info.isFile()) return undefined;
      const hit = cache.get(file);
      if (hit && hit.mtimeMs === info.mtimeMs && hit.size === info.size) return hit.body;
      const body = await readFile(file);
      cache.set(file, { mtimeMs: info.mtimeMs, size: info.size, body });
      return body;
    } catch {
      return undefined;
    }
  };
}
