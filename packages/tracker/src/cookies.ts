/**
 * The two Beckon cookies (compat.md §6): `_gt_gvid` (globalVisitID, 2 years) and `_gt_vid` (visitID, renewed
 * with every event for `visitTimeout`). Attributes: `Path=/`, `SameSite=Lax`, `Secure` on https, optional `Domain`.
 */

export const GVID_COOKIE = '_gt_gvid';
export const VID_COOKIE = '_gt_vid';
export const TWO_YEARS_SEC = 63072000;

/** Reads a cookie, or `''` when absent. */
export function getCookie(name: string): string {
  const parts = document.cookie.split(/;\s*/);
  for (const part of parts) {
    const eq = part.indexOf('=');
    if (part.slice(0, eq) === name) return decodeURIComponent(part.slice(eq + 1));
  }
  return '';
}

/** Writes a cookie for `maxAgeSec` seconds (0 deletes it). */
export function setCookie(name: string, value: string, maxAgeSec: number, domain?: string): void {
  document.cookie =
    name +
    '=' +
    encodeURIComponent(value) +
    '; Path=/; Max-Age=' +
    maxAgeSec +
    '; SameSite=Lax' +
    (location.protocol === 'https:' ? '; Secure' : '') +
    (domain ? '; Domain=' + domain : '');
}
