import { HttpMethod, KubeConfig, RequestContext } from '@kubernetes/client-node';
import { Readable } from 'node:stream';
import { Agent, fetch, type Dispatcher } from 'undici';
import type { RequestOptions as HttpsRequestOptions } from 'node:https';
import type { ResourceType } from '@tofu-operator/api-types';
import { loadKubeConfig, type KubeConfigSources } from './kube-config.js';
import { TokenBucket, type Priority } from './token-bucket.js';
import type { KubeObject, ObjectList, Status, WatchEvent } from './types.js';

/** One field-level cause of a rejected request, as the API server reports it. */
export interface FieldCause {
  field?: string;
  message?: string;
  reason?: string;
}

/** A non-2xx answer of the API server, with its Status body. */
export class KubeApiError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly causes: FieldCause[];
  readonly status: Status | undefined;

  constructor(method: string, path: string, code: number, status: Status | undefined, options?: ErrorOptions) {
    super(`${method} ${path}: ${code} ${status?.reason ?? ''} ${status?.message ?? ''}`.trim(), options);
    this.name = 'KubeApiError';
    this.code = code;
    this.reason = status?.reason ?? '';
    this.status = status;
    this.causes = status?.details?.causes ?? [];
  }
}

/** True for a 404 from the API server. */
export const isNotFound = (e: unknown): boolean => e instanceof KubeApiError && e.code === 404;
/** True for a 409 AlreadyExists (create of a name that exists). */
export const isAlreadyExists = (e: unknown): boolean => e instanceof KubeApiError && e.code === 409 && e.reason === 'AlreadyExists';
/** True for a 409 Conflict (stale resourceVersion). */
export const isConflict = (e: unknown): boolean => e instanceof KubeApiError && e.code === 409 && e.reason !== 'AlreadyExists';
/** True for a 410 Gone (resourceVersion too old for a watch or list). */
export const isGone = (e: unknown): boolean => e instanceof KubeApiError && e.code === 410;

export interface KubeClientOptions {
  /** Sustained requests per second to the API server (watches excluded). Default 50. */
  qps?: number;
  /** Requests allowed in a burst above qps. Default 100. */
  burst?: number;
  /** Field manager for writes. Default "tofu-operator". */
  fieldManager?: string;
  userAgent?: string;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  /** Low-priority requests (status writes, events) yield the rate budget to others. */
  priority?: Priority;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
}

export interface DeleteOptions {
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
}

/** Builds the REST path of a resource type, optionally namespaced, named and with a subresource. */
export function resourcePath(rt: ResourceType, namespace?: string, name?: string, subresource?: string): string {
  const base = rt.group === '' ? `/api/${rt.version}` : `/apis/${rt.group}/${rt.version}`;
  const ns = rt.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  const n = name ? `/${encodeURIComponent(name)}` : '';
  const sub = subresource ? `/${subresource}` : '';
  return `${base}${ns}/${rt.plural}${n}${sub}`;
}

/**
 * The one place that talks HTTP to the Kubernetes API server. Uses the KubeConfig's credentials
 * (client certificates, bearer tokens, in-cluster ServiceAccount tokens that rotate) and a
 * client-side rate limit so a burst of reconciles cannot flood the API server.
 */
export class KubeClient {
  private readonly limiter: TokenBucket;
  readonly fieldManager: string;
  private readonly userAgent: string;

  constructor(
    readonly kubeConfig: KubeConfig,
    opts: KubeClientOptions = {},
  ) {
    this.limiter = new TokenBucket(opts.qps ?? 50, opts.burst ?? 100);
    this.fieldManager = opts.fieldManager ?? 'tofu-operator';
    this.userAgent = opts.userAgent ?? 'tofu-operator';
  }

  /** Loads a kubeconfig file. */
  static fromFile(path: string, opts: KubeClientOptions = {}): KubeClient {
    const kc = new KubeConfig();
    kc.loadFromFile(path);
    return new KubeClient(kc, opts);
  }

