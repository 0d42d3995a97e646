/**
 * Where sign-in sends the user back to: a path of the dashboard itself, never another site. The
 * requested page travels as `/sign-in?next=<path>` and anything that could leave the origin (an
 * absolute URL, `//host`, a backslash, a scheme, control characters) falls back to the picker.
 */

/** The query parameter of the sign-in page that names the page to return to. */
export const NEXT_PARAM = 'next';

/** The request header through which the proxy tells server components the requested path. */
export const PATH_HEADER = 'x-tofu-path';

/** Where a user goes when there is no safe page to return to: the namespace picker. */
export const HOME = '/';

const BASE = 'http://dashboard.invalid';

/** Paths that make no sense to return to (sign-in itself, its route handlers, the API proxy). */
function isExcluded(pathname: string): boolean {
  return (
    pathname === '/sign-in' ||
    pathname.startsWith('/sign-in/') ||
    pathname === '/auth' ||
    pathname.startsWith('/auth/') ||
    pathname === '/api' ||
    pathname.startsWith('/api/')
  );
}

/**
 * The same-origin path (with its query and fragment) that `raw` names, or `fallback`. Refused: not a
 * string, empty or over 2048 characters, not starting with a single `/`, any backslash, whitespace or
 * control character (browsers drop tabs and newlines, so `/\t/evil` would become `//evil`), anything
 * that resolves to another origin or to a path starting with `//` after dot segments are removed
 * (`/.//evil`), and the sign-in page, `/auth/*` and `/api/*`.
 */
export function safeReturnPath(raw: unknown, fallback: string = HOME): string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 2048) return fallback;
  if (!raw.startsWith('/') || raw.startsWith('//')) return fallback;
  if (/[\\\s\u0000-\u001f\u007f]/.test(raw)) return fallback;
  let url: URL;
  try {
    url = new URL(raw, BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== BASE || url.username || url.password) return fallback;
  const path = url.pathname + url.search + url.hash;
  if (path.startsWith('//') || path.includes('\\') || isExcluded(url.pathname)) return fallback;
  return path;
}

/** The sign-in page's URL that returns to `path` afterwards (`expired` says the session ended). */
export function signInUrl(path: string | null | undefined, expired = false): string {
  const q = new URLSearchParams();
  if (expired) q.set('expired', '1');
  const next = safeReturnPath(path, '');
  if (next && next !== HOME) q.set(NEXT_PARAM, next);
  const qs = q.toString();
  return qs ? `/sign-in?${qs}` : '/sign-in';
}

/** A request's path and query as the return path, without Next's internal `_rsc` cache-buster. */
export function requestedPath(pathname: string, search: string): string {
  const q = new URLSearchParams(search);
  q.delete('_rsc');
  const qs = q.toString();
  return qs ? `${pathname}?${qs}` : pathname;
}
