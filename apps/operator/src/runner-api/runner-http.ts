import type { IncomingMessage, ServerResponse } from 'node:http';
import { ReasonFor } from '../http/errors.js';

/** An answer other than success, with the JSON error body of the runner API. */
export class RunnerHttpError extends Error {
  override readonly name = 'RunnerHttpError';
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly headers: Record<string, string> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Basic credentials of a request (`TF_HTTP_USERNAME` / `TF_HTTP_PASSWORD`), or undefined without them. */
export function basicCredentials(header: string | undefined): { username: string; password: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const text = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon <= 0) return undefined;
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

/**
 * Reads a request body of at most `limit` bytes; a larger one is refused with 413 as soon as its
 * Content-Length (or the bytes received) says so, without reading the rest.
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const tooLarge = () =>
    new RunnerHttpError(413, ReasonFor[413] ?? '', `the body exceeds the limit of ${limit} bytes`, { connection: 'close' });
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge();
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge();
    parts.push(chunk);
  }
  return Buffer.concat(parts, size);
}

/** Sends a JSON body. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Sends the error body `{status, reason, message}`. */
export function sendError(res: ServerResponse, err: RunnerHttpError): void {
  sendJson(res, err.status, { status: err.status, reason: err.reason, message: err.message }, err.headers);
}

/** Sends bytes as they are. */
export function sendBytes(res: ServerResponse, status: number, data: Buffer, headers: Record<string, string>): void {
  res.writeHead(status, { 'content-length': data.length, ...headers });
  res.end(data);
}

/**
 * A bound on the request bytes held in memory at once across requests: an upload that would pass it
 * waits for nobody and is answered 503 (OpenTofu's http client retries 5xx answers).
 */
export class ByteBudget {
  private used = 0;
  constructor(readonly capacity: number) {}

  /** Reserves `bytes`; false when they do not fit. */
  take(bytes: number): boolean {
    if (this.used + bytes > this.capacity) return false;
    this.used += bytes;
    return true;
  }

  release(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }

  get inUse(): number {
    return this.used;
  }
}
