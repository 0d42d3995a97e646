import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TofuExecution } from '@tofu-operator/api-types';
import type { Logger } from '@tofu-operator/reconcile-runtime';
import { ChunkIntegrityError } from './chunking.js';
import { LockInfoError, parseLockInfo, serializeLockInfo, type LockInfo } from './lock-info.js';
import { PlanConflictError, type PlanStore } from './plan-store.service.js';
import { OutputsFormatError } from './outputs-record.js';
import { OutputsOwnerError, OwnersNotSyncedError, type OutputsStore } from './outputs-store.service.js';
import { authorize, isFinished, ownerOf, type RunnerRoute } from './runner-access.js';
import { ReasonFor } from '../http/errors.js';
import { basicCredentials, ByteBudget, readBody, RunnerHttpError, sendBytes, sendError, sendJson } from './runner-http.js';
import { parseRoute } from './runner-routes.js';
import type { TokenSubject } from './runner-token.js';
import { RunnerKeyError } from './runner-key.service.js';
import { ForeignSecretError } from './secret-io.js';
import { StaleLockError, StateLockedError, type StateRef, type StateStore } from './state-store.service.js';
import { SupersededWriteError, type LockHolder } from './state-pointer.js';

/** Size limits of request bodies. */
export interface RunnerApiLimits {
  /** A state (POST). Default 64 MiB. */
  stateBytes: number;
  /** A saved plan or its diff (PUT). Default 64 MiB. */
  planBytes: number;
  /** Lock information (LOCK, UNLOCK). Default 64 KiB. */
  lockBytes: number;
  /** Outputs (`tofu output -json`, PUT). Default 768 KiB: the record must fit in one Secret. */
  outputsBytes: number;
  /** Request bytes held in memory at once, over all requests. Default 256 MiB. */
  bufferedBytes: number;
}

export const DEFAULT_LIMITS: RunnerApiLimits = {
  stateBytes: 64 * 1024 * 1024,
  planBytes: 64 * 1024 * 1024,
  lockBytes: 64 * 1024,
  outputsBytes: 768 * 1024,
  bufferedBytes: 256 * 1024 * 1024,
};

/** What the handler needs: the executions cache, the key, the stores. Narrow, so tests can give fakes. */
export interface RunnerApiDeps {
  executions: { readonly hasSynced: boolean; get(namespace: string, name: string): TofuExecution | undefined };
  keys: { verify(subject: TokenSubject, token: string): Promise<boolean> };
  state: Pick<StateStore, 'read' | 'write' | 'lock' | 'unlock'>;
  /**
   * The API server's copy of an execution (undefined when there is none): confirms that the holder of
   * a state lock is gone when the cache does not show it. Without it, the cache decides.
   */
  readExecution?: (namespace: string, name: string) => Promise<TofuExecution | undefined>;
  plans: Pick<PlanStore, 'store' | 'read'>;
  outputs: Pick<OutputsStore, 'write'>;
  log: Logger;
  limits?: Partial<RunnerApiLimits>;
}

const REALM = { 'www-authenticate': 'Basic realm="tofu-operator-runner", charset="UTF-8"' };
const fail = (status: number, message: string, headers: Record<string, string> = {}) =>
  new RunnerHttpError(status, ReasonFor[status] ?? 'Error', message, headers);

/**
 * The runner API's request handler (docs/adr/0007-apply-approval-and-state.md): authenticates the
 * runner by its execution's token, authorises the path, and serves state (OpenTofu's http backend)
 * and saved plans, and takes outputs. Logs method, path, execution and status; never a body, a
 * header or a token.
 *
 * Outputs (issue 12, docs/guides/outputs-and-dependencies.md): after a successful apply or destroy,
 * the runner sends `PUT {runnerApiUrl}/outputs/{namespace}/{execution}` with its usual credentials
 * (HTTP Basic: the execution's name and its token) and, as the body (`application/json`, at most
 * `outputsBytes`), exactly what `tofu output -json` printed:
 * `{"<name>": {"sensitive": bool, "type": <type>, "value": <any>}}` (`{}` after a destroy). Only the
 * execution itself, an apply or destroy of a module or stack that has not finished, may send them.
 * Answers 204 when stored; 400 when the body is not that JSON (the message names the output, never a
 * value); 409 when the owner is gone or was replaced; 413 beyond the limit; 5xx (503 with Retry-After
 * just after the operator started): retry.
 */
