/**
 * The security headers of every dashboard answer: pages (set by Next's proxy and next.config) and
 * the /api answers the custom server proxies from the operator, which Next never sees.
 */

/** The request header through which Next's proxy gives the root layout this request's CSP nonce. */
export const NONCE_HEADER = 'x-tofu-csp-nonce';

/** Headers every answer carries, pages and proxied /api answers alike. */
export const COMMON_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
};

/**
 * The Content-Security-Policy of a page. Scripts run only from the dashboard's origin or inline with
 * this request's nonce: Next puts the nonce on its own inline scripts (it reads it from the request's
 * Content-Security-Policy header) and the root layout on the theme script. Styles allow inline
 * because React renders `style` attributes. `dev` adds what Next's development server needs (eval for
 * fast refresh). The websocket goes to the same origin ('self' includes ws: and wss: there).
 */
export function pageContentSecurityPolicy(nonce: string, dev = false): string {
  if (!/^[A-Za-z0-9+/_-]+=*$/.test(nonce)) throw new Error('a CSP nonce must be base64');
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'${dev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The policy of a proxied /api answer (JSON, text): it is never a document that may run anything. */
export const API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * The headers a proxied /api answer is sent with: the operator's, minus its cookies, with the
 * dashboard's security headers replacing any of the same name. The operator's own
 * Content-Security-Policy is kept where it sent one (its API docs page, which runs Swagger UI from its
 * origin); every other answer gets API_CONTENT_SECURITY_POLICY.
 */
export function proxiedResponseHeaders(
  upstream: Readonly<Record<string, string | string[] | undefined>>,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const own = new Set(Object.keys(COMMON_SECURITY_HEADERS).map((k) => k.toLowerCase()));
  for (const [k, v] of Object.entries(upstream)) {
    const key = k.toLowerCase();
    if (v === undefined || key === 'set-cookie' || own.has(key)) continue;
    out[key] = v;
  }
  for (const [k, v] of Object.entries(COMMON_SECURITY_HEADERS)) out[k.toLowerCase()] = v;
  out['content-security-policy'] ??= API_CONTENT_SECURITY_POLICY;
  return out;
}
