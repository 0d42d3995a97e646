import { sessionCookie } from '../../../server/session.ts';
import { isHttps } from '../upstream.ts';

/** Clears the session cookie and goes back to the sign-in page. */
export function POST(req: Request): Response {
  return new Response(null, {
    status: 303,
    headers: { location: '/sign-in', 'set-cookie': sessionCookie(undefined, isHttps(req)), 'cache-control': 'no-store' },
  });
}
