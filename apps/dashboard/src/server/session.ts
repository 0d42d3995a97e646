/**
 * The session cookie and the request checks shared by the custom server (the /api proxy) and the
 * Next route handlers (sign-in, sign-out). Pure functions over header values.
 */

/** Name of the http-only cookie that holds the Kubernetes bearer token. */
export const SESSION_COOKIE = 'tofu_session';

/** How long a session cookie lives (the token itself may expire sooner; the API then answers 401). */
export const SESSION_MAX_AGE_SECONDS = 8 * 60 * 60;

/** The value of one cookie in a Cookie header, or undefined. */
export function readCookie(header: string | undefined | null, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      const v = part.slice(eq + 1).trim();
      try {
        return decodeURIComponent(v);
      } catch {
        return v;
      }
    }
  }
  return undefined;
}

/** A Set-Cookie value for the session (or, with `token` undefined, one that clears it). */
export function sessionCookie(token: string | undefined, secure: boolean): string {
  const attrs = ['Path=/', 'HttpOnly', 'SameSite=Strict'];
  if (secure) attrs.push('Secure');
  if (token === undefined) return [`${SESSION_COOKIE}=`, ...attrs, 'Max-Age=0'].join('; ');
  return [`${SESSION_COOKIE}=${encodeURIComponent(token)}`, ...attrs, `Max-Age=${SESSION_MAX_AGE_SECONDS}`].join('; ');
}

/** Methods that change nothing and need no CSRF check. */
export function isSafeMethod(method: string | undefined): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
}

/**
 * Whether a state-changing request comes from the dashboard's own pages: its Origin header must be
 * the dashboard's origin (the configured public URL, else the scheme and Host of the request).
 * Browsers send Origin on every cross-origin request and on same-origin POST/PUT/DELETE and
 * websocket handshakes; a missing Origin is refused.
 */
export function sameOrigin(
  origin: string | undefined,
  host: string | undefined,
  opts: { publicUrl?: string; secure?: boolean } = {},
): boolean {
  if (!origin || origin === 'null') return false;
  let o: URL;
  try {
    o = new URL(origin);
  } catch {
    return false;
  }
  if (opts.publicUrl) return o.origin === new URL(opts.publicUrl).origin;
  if (!host) return false;
  return o.host === host && o.protocol === (opts.secure ? 'https:' : 'http:');
}

/** Headers that belong to one hop and are never forwarded (RFC 9110 7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/**
 * The headers sent upstream for a browser request: the session token as `Authorization: Bearer`,
 * without the browser's cookies, Origin or any Authorization of its own (the operator checks Origin
 * on websockets against its allow-list; the dashboard checked it already), and without hop-by-hop
 * headers unless `upgrade` keeps the websocket handshake's.
 */
export function upstreamHeaders(
  incoming: Record<string, string | string[] | undefined>,
  token: string,
  opts: { upgrade?: boolean; forwardedFor?: string; forwardedHost?: string; forwardedProto?: string } = {},
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(incoming)) {
    const key = k.toLowerCase();
    if (v === undefined) continue;
    if (key === 'cookie' || key === 'origin' || key === 'authorization' || key === 'host' || key === 'referer') continue;
    if (!opts.upgrade && HOP_BY_HOP.has(key)) continue;
    if (key.startsWith('x-forwarded-')) continue;
    out[key] = v;
  }
  out['authorization'] = `Bearer ${token}`;
  if (opts.forwardedFor) out['x-forwarded-for'] = opts.forwardedFor;
  if (opts.forwardedHost) out['x-forwarded-host'] = opts.forwardedHost;
  if (opts.forwardedProto) out['x-forwarded-proto'] = opts.forwardedProto;
  return out;
}

/** The body of an error the proxy answers itself, in the API's one error shape. */
export function errorBody(status: number, reason: string, message: string): string {
  return JSON.stringify({ status, reason, message });
}
