/**
 * Display formatting of times and durations for the desktop panels, pure so it is tested and does not depend on
 * the browser's locale in tests (the clock time uses the locale only through the injected formatter).
 */

/** `75_000` → `1:15`, `3_723_000` → `1:02:03`; negative or missing → `0:00`. */
export function formatDuration(ms: number | null | undefined): string {
  const total = Math.max(0, Math.floor((ms ?? 0) / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${m}:${two(s)}`;
}

/** Local wall-clock time `HH:MM:SS` of `ms`. */
export function formatClock(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** Local date and time `YYYY-MM-DD HH:MM` of `ms`. */
export function formatDateTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

/** Splits a stored `category` (`;`-joined, spec compat §11) into names. */
export function splitCategories(category: string | null | undefined): string[] {
  if (!category) return [];
  return category
    .split(';')
    .map((c) => c.trim())
    .filter((c) => c.length > 0);
}
