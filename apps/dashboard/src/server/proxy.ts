/**
 * The dashboard's /api proxy: REST, chunked log streams and the socket.io websocket go to the
 * operator's API with the session's token as a bearer token. The browser only ever talks to the
 * dashboard's origin and never sees the token.
 */
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Duplex } from 'node:stream';
import { API_CONTENT_SECURITY_POLICY, COMMON_SECURITY_HEADERS, proxiedResponseHeaders } from './security-headers.ts';
import { errorBody, isSafeMethod, readCookie, sameOrigin, SESSION_COOKIE, upstreamHeaders } from './session.ts';

export interface ProxyOptions {
  /** The operator's base URL (TOFU_OPERATOR_API_URL). */
  upstream: URL;
  /** The dashboard's public URL, when it differs from what the Host header says. */
  publicUrl?: string;
  /** Whether the dashboard is served over https (for the Origin check). */
  secure: boolean;
}

function send(res: ServerResponse, status: number, reason: string, message: string): void {
  res.writeHead(status, {
    ...COMMON_SECURITY_HEADERS,
    'content-security-policy': API_CONTENT_SECURITY_POLICY,
    'content-type': 'application/json',
    'cache-control': 'no-store',
  });
  res.end(errorBody(status, reason, message));
}

function requestFn(upstream: URL): typeof httpRequest {
  return upstream.protocol === 'https:' ? httpsRequest : httpRequest;
}

/** Whether a request path is the proxy's (everything below /api/). */
export function isApiPath(url: string | undefined): boolean {
  return !!url && (url === '/api' || url.startsWith('/api/') || url.startsWith('/api?'));
}

/** Proxies one HTTP request below /api. */
export function proxyHttp(req: IncomingMessage, res: ServerResponse, opts: ProxyOptions): void {
  if (!isSafeMethod(req.method) && !sameOrigin(req.headers.origin, req.headers.host, { publicUrl: opts.publicUrl, secure: opts.secure })) {
    return send(res, 403, 'Forbidden', 'cross-origin request refused: the Origin header must be the dashboard itself');
  }
  const token = readCookie(req.headers.cookie, SESSION_COOKIE);
  if (!token) return send(res, 401, 'Unauthorized', 'not signed in');
  const up = requestFn(opts.upstream)(
    {
      protocol: opts.upstream.protocol,
      hostname: opts.upstream.hostname,
      port: opts.upstream.port,
      method: req.method,
      path: req.url,
      headers: upstreamHeaders(req.headers, token, {
        forwardedFor: req.socket.remoteAddress,
        forwardedHost: req.headers.host,
        forwardedProto: opts.secure ? 'https' : 'http',
      }),
    },
    (upRes) => {
      // The dashboard's cookies are its own; its security headers cover these answers too.
      const headers = proxiedResponseHeaders(upRes.headers);
      // Streams (log follow) must reach the browser as they come.
      res.writeHead(upRes.statusCode ?? 502, headers);
      res.flushHeaders();
      upRes.pipe(res);
      upRes.on('error', () => res.destroy());
    },
  );
  up.on('error', (err) => {
    if (!res.headersSent) send(res, 502, 'BadGateway', `the operator API is not reachable: ${err.message}`);
    else res.destroy();
  });
  // A browser that goes away (page closed, follow stream aborted) ends the upstream request too.
  res.on('close', () => {
    if (!res.writableFinished) up.destroy();
  });
  req.pipe(up);
}

/** Proxies a websocket upgrade on the socket.io path. */
export function proxyUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, opts: ProxyOptions): void {
  const refuse = (status: number, text: string) => {
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  };
  if (!sameOrigin(req.headers.origin, req.headers.host, { publicUrl: opts.publicUrl, secure: opts.secure }))
    return refuse(403, 'Forbidden');
  const token = readCookie(req.headers.cookie, SESSION_COOKIE);
  if (!token) return refuse(401, 'Unauthorized');
  const up = requestFn(opts.upstream)({
    protocol: opts.upstream.protocol,
    hostname: opts.upstream.hostname,
    port: opts.upstream.port,
    method: req.method,
    path: req.url,
    headers: upstreamHeaders(req.headers, token, { upgrade: true, forwardedFor: req.socket.remoteAddress }),
  });
  up.on('upgrade', (upRes, upSocket, upHead) => {
    const lines = [`HTTP/1.1 ${upRes.statusCode ?? 101} ${upRes.statusMessage ?? 'Switching Protocols'}`];
    for (let i = 0; i < upRes.rawHeaders.length; i += 2) lines.push(`${upRes.rawHeaders[i]}: ${upRes.rawHeaders[i + 1]}`);
    socket.write(lines.join('\r\n') + '\r\n\r\n');
    if (upHead.length) socket.write(upHead);
    if (head.length) upSocket.write(head);
    upSocket.pipe(socket).pipe(upSocket);
    upSocket.on('error', () => socket.destroy());
    socket.on('error', () => upSocket.destroy());
    upSocket.on('close', () => socket.destroy());
    socket.on('close', () => upSocket.destroy());
  });
  up.on('response', (upRes) => {
    // The operator refused the upgrade: pass its status on.
    refuse(upRes.statusCode ?? 502, upRes.statusMessage ?? 'Bad Gateway');
    upRes.resume();
  });
  up.on('error', () => refuse(502, 'Bad Gateway'));
  up.end();
}
