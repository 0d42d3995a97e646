import { HttpMethod, RequestContext, type KubeConfig } from '@kubernetes/client-node';
import { Readable } from 'node:stream';
import { Agent, fetch, request as undiciRequest, type Dispatcher } from 'undici';
import type { RequestOptions as HttpsRequestOptions } from 'node:https';
import { KubeApiError } from './kube-errors.js';
import { TokenBucket, type LowPriorityOptions, type Priority } from './token-bucket.js';
import { readWatchStream } from './watch-stream.js';
import type { KubeObject, Status, WatchEvent } from './types.js';
import { requestTarget } from './resource-path.js';

/** Requests this transport sent, by method, resource, subresource and HTTP status (watches excluded). */
export interface RequestCount {
  method: string;
  resource: string;
  subresource: string;
  /** The HTTP status; 0 when no answer came (connection error, abort). */
  code: number;
  count: number;
}

/** How the transport reaches the API server. */
export interface KubeTransportOptions {
  /** Sustained requests per second to the API server (watches excluded). Default 50. */
  qps?: number;
  /** Requests allowed in a burst above qps. Default 100. */
  burst?: number;
  userAgent?: string;
  /**
   * How low-priority requests (status writes, events) yield to the others. Default: a quarter of the
   * burst reserved for high-priority requests, and no low-priority request waits longer than 30 s
   * for a token because of them.
   */
  lowPriority?: LowPriorityOptions;
  /** LowPriorityOptions.busyShare for the default lowPriority options. Default: off. */
  lowPriorityBusyShare?: number;
}

/** The longest a low-priority request waits behind high-priority ones by default. */
export const LOW_PRIORITY_MAX_WAIT_MS = 30_000;

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  /** Low-priority requests (status writes, events) yield the rate budget to others. */
  priority?: Priority;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
  /** The Accept header; application/json by default (e.g. the PartialObjectMetadata forms, for metadata only). */
  accept?: string;
}

/**
 * The one place that talks HTTP to the Kubernetes API server. Uses the KubeConfig's credentials
 * (client certificates, bearer tokens, in-cluster ServiceAccount tokens that rotate) and a
 * client-side rate limit so a burst of reconciles cannot flood the API server. KubeClient adds the
 * typed verbs on top.
 */
export class KubeTransport {
  private readonly limiter: TokenBucket;
  private readonly userAgent: string;
  private dispatcher: Promise<Dispatcher | undefined> | undefined;
  private authHeaders: { headers: Record<string, string>; at: number } | undefined;
  private readonly counts = new Map<string, RequestCount>();

  constructor(
    readonly kubeConfig: KubeConfig,
    opts: KubeTransportOptions = {},
  ) {
    const burst = opts.burst ?? 100;
    this.limiter = new TokenBucket(
      opts.qps ?? 50,
      burst,
      undefined,
      opts.lowPriority ?? {
        reserve: Math.floor(burst / 4),
        maxWaitMs: LOW_PRIORITY_MAX_WAIT_MS,
        ...(opts.lowPriorityBusyShare !== undefined ? { busyShare: opts.lowPriorityBusyShare } : {}),
      },
    );
    this.userAgent = opts.userAgent ?? 'tofu-operator';
  }

