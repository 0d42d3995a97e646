// The runner's client of the operator's runner API (docs/adr/0007-apply-approval-and-state.md):
// saved plans and their diffs, and a read of the owner's state. OpenTofu itself talks to the state
// part through its http backend.
import { FailureCategory, type StateOwner } from '@tofu-operator/api-types';
import { RunnerError } from './errors.js';
import { stateUrl } from './backend.js';

/** Settings of the client: where the API is, and who the runner is. */
export interface RunnerApiOptions {
  /** Base URL (no trailing slash). */
  baseUrl: string;
  namespace: string;
  /** The execution's name: the Basic user name. */
  execution: string;
  /** The execution's token: the Basic password. Never printed. */
  token: string;
  signal?: AbortSignal;
  /** Attempts of a request that fails in a way worth retrying (network, 5xx, 429). Default 5. */
  attempts?: number;
  /** First wait between attempts, doubled each time; a Retry-After answer wins. Default 1000 ms. */
  retryDelayMs?: number;
  /** Limit of one request. Default 5 minutes (a 64 MiB plan on a slow link). */
  timeoutMs?: number;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason as Error);
      },
      { once: true },
    );
  });

/** The error body of the runner API: `{status, reason, message}`. */
async function answerText(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { message?: unknown };
    if (typeof body.message === 'string') return body.message;
  } catch {
    // Not the API's JSON: a proxy's page, say.
  }
  return text.slice(0, 300).trim();
}

const retryable = (status: number): boolean => status >= 500 || status === 429;

/** Calls the runner API with the execution's credentials; failures are RunnerApiFailed (PlanNotFound for a missing plan). */
export class RunnerApi {
  private readonly authorization: string;

  constructor(private readonly opts: RunnerApiOptions) {
    this.authorization = 'Basic ' + Buffer.from(`${opts.execution}:${opts.token}`).toString('base64');
  }

  private planPath(execution: string, part: 'plan' | 'diff'): string {
    const base = `/plans/${encodeURIComponent(this.opts.namespace)}/${encodeURIComponent(execution)}`;
    return part === 'diff' ? `${base}/diff` : base;
  }

  /** One request, retried while that can help; answers the response of the last attempt. */
  private async request(method: string, path: string, body?: Uint8Array, type?: string): Promise<Response> {
    const { signal } = this.opts;
    const attempts = this.opts.attempts ?? 5;
    let delay = this.opts.retryDelayMs ?? 1000;
    for (let attempt = 1; ; attempt++) {
      signal?.throwIfAborted();
      const timeout = AbortSignal.timeout(this.opts.timeoutMs ?? 300_000);
      let res: Response | undefined;
      let failure: unknown;
      try {
        res = await fetch(`${this.opts.baseUrl}${path}`, {
          method,
          headers: { authorization: this.authorization, ...(type ? { 'content-type': type } : {}) },
          body,
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        });
      } catch (err) {
        if (signal?.aborted) throw signal.reason as Error;
        failure = err;
      }
      if (res && !retryable(res.status)) return res;
      if (attempt >= attempts) {
        if (res) return res;
        const cause = (failure as { cause?: { message?: string } } | undefined)?.cause?.message ?? (failure as Error).message;
        throw new RunnerError(FailureCategory.RunnerApiFailed, `the runner API cannot be reached (${method} ${path}): ${cause}`, {
          cause: failure,
        });
      }
      const after = Number(res?.headers.get('retry-after'));
      if (res) await res.arrayBuffer().catch(() => undefined);
      await sleep(Number.isFinite(after) && after > 0 ? after * 1000 : delay, signal);
      delay *= 2;
    }
  }

  private async refused(res: Response, method: string, path: string): Promise<never> {
    throw new RunnerError(
      FailureCategory.RunnerApiFailed,
      `the runner API refused ${method} ${path}: ${res.status} ${res.statusText}: ${await answerText(res)}`,
    );
  }

  /** Stores a part of this execution's plan; answers the digest the API computed. */
  private async put(part: 'plan' | 'diff', data: Uint8Array): Promise<string> {
    const path = this.planPath(this.opts.execution, part);
    const type = part === 'diff' ? 'application/json' : 'application/octet-stream';
    const res = await this.request('PUT', path, data, type);
    if (res.status !== 200 && res.status !== 201) return this.refused(res, 'PUT', path);
    const answer = (await res.json().catch(() => ({}))) as { digest?: unknown };
    if (typeof answer.digest !== 'string') throw new RunnerError(FailureCategory.RunnerApiFailed, `PUT ${path} answered no digest`);
    return answer.digest;
  }

  /** Stores this execution's saved plan file (once); answers its digest. */
  putPlan(data: Uint8Array): Promise<string> {
    return this.put('plan', data);
  }

  /** Stores this execution's masked plan diff (JSON, once); answers its digest. */
  putDiff(json: string): Promise<string> {
    return this.put('diff', Buffer.from(json, 'utf8'));
  }

  /**
   * Stores the outputs of this execution's successful apply or destroy: `tofu output -json`'s object
   * as it printed it (sensitive values included; the operator writes them to the owner's Secret).
   * Failures are OutputsNotStored.
   */
  async putOutputs(json: string): Promise<void> {
    const path = `/outputs/${encodeURIComponent(this.opts.namespace)}/${encodeURIComponent(this.opts.execution)}`;
    let res: Response;
    try {
      res = await this.request('PUT', path, Buffer.from(json, 'utf8'), 'application/json');
    } catch (err) {
      if (err instanceof RunnerError) throw new RunnerError(FailureCategory.OutputsNotStored, err.message, { cause: err });
      throw err;
    }
    if (res.status !== 204 && res.status !== 200) {
      throw new RunnerError(
        FailureCategory.OutputsNotStored,
        `the runner API refused PUT ${path}: ${res.status} ${res.statusText}: ${await answerText(res)}`,
      );
    }
    await res.arrayBuffer().catch(() => undefined);
  }

  /** The saved plan file of the plan execution `name` (this execution's spec.planRef). */
  async getPlan(name: string): Promise<Buffer> {
    const path = this.planPath(name, 'plan');
    const res = await this.request('GET', path);
    if (res.status === 404) {
      throw new RunnerError(FailureCategory.PlanNotFound, `the runner API has no saved plan of ${name}: ${await answerText(res)}`);
    }
    if (res.status !== 200) return this.refused(res, 'GET', path);
    return Buffer.from(await res.arrayBuffer());
  }

  /** The owner's current state, or undefined when there is none yet. */
  async getState(owner: StateOwner): Promise<Buffer | undefined> {
    const url = stateUrl(this.opts.baseUrl, this.opts.namespace, owner);
    const path = url.slice(this.opts.baseUrl.length);
    const res = await this.request('GET', path);
    if (res.status === 204) return undefined;
    if (res.status !== 200) return this.refused(res, 'GET', path);
    return Buffer.from(await res.arrayBuffer());
  }
}