  /**
   * Loads the configuration from KUBECONFIG, ~/.kube/config or the in-cluster ServiceAccount (see
   * loadKubeConfig); throws KubeConfigError when there is none.
   */
  static fromDefault(opts: KubeClientOptions = {}, sources?: KubeConfigSources): KubeClient {
    return new KubeClient(loadKubeConfig(sources), opts);
  }

  /** The API server URL of the current context. */
  get server(): string {
    const cluster = this.kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    return cluster.server;
  }

  private dispatcher: Promise<Dispatcher | undefined> | undefined;
  private authHeaders: { headers: Record<string, string>; at: number } | undefined;

  /**
   * One connection pool per client, HTTP/1.1 with keep-alive (the KubeConfig's own fetch helpers make
   * a new pool per request, and undici's HTTP/2 streams do not end cleanly on abort).
   */
  private getDispatcher(): Promise<Dispatcher | undefined> {
    this.dispatcher ??= (async () => {
      const o: HttpsRequestOptions = {};
      await this.kubeConfig.applyToHTTPSOptions(o);
      if (!this.server.startsWith('https:')) return undefined;
      return new Agent({
        allowH2: false,
        connections: 64,
        keepAliveTimeout: 30_000,
        connect: {
          ca: o.ca,
          cert: o.cert,
          key: o.key,
          ...(o.rejectUnauthorized !== undefined ? { rejectUnauthorized: o.rejectUnauthorized } : {}),
          ...(o.servername ? { servername: o.servername } : {}),
        },
      });
    })();
    return this.dispatcher;
  }