export function createRunnerApiHandler(deps: RunnerApiDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const limits = { ...DEFAULT_LIMITS, ...deps.limits };
  const budget = new ByteBudget(limits.bufferedBytes);

  /**
   * Whether the execution holding a state lock finished or went away (its runner can then never
   * unlock). A finished run in the cache is final; an absent one (or another of the same name) is
   * confirmed with the API server, so a cache behind it (another replica's, a watch that reconnects)
   * never releases the lock of a run that is going.
   */
  async function holderGone(namespace: string, holder: LockHolder): Promise<boolean> {
    const cached = deps.executions.get(namespace, holder.execution);
    if (cached?.metadata.uid === holder.uid) return isFinished(cached);
    const live = deps.readExecution ? await deps.readExecution(namespace, holder.execution) : undefined;
    return live?.metadata.uid !== holder.uid || isFinished(live);
  }

  /** Reads a body within its limit and the shared budget. */
  async function body(req: IncomingMessage, limit: number): Promise<Buffer> {
    const declared = Number(req.headers['content-length'] ?? NaN);
    const reserve = Number.isFinite(declared) && declared >= 0 ? Math.min(declared, limit) : limit;
    if (!budget.take(reserve))
      throw fail(503, 'the runner API is busy with other uploads; retry', { 'retry-after': '2', connection: 'close' });
    try {
      return await readBody(req, limit);
    } finally {
      budget.release(reserve);
    }
  }

  async function authenticate(req: IncomingMessage, route: RunnerRoute): Promise<TofuExecution> {
    const creds = basicCredentials(req.headers.authorization);
    if (!creds) throw fail(401, 'runner credentials are required (HTTP Basic: execution name and token)', REALM);
    if (!deps.executions.hasSynced) throw fail(503, 'the executions cache has not synced yet; retry', { 'retry-after': '2' });
    const execution = deps.executions.get(route.namespace, creds.username);
    const uid = execution?.metadata.uid;
    // One answer for an unknown execution and a wrong token: the caller learns nothing about which.
    if (!execution || !uid || !(await deps.keys.verify({ namespace: route.namespace, name: creds.username, uid }, creds.password))) {
      throw fail(401, 'invalid runner credentials', REALM);
    }
    return execution;
  }

  async function serve(
    req: IncomingMessage,
    res: ServerResponse,
    route: RunnerRoute,
    requester: TofuExecution,
    target: TofuExecution | undefined,
  ): Promise<void> {
    if (route.kind === 'state') {
      const ref: StateRef = { namespace: route.namespace, kind: route.ownerKind, owner: route.owner };
      if (route.op === 'get') {
        const state = await deps.state.read(ref);
        if (!state) return void res.writeHead(204).end();
        const md5 = createHash('md5').update(state.data).digest('base64');
        return sendBytes(res, 200, state.data, { 'content-type': 'application/json', 'content-md5': md5, etag: `"${state.digest}"` });
      }
      if (route.op === 'write') {
        const data = await body(req, limits.stateBytes);
        const md5 = req.headers['content-md5'];
        if (typeof md5 === 'string' && md5 !== createHash('md5').update(data).digest('base64'))
          throw fail(400, 'the body does not match its Content-MD5');
        const written = await deps.state.write(ref, data, route.lockId);
        return sendJson(res, 200, written);
      }
      const text = (await body(req, limits.lockBytes)).toString('utf8');
      const by: LockHolder = { execution: requester.metadata.name ?? '', uid: requester.metadata.uid ?? '' };
      const outcome =
        route.op === 'lock'
          ? await deps.state.lock(ref, parseLockInfo(text, true), by, (holder) => holderGone(route.namespace, holder))
          : await deps.state.unlock(ref, parseLockInfo(text, false)?.ID);
      if (outcome.ok) return sendJson(res, 200, {});
      return lockRefused(res, route.op === 'lock' ? 423 : 409, outcome.holder);
    }
    if (!target) throw fail(404, `execution ${route.execution} does not exist`);
    if (route.kind === 'outputs') {
      const owner = ownerOf(target);
      if (!owner) throw fail(403, `execution ${route.execution} has no module or stack`);
      await deps.outputs.write(route.namespace, target, owner, await body(req, limits.outputsBytes));
      return void res.writeHead(204).end();
    }
    if (route.op === 'put') {
      const data = await body(req, limits.planBytes);
      if (route.part === 'diff') assertJson(data);
      const { digest, created } = await deps.plans.store(target, route.part, data);
      return sendJson(res, created ? 201 : 200, { digest });
    }
    const plan = await deps.plans.read(target, route.part);
    if (!plan) throw fail(404, `execution ${route.execution} has no stored ${route.part}`);
    const type = route.part === 'diff' ? 'application/json' : 'application/octet-stream';
    return sendBytes(res, 200, plan.data, { 'content-type': type, etag: `"${plan.digest}"` });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<string | undefined> {
    const parsed = parseRoute(req.method ?? '', req.url ?? '');
    if ('error' in parsed) {
      const { status, message, allow } = parsed.error;
      throw fail(status, message, allow ? { allow: allow.join(', ') } : {});
    }
    const route = parsed.route;
    const requester = await authenticate(req, route);
    const decision = authorize(requester, route, (ns, name) => deps.executions.get(ns, name));
    if (!decision.allow) throw fail(decision.status, decision.message);
    await serve(req, res, route, requester, decision.target);
    return requester.metadata.name;
  }

  return (req, res) => {
    const started = Date.now();
    const path = (req.url ?? '').split('?')[0];
    handle(req, res)
      .then((execution) =>
        deps.log.debug({ method: req.method, path, execution, status: res.statusCode, ms: Date.now() - started }, 'runner API'),
      )
      .catch((err: unknown) => {
        const answer = toHttpError(err);
        if (res.destroyed) return void deps.log.info({ method: req.method, path }, 'runner API client went away');
        if (answer.status >= 500) deps.log.error({ err, method: req.method, path }, 'runner API request failed');
        else deps.log.info({ method: req.method, path, status: answer.status, reason: answer.reason }, 'runner API request refused');
        if (res.headersSent) return void res.destroy();
        // A refused upload's body is not read: close the connection rather than drain it.
        if (!req.readableEnded && !req.complete) answer.headers['connection'] = 'close';
        sendError(res, answer);
      });
  };
}

/** The 423/409 answer OpenTofu reads: the holder's lock information itself, as JSON. */
function lockRefused(res: ServerResponse, status: 409 | 423, holder: LockInfo): void {
  const text = serializeLockInfo(holder);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function assertJson(data: Buffer): void {
  try {
    JSON.parse(data.toString('utf8'));
  } catch (err) {
    throw new RunnerHttpError(400, 'BadRequest', 'the plan diff must be JSON', {}, { cause: err });
  }
}

/** Maps what the stores throw to the answer (the error bodies name no stored content). */
function toHttpError(err: unknown): RunnerHttpError {
  if (err instanceof RunnerHttpError) return err;
  if (err instanceof StateLockedError) return fail(423, err.message);
  if (err instanceof StaleLockError || err instanceof SupersededWriteError || err instanceof PlanConflictError)
    return fail(409, err.message);
  if (err instanceof ForeignSecretError) return fail(409, err.message);
  if (err instanceof LockInfoError || err instanceof OutputsFormatError) return fail(400, err.message);
  if (err instanceof OutputsOwnerError) return fail(409, err.message);
  if (err instanceof RunnerKeyError) return fail(503, 'the runner key is not available yet; retry', { 'retry-after': '2' });
  if (err instanceof OwnersNotSyncedError) return fail(503, err.message, { 'retry-after': '2' });
  if (err instanceof ChunkIntegrityError) return fail(500, `the stored data is damaged: ${err.message}`);
  return fail(500, 'internal error; see the operator log');
}
