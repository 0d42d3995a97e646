// The local cluster's OpenTofu provider network mirror (started by lib/provider-mirror.sh): a static
// https server for the directory lib/provider-mirror.sh lays out in the protocol's own shape
// (<hostname>/<namespace>/<type>/index.json, <version>.json and the zip archives beside them),
// read-only, with a certificate of the cluster CA.
//
//   node server.ts --listen IP --port N --root DIR --cert FILE --key FILE
import { createReadStream, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    listen: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '8443' },
    root: { type: 'string' },
    cert: { type: 'string' },
    key: { type: 'string' },
  },
});
for (const name of ['root', 'cert', 'key'] as const) {
  if (!args[name]) throw new Error(`--${name} is required`);
}
const root = path.resolve(String(args.root));

/**
 * The mirror's paths: <hostname>/<namespace>/<type>/ then index.json, <version>.json or an archive.
 * Segments of letters, digits, '.', '_' and '-' that do not start with a dot, so nothing outside the
 * root (and no hidden file) is ever named.
 */
const MIRROR_PATH = /^\/(?:[A-Za-z0-9_-][A-Za-z0-9._-]*\/){3}[A-Za-z0-9_-][A-Za-z0-9._+-]*\.(?:json|zip)$/;

const TYPES: Record<string, string> = { '.json': 'application/json', '.zip': 'application/zip' };

function log(req: IncomingMessage, status: number): void {
  process.stdout.write(`${new Date().toISOString()} ${req.socket.remoteAddress} ${req.method} ${req.url} ${status}\n`);
}

function reply(req: IncomingMessage, res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain' });
  res.end(`${text}\n`);
  log(req, status);
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') return reply(req, res, 405, 'read-only mirror');
  const url = new URL(req.url ?? '/', 'https://local');
  let pathname: string;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return reply(req, res, 400, 'bad path');
  }
  if (!MIRROR_PATH.test(pathname)) return reply(req, res, 404, 'not found');
  const file = path.join(root, pathname);
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) return reply(req, res, 404, 'not found');
    size = st.size;
  } catch {
    return reply(req, res, 404, 'not found');
  }
  res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'Content-Length': size });
  log(req, 200);
  if (req.method === 'HEAD') return void res.end();
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}

const server = createServer({ cert: readFileSync(String(args.cert)), key: readFileSync(String(args.key)) }, handle);
server.listen(Number(args.port), String(args.listen), () => {
  process.stdout.write(`provider mirror on https://${args.listen}:${args.port}/ serving ${root}\n`);
});
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