  /** Authentication headers, re-read every 10 s so rotated ServiceAccount tokens are picked up. */
  private async getAuthHeaders(url: string): Promise<Record<string, string>> {
    const cached = this.authHeaders;
    if (cached && Date.now() - cached.at < 10_000) return cached.headers;
    const ctx = new RequestContext(url, HttpMethod.GET);
    await this.kubeConfig.applySecurityAuthentication(ctx);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(ctx.getHeaders())) headers[k.toLowerCase()] = String(v);
    this.authHeaders = { headers, at: Date.now() };
    return headers;
  }

  private async prepare(
    path: string,
    query: RequestOptions['query'],
  ): Promise<{ url: URL; headers: Record<string, string>; dispatcher: Dispatcher | undefined }> {
    const url = new URL(this.server.replace(/\/$/, '') + path);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { ...(await this.getAuthHeaders(url.toString())) };
    headers['user-agent'] = this.userAgent;
    headers['accept'] = 'application/json';
    return { url, headers, dispatcher: await this.getDispatcher() };
  }

  /** Closes the connection pool. */
  async close(): Promise<void> {
    const d = await this.dispatcher;
    await d?.close();
  }

  /** Sends one request and parses the JSON answer; throws KubeApiError on a non-2xx status. */
  async request<T>(method: HttpMethod, path: string, opts: RequestOptions = {}): Promise<T> {
    await this.limiter.take(opts.signal, opts.priority);
    const { url, headers, dispatcher } = await this.prepare(path, opts.query);
    let body: string | undefined;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] = opts.contentType ?? 'application/json';
    }
    const res = await fetch(url, { method, headers, body, dispatcher, signal: opts.signal });
    const text = await res.text();
    if (!res.ok) throw new KubeApiError(method, path, res.status, parseStatus(text));
    return (text ? JSON.parse(text) : undefined) as T;
  }

  get<T extends KubeObject>(rt: ResourceType, namespace: string | undefined, name: string): Promise<T> {
    return this.request<T>(HttpMethod.GET, resourcePath(rt, namespace, name));
  }

  list<T extends KubeObject>(
    rt: ResourceType,
    namespace: string | undefined,
    opts: ListOptions = {},
    signal?: AbortSignal,
  ): Promise<ObjectList<T>> {
    return this.request<ObjectList<T>>(HttpMethod.GET, resourcePath(rt, namespace), { query: { ...opts }, signal });
  }

  create<T extends KubeObject>(rt: ResourceType, namespace: string | undefined, body: T, priority?: Priority): Promise<T> {
    return this.request<T>(HttpMethod.POST, resourcePath(rt, namespace), { body, query: { fieldManager: this.fieldManager }, priority });
  }

  /** JSON merge patch (RFC 7386). Put metadata.resourceVersion in the patch for optimistic concurrency. */
  mergePatch<T extends KubeObject>(
    rt: ResourceType,
    namespace: string | undefined,
    name: string,
    patch: unknown,
    subresource?: string,
  ): Promise<T> {
    return this.request<T>(HttpMethod.PATCH, resourcePath(rt, namespace, name, subresource), {
      body: patch,
      contentType: 'application/merge-patch+json',
      query: { fieldManager: this.fieldManager },
    });
  }

  /** Server-side apply with this client's field manager. */
  apply<T extends KubeObject>(rt: ResourceType, namespace: string | undefined, name: string, body: T, force = true): Promise<T> {
    return this.request<T>(HttpMethod.PATCH, resourcePath(rt, namespace, name), {
      body,
      contentType: 'application/apply-patch+yaml',
      query: { fieldManager: this.fieldManager, force },
    });
  }

  /** Full replace (PUT); the object's resourceVersion is the precondition. */
  replace<T extends KubeObject>(
    rt: ResourceType,
    namespace: string | undefined,
    name: string,
    body: T,
    subresource?: string,
    priority?: Priority,
  ): Promise<T> {
    return this.request<T>(HttpMethod.PUT, resourcePath(rt, namespace, name, subresource), {
      body,
      query: { fieldManager: this.fieldManager },
      priority,
    });
  }

  delete(rt: ResourceType, namespace: string | undefined, name: string, opts: DeleteOptions = {}): Promise<unknown> {
    return this.request(HttpMethod.DELETE, resourcePath(rt, namespace, name), {
      body: { kind: 'DeleteOptions', apiVersion: 'v1', ...opts },
    });
  }

  /**
   * Opens a watch and calls onEvent for each event until the server ends the stream (resolves) or
   * it fails (rejects with KubeApiError for HTTP errors). An ERROR event with a 410 Status rejects
   * with a KubeApiError of code 410. Abort with the signal.
   */
  async watch<T extends KubeObject>(
    path: string,
    query: RequestOptions['query'],
    onEvent: (e: WatchEvent<T>) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const { url, headers, dispatcher } = await this.prepare(path, { ...query, watch: true });
    const res = await fetch(url, { method: 'GET', headers, dispatcher, signal });
    if (!res.ok || !res.body) throw new KubeApiError('WATCH', path, res.status, parseStatus(await res.text()));
    const body = Readable.fromWeb(res.body);
    // Destroying the body makes the iterator below end, whatever the HTTP layer does on abort.
    const onAbort = () => body.destroy();
    signal.addEventListener('abort', onAbort, { once: true });
    let buffered = '';
    try {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        buffered += chunk.toString('utf8');
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl).trim();
          buffered = buffered.slice(nl + 1);
          if (!line) continue;
          const event = JSON.parse(line) as WatchEvent<T>;
          if (event.type === 'ERROR') {
            const status = event.object as unknown as Status;
            throw new KubeApiError('WATCH', path, status.code ?? 500, status);
          }
          onEvent(event);
        }
      }
    } catch (err) {
      if (signal.aborted) return;
      throw err;
    } finally {
      signal.removeEventListener('abort', onAbort);
      body.destroy();
    }
  }

  /** Opens a streaming GET (e.g. pods/log?follow=true) and returns the response body. */
  async stream(path: string, query: RequestOptions['query'], signal: AbortSignal): Promise<Readable> {
    await this.limiter.take(signal);
    const { url, headers, dispatcher } = await this.prepare(path, query);
    headers['accept'] = '*/*';
    const res = await fetch(url, { method: 'GET', headers, dispatcher, signal });
    if (!res.ok || !res.body) throw new KubeApiError('GET', path, res.status, parseStatus(await res.text()));
    return Readable.fromWeb(res.body);
  }
}

function parseStatus(text: string): Status | undefined {
  try {
    const parsed = JSON.parse(text) as Status;
    return parsed && typeof parsed === 'object' ? parsed : undefined;
  } catch {
    return text ? { kind: 'Status', message: text.slice(0, 1000) } : undefined;
  }
}
