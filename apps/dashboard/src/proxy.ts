/**
 * Next's proxy (formerly middleware): a signed-out request for a page goes to the sign-in page with
 * the page it asked for (`/sign-in?next=…`, checked again by safeReturnPath there), and every page
 * request tells the server components its path (PATH_HEADER), which layouts are not given otherwise.
 * The signed-in layout still checks the session itself: this is convenience, not authorisation.
 * Every page, the sign-in page too, gets a Content-Security-Policy with a fresh nonce: on the request
 * (Next reads it there and puts it on its inline scripts; NONCE_HEADER gives it to the root layout)
 * and on the answer.
 */
import { NextResponse, type NextRequest } from 'next/server';
import { PATH_HEADER, requestedPath, signInUrl } from './lib/return-path.ts';
import { NONCE_HEADER, pageContentSecurityPolicy } from './server/security-headers.ts';
import { SESSION_COOKIE } from './server/session.ts';

function newNonce(): string {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
}

export function proxy(req: NextRequest): NextResponse {
  const nonce = newNonce();
  const csp = pageContentSecurityPolicy(nonce, process.env.NODE_ENV !== 'production');
  const headers = new Headers(req.headers);
  headers.set('content-security-policy', csp);
  headers.set(NONCE_HEADER, nonce);
  if (req.nextUrl.pathname === '/sign-in') {
    const res = NextResponse.next({ request: { headers } });
    res.headers.set('content-security-policy', csp);
    return res;
  }
  const path = requestedPath(req.nextUrl.pathname, req.nextUrl.search);
  if (!req.cookies.get(SESSION_COOKIE)?.value) {
    // Next answers a same-origin redirect with a relative Location, so a TLS proxy in front keeps
    // its scheme and host.
    const res = NextResponse.redirect(new URL(signInUrl(path), req.nextUrl));
    res.headers.set('cache-control', 'no-store');
    return res;
  }
  headers.set(PATH_HEADER, path);
  const res = NextResponse.next({ request: { headers } });
  res.headers.set('content-security-policy', csp);
  return res;
}

export const config = {
  // Pages only (the sign-in page for its policy, without the redirect): not Next's assets nor the
  // sign-in route handlers (/api/* never reaches Next: the custom server proxies it to the operator).
  matcher: ['/((?!_next/|__nextjs|favicon\\.ico|auth/).*)'],
};
