// The operator's REST API as the command line calls it: the user's bearer token, JSON requests,
// error answers turned into ApiCommandError (message from the API's ErrorBody, exit code from the
// status), and the followed log read line by line from a given line on.
import type { TofuExecution } from '@tofu-operator/api-types';
import { apiPaths } from '@tofu-operator/api-contracts';
import type { Connection } from './api-args.ts';
import { ApiCommandError, errorMessage, exitCodeForStatus, ExitCode, isErrorBody } from './api-result.ts';

/** An answer with a success status. */
export interface Answer<T> {
  status: number;
  body: T;
}

/** The message of a failed fetch: Node's own "fetch failed" says nothing, its cause does. */
function networkMessage(err: unknown): string {
  const cause = err instanceof Error ? (err.cause as { code?: string; message?: string } | undefined) : undefined;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}

/** A client of one API server, namespace and token. */
export class ApiClient {
  readonly connection: Connection;
  private readonly fetchImpl: typeof fetch;

  constructor(connection: Connection, fetchImpl: typeof fetch = fetch) {
    this.connection = connection;
    this.fetchImpl = fetchImpl;
  }

  private async send(what: string, method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.connection.token) headers['authorization'] = `Bearer ${this.connection.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await this.fetchImpl(`${this.connection.server}${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        ...(signal ? { signal } : {}),
      });
    } catch (err) {
      throw new ApiCommandError(
        `${what}: could not reach the API at ${this.connection.server}: ${networkMessage(err)}`,
        ExitCode.Unavailable,
        {
          cause: err,
        },
      );
    }
    if (res.status < 400) return res;
    const text = await res.text().catch(() => '');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const errorBody = isErrorBody(parsed) ? parsed : undefined;
    throw new ApiCommandError(errorMessage(what, res.status, errorBody, this.connection), exitCodeForStatus(res.status));
  }

  /** A JSON request; throws ApiCommandError for an error answer or an answer that is not JSON. */
  async json<T>(what: string, method: string, path: string, body?: unknown): Promise<Answer<T>> {
    const res = await this.send(what, method, path, body);
    const text = await res.text();
    try {
      return { status: res.status, body: JSON.parse(text) as T };
    } catch (err) {
      throw new ApiCommandError(`${what}: the API answered ${res.status} with a body that is not JSON`, ExitCode.Unavailable, {
        cause: err,
      });
    }
  }

  /** An execution of the namespace. */
  async execution(name: string): Promise<TofuExecution> {
    return (await this.json<TofuExecution>(`get ${name}`, 'GET', apiPaths.item(this.connection.namespace, 'executions', name))).body;
  }

  /** The whole log of an execution so far, as text. */
  async logText(name: string): Promise<string> {
    const res = await this.send(`logs ${name}`, 'GET', apiPaths.logs(this.connection.namespace, name));
    return res.text();
  }

  /**
   * Follows the log from line `offset` until the API ends the stream (the run ended, or the replica
   * shut down), passing complete lines to `write`; resolves to the number of complete lines read. A
   * line torn by an early end is dropped: the next follow from the returned count repeats it whole.
   */
  async followLog(name: string, offset: number, write: (text: string) => Promise<void>): Promise<number> {
    const res = await this.send(`logs ${name}`, 'GET', apiPaths.logs(this.connection.namespace, name, { follow: true, offset }));
    if (!res.body) return 0;
    const decoder = new TextDecoder();
    let pending = '';
    let count = 0;
    try {
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
        pending += decoder.decode(chunk, { stream: true });
        const end = pending.lastIndexOf('\n');
        if (end === -1) continue;
        const complete = pending.slice(0, end + 1);
        pending = pending.slice(end + 1);
        count += complete.split('\n').length - 1;
        await write(complete);
      }
    } catch {
      // The stream broke off (connection reset, the replica went away): the caller resumes from `count`.
    }
    return count;
  }
}
