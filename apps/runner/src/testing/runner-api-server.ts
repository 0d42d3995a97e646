// An in-test HTTP server speaking the operator's runner API (apps/operator/src/runner-api,
// docs/adr/0007-apply-approval-and-state.md): OpenTofu's http backend protocol on
// /state/{ns}/{kind}/{owner} (GET 200/204, POST with ?ID=, LOCK/UNLOCK with 423/409 and the holder's
// lock information), the saved plans on /plans/{ns}/{execution}[/diff] (PUT once, answering
// {digest}; GET) and the outputs of applies on /outputs/{ns}/{execution} (PUT, 204). Basic
// credentials: an execution's name and its token. It keeps every request, so tests can see what the
// runner and tofu did.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the server saw it. */
export interface SeenRequest {
  method: string;
  path: string;
  /** The Basic user name (an execution), or undefined without credentials. */
  user?: string;
  status: number;
}

interface LockInfo {
  ID: string;
  [key: string]: unknown;
}

const digestOf = (data: Buffer): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** The fake runner API. */
export class FakeRunnerApi {
  /** Token of each execution allowed in. */
  readonly tokens = new Map<string, string>();
  /** State by path (`{ns}/{kind}/{owner}`). */
  readonly states = new Map<string, Buffer>();
  readonly locks = new Map<string, LockInfo>();
  /** Stored plan parts by `{ns}/{execution}` and `{ns}/{execution}/diff`. */
  readonly plans = new Map<string, Buffer>();
  /** Outputs stored after applies, by `{ns}/{execution}`. */
  readonly outputs = new Map<string, Buffer>();
  /** Answers PUT /outputs with this status instead of 204 (a refusal). */
  outputsStatus = 204;
  readonly requests: SeenRequest[] = [];
  /** Answers this many requests with 503 before serving (retries). */
  failNext = 0;
  private server: Server | undefined;
  private base = '';

  get url(): string {
    return this.base;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The state of an owner, parsed. */
  stateJson(namespace: string, kind: string, owner: string): Record<string, unknown> | undefined {
    const data = this.states.get(`${namespace}/${kind}/${owner}`);
    return data ? (JSON.parse(data.toString('utf8')) as Record<string, unknown>) : undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const seen: SeenRequest = { method: req.method ?? '', path: url.pathname, status: 0 };
    this.requests.push(seen);
    const chunks: Buffer[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    const body = Buffer.concat(chunks);
    const send = (status: number, data?: Buffer | string | object, type = 'application/json'): void => {
      seen.status = status;
      const bytes =
        data === undefined ? undefined : Buffer.isBuffer(data) ? data : Buffer.from(typeof data === 'string' ? data : JSON.stringify(data));
      res.writeHead(status, bytes ? { 'content-type': type, 'content-length': bytes.length } : {});
      res.end(bytes);
    };
    if (this.failNext > 0) {
      this.failNext--;
      return send(503, { status: 503, reason: 'ServiceUnavailable', message: 'busy; retry' });
    }
    const match = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
    const [user, ...rest] = match?.[1] ? Buffer.from(match[1], 'base64').toString('utf8').split(':') : [];
    seen.user = user;
    if (!user || this.tokens.get(user) !== rest.join(':'))
      return send(401, { status: 401, reason: 'Unauthorized', message: 'invalid runner credentials' });

    const [head, ...parts] = url.pathname.split('/').slice(1);
    const key = parts.join('/');
    if (head === 'state' && parts.length === 3) return this.state(req.method ?? '', key, url.searchParams.get('ID'), body, send);
    if (head === 'plans' && (parts.length === 2 || (parts.length === 3 && parts[2] === 'diff'))) {
      if (req.method === 'PUT') {
        const stored = this.plans.get(key);
        if (stored && !stored.equals(body)) return send(409, { status: 409, reason: 'Conflict', message: 'stored already' });
        this.plans.set(key, body);
        return send(stored ? 200 : 201, { digest: digestOf(body) });
      }
      const stored = this.plans.get(key);
      if (!stored) return send(404, { status: 404, reason: 'NotFound', message: `execution ${parts[1]} has no stored plan` });
      return send(200, stored, 'application/octet-stream');
    }
    if (head === 'outputs' && parts.length === 2 && req.method === 'PUT') {
      if (this.outputsStatus !== 204)
        return send(this.outputsStatus, { status: this.outputsStatus, reason: 'Refused', message: 'outputs refused' });
      this.outputs.set(key, body);
      return send(204);
    }
    return send(404, { status: 404, reason: 'NotFound', message: `no route for ${url.pathname}` });
  }

  private state(method: string, key: string, id: string | null, body: Buffer, send: (s: number, d?: Buffer | object) => void): void {
    const lock = this.locks.get(key);
    switch (method) {
      case 'GET': {
        const state = this.states.get(key);
        return state ? send(200, state) : send(204);
      }
      case 'POST':
        if (lock && lock.ID !== id) return send(423, lock);
        if (!lock && id) return send(409, { status: 409, reason: 'Conflict', message: `lock ${id} is not held` });
        this.states.set(key, body);
        return send(200, {});
      case 'LOCK': {
        const info = JSON.parse(body.toString('utf8')) as LockInfo;
        if (lock && lock.ID !== info.ID) return send(423, lock);
        this.locks.set(key, info);
        return send(200, {});
      }
      case 'UNLOCK': {
        const info = body.length ? (JSON.parse(body.toString('utf8')) as LockInfo) : undefined;
        if (lock && info?.ID && info.ID !== lock.ID) return send(409, lock);
        this.locks.delete(key);
        return send(200, {});
      }
      default:
        return send(405, { status: 405, reason: 'MethodNotAllowed', message: `${method} is not allowed` });
    }
  }
}
