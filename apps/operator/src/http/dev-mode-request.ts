import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { isLoopback } from '../config/operator-config.js';

/**
 * The host name of a Host header or an origin's host (`name`, `name:port`, `[::1]:port`), or
 * undefined when it is not one.
 */
function hostName(host: string): string | undefined {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(:\d{1,5})?$/.exec(host);
  if (!m?.[1]) return undefined;
  return m[1].startsWith('[') ? m[1].slice(1, -1) : m[1].toLowerCase();
}

/**
 * Why development mode (TOFU_OPERATOR_INSECURE_NO_AUTH) refuses a request, or undefined to serve it.
 * Binding a loopback address is not enough there: a web page the developer visits can send requests
 * to 127.0.0.1 (form posts, fetch without reading the answer) or reach it under its own name by DNS
 * rebinding. So the Host must be a loopback name or address, and a browser's Origin, when sent, must
 * be that same host: a page from anywhere else is refused before anything runs.
 */
export function devModeRefusal(headers: Pick<IncomingHttpHeaders, 'host' | 'origin'>): string | undefined {
  const host = headers.host ?? '';
  const name = hostName(host);
  if (name === undefined || !isLoopback(name)) {
    return `development mode (TOFU_OPERATOR_INSECURE_NO_AUTH) serves only requests for a loopback host (localhost, 127.0.0.1, [::1]); the Host header is "${host}"`;
  }
  const origin = headers.origin;
  if (origin === undefined) return undefined;
  let originHost: string | undefined;
  try {
    const url = new URL(origin);
    if (url.protocol === 'http:' || url.protocol === 'https:') originHost = url.host;
  } catch {
    // "null" (sandboxed pages, file: URLs) and other non-URLs are refused below.
  }
  if (originHost === undefined || originHost.toLowerCase() !== host.toLowerCase()) {
    return `development mode (TOFU_OPERATOR_INSECURE_NO_AUTH) refuses requests from web pages of another origin; the Origin header is "${origin}"`;
  }
  return undefined;
}

/** Express-style middleware answering 403 (the API's error shape) to what devModeRefusal refuses. */
export function devModeRequestFilter(req: IncomingMessage, res: ServerResponse, next: () => void): void {
  const why = devModeRefusal(req.headers);
  if (why === undefined) return next();
  res.statusCode = 403;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.end(JSON.stringify({ status: 403, reason: 'Forbidden', message: why }));
}
