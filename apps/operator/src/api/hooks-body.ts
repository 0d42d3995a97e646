// The raw body of push webhooks. Their signature covers the exact bytes sent, so /hooks requests
// are read here, before Nest's JSON and form parsers (main.ts mounts this first), into a Buffer:
// bounded, never parsed (the operator needs nothing from a push but its signature).
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The largest webhook body taken; GitHub's push events are far smaller, its cap is 25 MB. */
export const MAX_HOOK_BODY = 1024 * 1024;

/** A request after hookBodyReader: `body` holds the raw bytes. */
export interface HookRequest extends IncomingMessage {
  body?: unknown;
  /** body-parser's own mark of a read body: its parsers then leave the request alone. */
  _body?: boolean;
}

/**
 * Connect-style middleware for /hooks: reads at most MAX_HOOK_BODY bytes into `req.body` (a Buffer);
 * a longer body is answered 413 at once (Content-Length or while reading).
 */
export function hookBodyReader(req: HookRequest, res: ServerResponse, next: (err?: unknown) => void): void {
  const tooLarge = () => {
    res.statusCode = 413;
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('Connection', 'close');
    res.end(JSON.stringify({ status: 413, reason: 'RequestEntityTooLarge', message: `a webhook body is at most ${MAX_HOOK_BODY} bytes` }));
  };
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_HOOK_BODY) {
    req.resume();
    return tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let done = false;
  req.on('data', (chunk: Buffer) => {
    if (done) return;
    size += chunk.length;
    if (size > MAX_HOOK_BODY) {
      done = true;
      tooLarge();
      req.resume();
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    if (done) return;
    done = true;
    req.body = Buffer.concat(chunks);
    req._body = true;
    next();
  });
  req.on('error', (err) => {
    if (done) return;
    done = true;
    next(err);
  });
}
