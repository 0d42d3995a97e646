/**
 * Next's proxy (formerly middleware): a signed-out request for a page goes to the sign-in page with
 * the page it asked for (`/sign-in?next=…`, checked again by safeReturnPath there), and every page
 * request tells the server components its path (PATH_HEADER), which layouts are not given otherwise.
 * The signed-in layout still checks the session itself: this is convenience, not authorisation.
 */
import { NextResponse, type NextRequest } from 'next/server';
import { PATH_HEADER, requestedPath, signInUrl } from './lib/return-path.ts';
import { SESSION_COOKIE } from './server/session.ts';

export function proxy(req: NextRequest): NextResponse {
  const path = requestedPath(req.nextUrl.pathname, req.nextUrl.search);
  if (!req.cookies.get(SESSION_COOKIE)?.value) {
    // Next answers a same-origin redirect with a relative Location, so a TLS proxy in front keeps
    // its scheme and host.
    const res = NextResponse.redirect(new URL(signInUrl(path), req.nextUrl));
    res.headers.set('cache-control', 'no-store');
    return res;
  }
  const headers = new Headers(req.headers);
  headers.set(PATH_HEADER, path);
  return NextResponse.next({ request: { headers } });
}

export const config = {
  // Pages only: not Next's assets, the sign-in page and its route handlers (/api/* never reaches
  // Next: the custom server proxies it to the operator).
  matcher: ['/((?!_next/|__nextjs|favicon\\.ico|sign-in|auth/).*)'],
};