  /** The API server URL of the current context. */
  get server(): string {
    const cluster = this.kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    return cluster.server;
  }

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
    accept = 'application/json',
  ): Promise<{ url: URL; headers: Record<string, string>; dispatcher: Dispatcher | undefined }> {
    const url = new URL(this.server.replace(/\/$/, '') + path);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { ...(await this.getAuthHeaders(url.toString())) };
    headers['user-agent'] = this.userAgent;
    headers['accept'] = accept;
    return { url, headers, dispatcher: await this.getDispatcher() };
  }

  /** Requests sent so far (running totals), for metrics and benchmarks. */
  requestCounts(): RequestCount[] {
    return [...this.counts.values()].map((c) => ({ ...c }));
  }

  private count(method: string, path: string, code: number): void {
    const { resource, subresource } = requestTarget(path);
    const key = `${method} ${resource}/${subresource} ${code}`;
    const c = this.counts.get(key);
    if (c) c.count++;
    else this.counts.set(key, { method, resource, subresource, code, count: 1 });
  }

  /**
   * Sends a request and counts it by the answer's status (0 when none came). undici's request(), not
   * fetch(): the same connection pool without the WHATWG Request, Headers and web-stream layers,
   * which cost about a tenth of the operator's CPU per stack under load (docs/benchmarks.md).
   */
  private async send(method: string, path: string, url: URL, init: SendInit): Promise<Answer> {
    try {
      const res = await undiciRequest(url, { method, ...init });
      this.count(method, path, res.statusCode);
      return res;
    } catch (err) {
      this.count(method, path, 0);
      throw err;
    }
  }

  /** Closes the connection pool. */
  async close(): Promise<void> {
    const d = await this.dispatcher;
    await d?.close();
  }

  /** Sends one request and parses the JSON answer; throws KubeApiError on a non-2xx status. */
  async request<T>(method: HttpMethod, path: string, opts: RequestOptions = {}): Promise<T> {
    await this.limiter.take(opts.signal, opts.priority);
    const { url, headers, dispatcher } = await this.prepare(path, opts.query, opts.accept);
    let body: string | undefined;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] = opts.contentType ?? 'application/json';
    }
    const res = await this.send(method, path, url, { headers, body, dispatcher, signal: opts.signal });
    const text = await res.body.text();
    if (!ok(res)) throw new KubeApiError(method, path, res.statusCode, parseStatus(text));
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /**
   * Opens a watch and calls onEvent for each event until the server ends the stream (resolves) or
   * it fails (rejects with KubeApiError for HTTP errors). An ERROR event with a 410 Status rejects
   * with a KubeApiError of code 410. Abort with the signal. `accept` asks for another form of the
   * objects (e.g. PartialObjectMetadata).
   */
  async watch<T extends KubeObject>(
    path: string,
    query: RequestOptions['query'],
    onEvent: (e: WatchEvent<T>) => void,
    signal: AbortSignal,
    accept?: string,
  ): Promise<void> {
    const { url, headers, dispatcher } = await this.prepare(path, { ...query, watch: true }, accept);
    const res = await undiciRequest(url, { method: 'GET', headers, dispatcher, signal });
    if (!ok(res)) throw new KubeApiError('WATCH', path, res.statusCode, parseStatus(await res.body.text()));
    const body = res.body;
    // Destroying the body makes the stream reader end, whatever the HTTP layer does on abort.
    const onAbort = () => body.destroy();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await readWatchStream(body as AsyncIterable<Buffer>, path, onEvent);
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
    // fetch(), unlike request(): its body ends quietly when a reader destroys it (undici's request()
    // body then emits an abort error), which the log readers rely on; a log stream is one request per
    // reader, not per stack.
    let res: Awaited<ReturnType<typeof fetch>>;
    try {
      res = await fetch(url, { method: 'GET', headers, dispatcher, signal });
      this.count('GET', path, res.status);
    } catch (err) {
      this.count('GET', path, 0);
      throw err;
    }
    if (!res.ok || !res.body) throw new KubeApiError('GET', path, res.status, parseStatus(await res.text()));
    return Readable.fromWeb(res.body);
  }
}

/** What send() passes to undici besides the method. */
interface SendInit {
  headers: Record<string, string>;
  body?: string | undefined;
  dispatcher: Dispatcher | undefined;
  signal?: AbortSignal | undefined;
}

type Answer = Dispatcher.ResponseData;

/** A 2xx answer. */
function ok(res: Answer): boolean {
  return res.statusCode >= 200 && res.statusCode < 300;
}

function parseStatus(text: string): Status | undefined {
  try {
    const parsed = JSON.parse(text) as Status;
    return parsed && typeof parsed === 'object' ? parsed : undefined;
  } catch {
    return text ? { kind: 'Status', message: text.slice(0, 1000) } : undefined;
  }
}
