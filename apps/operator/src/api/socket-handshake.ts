import type { Socket } from 'socket.io';
import { bearerToken } from '../http/authz.guard.js';
import { ApiError } from '../http/errors.js';

type Handshake = Socket['handshake'];

/** Whether a browser Origin may open the websocket: the service's own origin or an allowed one. */
export function originAllowed(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (!origin) return true; // not a browser (browsers always send Origin on websocket and CORS requests)
  if (allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/**
 * The bearer token of a websocket handshake: from the auth payload ({ token }) or the Authorization
 * header. A token in the URL is refused (400): URLs end up in proxy and access logs.
 */
export function handshakeToken(handshake: Pick<Handshake, 'query' | 'auth' | 'headers'>): string | undefined {
  if (typeof handshake.query['token'] === 'string' || typeof handshake.query['access_token'] === 'string') {
    throw new ApiError(
      400,
      'BadRequest',
      'tokens are not accepted in URLs: send it in the auth payload ({ token }) or an Authorization header',
    );
  }
  const auth = handshake.auth as { token?: unknown };
  return typeof auth.token === 'string' ? auth.token : bearerToken({ headers: handshake.headers });
}
