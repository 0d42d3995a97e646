import { apiPaths, type ErrorBody } from '@tofu-operator/api-contracts';
import { sessionCookie } from '../../../server/session.ts';
import { apiUrl, isHttps } from '../upstream.ts';

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
  });
}

/**
 * Signs in with a Kubernetes bearer token: the token is checked against the API (the namespaces it
 * may see) and kept in an http-only, SameSite=Strict cookie. The answer never contains it.
 * (The custom server refused this POST already unless its Origin is the dashboard's.)
 */
export async function POST(req: Request): Promise<Response> {
  let token = '';
  try {
    const body = (await req.json()) as { token?: unknown };
    token = typeof body.token === 'string' ? body.token.trim() : '';
  } catch {
    return json(400, { status: 400, reason: 'BadRequest', message: 'expected JSON {"token": "..."}' } satisfies ErrorBody);
  }
  if (!token || /\s/.test(token))
    return json(400, { status: 400, reason: 'BadRequest', message: 'paste a bearer token (no spaces)' } satisfies ErrorBody);
  let res: Response;
  try {
    res = await fetch(`${apiUrl()}${apiPaths.namespaces()}`, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      cache: 'no-store',
    });
  } catch (err) {
    return json(502, {
      status: 502,
      reason: 'BadGateway',
      message: `the operator API is not reachable: ${err instanceof Error ? err.message : String(err)}`,
    } satisfies ErrorBody);
  }
  if (res.status === 401)
    return json(401, { status: 401, reason: 'Unauthorized', message: 'the cluster did not accept this token' } satisfies ErrorBody);
  if (!res.ok) {
    const text = await res.text();
    return json(res.status, {
      status: res.status,
      reason: 'Error',
      message: `the API answered ${res.status}: ${text.slice(0, 300)}`,
    } satisfies ErrorBody);
  }
  return json(200, { ok: true }, { 'set-cookie': sessionCookie(token, isHttps(req)) });
}
