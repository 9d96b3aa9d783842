/**
 * Identifier generation: 32 uppercase hex characters from 128 random bits (compat.md §0). Uses the Web Crypto
 * random source when present; the `Math.random` fallback only exists for very old browsers.
 */

/** A new random id, `^[0-9A-F]{32}$`. */
export function newId(): string {
  const bytes = new Uint8Array(16);
  const c = typeof crypto !== 'undefined' ? crypto : undefined;
  if (c && c.getRandomValues) c.getRandomValues(bytes);
  else for (let i = 0; i < 16; i++) bytes[i] = (Math.random() * 256) | 0;
  let out = '';
  for (let i = 0; i < 16; i++) out += ((bytes[i] as number) + 256).toString(16).slice(1);
  return out.toUpperCase();
}
