// The local cluster's private git server over https (started by lib/git-servers.sh): TLS with a
// certificate of the cluster CA, basic auth whose password must be the token (any user name), and
// git http-backend (smart HTTP) as a CGI program behind it, read-only (clone and fetch).
//
//   node server.ts --listen IP --port N --root DIR --cert FILE --key FILE --token-file FILE
import { spawn } from 'node:child_process';
import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    listen: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '9443' },
    root: { type: 'string' },
    cert: { type: 'string' },
    key: { type: 'string' },
    'token-file': { type: 'string' },
  },
});
for (const name of ['root', 'cert', 'key', 'token-file'] as const) {
  if (!args[name]) throw new Error(`--${name} is required`);
}
const root = String(args.root);
const token = Buffer.from(readFileSync(String(args['token-file']), 'utf8').trim());
if (token.length === 0) throw new Error(`the token file ${args['token-file']} is empty`);

/** True when the request carries basic auth whose password is the token. */
function authorized(header: string | undefined, expected: Buffer): boolean {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) return false;
  const decoded = Buffer.from(m[1] ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return false;
  const given = Buffer.from(decoded.slice(colon + 1));
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Paths of the smart protocol's read side: /<name>/info/refs and /<name>/git-upload-pack. */
const READ_PATH = /^\/[A-Za-z0-9._-]+\/(?:info\/refs|git-upload-pack|HEAD)$/;

function reply(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'text/plain', ...headers });
  res.end(`${text}\n`);
}

function log(req: IncomingMessage, status: number): void {
  // Never the Authorization header: only what was asked and the answer.
  process.stdout.write(`${new Date().toISOString()} ${req.socket.remoteAddress} ${req.method} ${req.url} ${status}\n`);
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'https://local');
  if (!authorized(req.headers.authorization, token)) {
    reply(res, 401, 'authentication required', { 'WWW-Authenticate': 'Basic realm="tofu-operator local git"' });
    return log(req, 401);
  }
  if (
    !READ_PATH.test(url.pathname) ||
    (url.pathname.split('/')[1] ?? '').startsWith('.') ||
    url.searchParams.get('service') === 'git-receive-pack'
  ) {
    reply(res, 403, 'this server only serves git clone and fetch');
    return log(req, 403);
  }
  const cgi = spawn('git', ['http-backend'], {
    env: {
      PATH: process.env.PATH,
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: '1',
      // The served repositories belong to the cluster's owner.
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'safe.directory',
      GIT_CONFIG_VALUE_0: '*',
      GATEWAY_INTERFACE: 'CGI/1.1',
      REQUEST_METHOD: req.method ?? 'GET',
      PATH_INFO: url.pathname,
      QUERY_STRING: url.search.slice(1),
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      ...(req.headers['content-length'] ? { CONTENT_LENGTH: req.headers['content-length'] } : {}),
      ...(req.headers['content-encoding'] ? { HTTP_CONTENT_ENCODING: req.headers['content-encoding'] } : {}),
      ...(typeof req.headers['git-protocol'] === 'string' ? { GIT_PROTOCOL: req.headers['git-protocol'] } : {}),
      REMOTE_USER: 'git',
      REMOTE_ADDR: req.socket.remoteAddress ?? '',
    },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  req.pipe(cgi.stdin);
  cgi.stdin.on('error', () => undefined);
  let head = Buffer.alloc(0);
  let headersDone = false;
  cgi.stdout.on('data', (chunk: Buffer) => {
    if (headersDone) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    let end = head.indexOf('\r\n\r\n');
    let sep = 4;
    if (end < 0) {
      end = head.indexOf('\n\n');
      sep = 2;
    }
    if (end < 0) return;
    headersDone = true;
    let status = 200;
    for (const line of head.subarray(0, end).toString('latin1').split(/\r?\n/)) {
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 500;
      else res.setHeader(name, value);
    }
    res.writeHead(status);
    res.write(head.subarray(end + sep));
    log(req, status);
  });
  cgi.on('close', (code) => {
    if (!headersDone) {
      reply(res, 500, `git http-backend exited with ${code}`);
      return log(req, 500);
    }
    res.end();
  });
  cgi.on('error', (err) => {
    if (!headersDone) reply(res, 500, `git http-backend: ${err.message}`);
    else res.destroy(err);
  });
}

const server = createServer({ cert: readFileSync(String(args.cert)), key: readFileSync(String(args.key)) }, handle);
server.listen(Number(args.port), args.listen, () => {
  process.stdout.write(`git https serving ${root} on https://${args.listen}:${args.port}/\n`);
});
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    server.close();
    server.closeAllConnections();
  });
}
