/**
 * The dashboard's server: Next.js (pages and the sign-in/sign-out route handlers) plus the /api
 * proxy to the operator (REST, log streams, socket.io with its websocket upgrade).
 *
 *   PORT (3000), HOST (0.0.0.0), TOFU_OPERATOR_API_URL (http://127.0.0.1:8080),
 *   DASHBOARD_PUBLIC_URL (the origin browsers use, when behind a proxy), NODE_ENV=production
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import next from 'next';
import { isApiPath, proxyHttp, proxyUpgrade, type ProxyOptions } from './src/server/proxy.ts';
import { errorBody, isSafeMethod, sameOrigin } from './src/server/session.ts';

const dev = process.env['NODE_ENV'] !== 'production';
const port = Number(process.env['PORT'] ?? 3000);
const host = process.env['HOST'] ?? '0.0.0.0';
const publicUrl = process.env['DASHBOARD_PUBLIC_URL'] || undefined;
const opts: ProxyOptions = {
  upstream: new URL(process.env['TOFU_OPERATOR_API_URL'] ?? 'http://127.0.0.1:8080'),
  secure: publicUrl?.startsWith('https:') ?? false,
  ...(publicUrl ? { publicUrl } : {}),
};

const dir = dirname(fileURLToPath(import.meta.url));
// The dashboard image ships Next's standalone output and no next.config.ts (loading it needs the
// build-time compiler): there, use the configuration the build resolved, as Next's own standalone
// server does.
if (!dev && !existsSync(join(dir, 'next.config.ts'))) {
  const required = JSON.parse(readFileSync(join(dir, '.next', 'required-server-files.json'), 'utf8')) as { config: unknown };
  process.env['__NEXT_PRIVATE_STANDALONE_CONFIG'] = JSON.stringify(required.config);
}

const app = next({ dev, dir, hostname: host, port });
await app.prepare();
const handle = app.getRequestHandler();
const nextUpgrade = dev ? app.getUpgradeHandler() : undefined;

const server = createServer((req, res) => {
  if (isApiPath(req.url)) return proxyHttp(req, res, opts);
  // Sign-in, sign-out and anything else that changes state: from the dashboard's own pages only.
  if (!isSafeMethod(req.method) && !sameOrigin(req.headers.origin, req.headers.host, opts)) {
    res.writeHead(403, { 'content-type': 'application/json' }).end(errorBody(403, 'Forbidden', 'cross-origin request refused'));
    return;
  }
  handle(req, res).catch((err: unknown) => {
    console.error(JSON.stringify({ level: 'error', msg: 'request failed', url: req.url, err: String(err) }));
    if (!res.headersSent) res.writeHead(500).end();
  });
});
server.on('upgrade', (req, socket, head) => {
  if (isApiPath(req.url)) return proxyUpgrade(req, socket, head, opts);
  if (nextUpgrade) nextUpgrade(req, socket, head).catch(() => socket.destroy());
  else socket.destroy();
});
server.listen(port, host, () => {
  const addr = server.address();
  const actual = typeof addr === 'object' && addr ? addr.port : port;
  console.log(
    JSON.stringify({ level: 'info', msg: 'dashboard listening', url: `http://${host}:${actual}`, upstream: opts.upstream.href, dev }),
  );
});

function shutdown(): void {
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 3000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
