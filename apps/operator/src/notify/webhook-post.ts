// One POST of a notification: the host resolved and every address checked (address-guard.ts), the
// connection pinned to the checked address, https verified against the system's CAs, a deadline on
// the whole exchange, no redirects followed. The URL may hold a token: errors name the host only.
import { lookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { getCACertificates } from 'node:tls';
import { refusedAddress } from './address-guard.js';

/** A notification that must not be retried: the address is refused or the URL is unusable. */
export class NotificationRefusedError extends Error {
  override readonly name = 'NotificationRefusedError';
}

/** Turns the Secret's text into a URL: http or https, nothing else. The message never quotes the text. */
export function webhookUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch (err) {
    throw new NotificationRefusedError('is not a URL (expected https://host/path)', { cause: err });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new NotificationRefusedError(`has the scheme ${url.protocol.replace(/:$/, '')}: only https and http are sent to`);
  return url;
}

/** Resolves the host and returns the address to connect to; throws when any address it has is refused. */
export async function checkedAddress(host: string, allowLoopback: boolean, resolve = lookup): Promise<{ address: string; family: number }> {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  const addresses = isIP(bare) ? [{ address: bare, family: isIP(bare) }] : await resolve(bare, { all: true, verbatim: true });
  if (addresses.length === 0) throw new Error(`${host} has no address`);
  for (const a of addresses) {
    const refusal = refusedAddress(a.address, allowLoopback);
    if (refusal) throw new NotificationRefusedError(`${host} resolves to a refused ${refusal} address (${a.address})`);
  }
  return addresses[0] as { address: string; family: number };
}

let trusted: string[] | undefined;
/**
 * The CAs an https receiver's certificate is checked against: Node's bundled ones and
 * NODE_EXTRA_CA_CERTS (tls 'default') and the system's store (a company CA installed in the image).
 */
function trustedCas(): string[] {
  trusted ??= [...new Set([...getCACertificates('default'), ...getCACertificates('system')])];
  return trusted;
}

export interface PostOptions {
  allowLoopback: boolean;
  timeoutMs: number;
  headers: Record<string, string>;
}

/** POSTs `body` to `url` and resolves with the status code; rejects on a network error or the deadline. */
export async function postNotification(url: URL, body: string, opts: PostOptions): Promise<number> {
  const target = await checkedAddress(url.hostname, opts.allowLoopback);
  // The connection goes to the address checked above, whatever DNS answers by then.
  const pinned: LookupFunction = (_host, options, callback) => {
    if (options.all) callback(null, [target]);
    else callback(null, target.address, target.family);
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const auth = url.username ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` : undefined;
  return new Promise<number>((resolve, reject) => {
    const req = send(
      {
        method: 'POST',
        hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        ...(auth ? { auth } : {}),
        headers: { ...opts.headers, 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) },
        lookup: pinned,
        agent: false,
        ...(url.protocol === 'https:' ? { ca: trustedCas() } : {}),
        signal: AbortSignal.timeout(opts.timeoutMs),
      },
      (res: IncomingMessage) => {
        // The answer's body is not needed; read it to the end so the socket closes cleanly.
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', (err) => reject(new Error(`POST to ${url.host} failed: ${err.message}`, { cause: err })));
    req.end(body);
  });
}
