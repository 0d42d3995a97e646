import { HttpMethod, KubeConfig } from '@kubernetes/client-node';
import type { ResourceType } from '@tofu-operator/api-types';
import { loadKubeConfig, type KubeConfigSources } from './kube-config.js';
import { KubeTransport, type KubeTransportOptions, type RequestOptions } from './kube-transport.js';
import { resourcePath } from './resource-path.js';
import type { Priority } from './token-bucket.js';
import type { KubeObject, ObjectList } from './types.js';

export interface KubeClientOptions extends KubeTransportOptions {
  /** Field manager for writes. Default "tofu-operator". */
  fieldManager?: string;
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  /** The Accept header (not a query parameter), e.g. for a PartialObjectMetadataList. */
  accept?: string;
}

/** Options of one read. */
export interface ReadOptions {
  /** Low-priority requests (status writes and their re-reads, events) yield the rate budget to others. */
  priority?: Priority;
  signal?: AbortSignal;
}

/** Options of one write. */
export interface WriteOptions extends ReadOptions {
  /** Field manager recorded in managedFields for this write; the client's own when unset. */
  fieldManager?: string;
}

/** Options of a write that may address a subresource (e.g. "status"). */
export interface SubresourceWriteOptions extends WriteOptions {
  subresource?: string;
}

/** Options of a server-side apply. */
export interface ApplyOptions extends WriteOptions {
  /** Take over fields owned by other field managers. Default true. */
  force?: boolean;
}

export interface DeleteOptions {
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
}

/**
 * The typed verbs (get, list, create, patch, apply, replace, delete) on resource types, over the
 * rate-limited transport (request, watch, stream) it extends.
 */
export class KubeClient extends KubeTransport {
  readonly fieldManager: string;

  constructor(kubeConfig: KubeConfig, opts: KubeClientOptions = {}) {
    super(kubeConfig, opts);
    this.fieldManager = opts.fieldManager ?? 'tofu-operator';
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

  /** GET of one object. */
  get<T extends KubeObject>(rt: ResourceType, namespace: string | undefined, name: string, opts: ReadOptions = {}): Promise<T> {
    return this.request<T>(HttpMethod.GET, resourcePath(rt, namespace, name), { priority: opts.priority, signal: opts.signal });
  }

  list<T extends KubeObject>(
    rt: ResourceType,
    namespace: string | undefined,
    opts: ListOptions = {},
    signal?: AbortSignal,
  ): Promise<ObjectList<T>> {
    const { accept, ...query } = opts;
    return this.request<ObjectList<T>>(HttpMethod.GET, resourcePath(rt, namespace), { query, signal, ...(accept ? { accept } : {}) });
  }

  /** POST of a new object. The fourth argument may also be just a priority (the older form). */
  create<T extends KubeObject>(rt: ResourceType, namespace: string | undefined, body: T, opts?: WriteOptions | Priority): Promise<T> {
    const o = typeof opts === 'string' ? { priority: opts } : (opts ?? {});
    return this.request<T>(HttpMethod.POST, resourcePath(rt, namespace), this.write(o, { body }));
  }

  /**
   * JSON merge patch (RFC 7386). Put metadata.resourceVersion in the patch for optimistic concurrency.
   * The fifth argument may also be just a subresource (the older form).
   */
  mergePatch<T extends KubeObject>(
    rt: ResourceType,
    namespace: string | undefined,
    name: string,
    patch: unknown,
    opts?: SubresourceWriteOptions | string,
  ): Promise<T> {
    const o = typeof opts === 'string' ? { subresource: opts } : (opts ?? {});
    return this.request<T>(
      HttpMethod.PATCH,
      resourcePath(rt, namespace, name, o.subresource),
      this.write(o, { body: patch, contentType: 'application/merge-patch+json' }),
    );
  }

  /**
   * Server-side apply, by default with this client's field manager and force (taking over fields of
   * other managers). The fifth argument may also be just `force` (the older form).
   */
  apply<T extends KubeObject>(
    rt: ResourceType,
    namespace: string | undefined,
    name: string,
    body: T,
    opts?: ApplyOptions | boolean,
  ): Promise<T> {
    const o = typeof opts === 'boolean' ? { force: opts } : (opts ?? {});
    return this.request<T>(
      HttpMethod.PATCH,
      resourcePath(rt, namespace, name),
      this.write(o, { body, contentType: 'application/apply-patch+yaml' }, { force: o.force ?? true }),
    );
  }

  /**
   * Full replace (PUT); the object's resourceVersion is the precondition. The older form takes a
   * subresource and a priority as fifth and sixth arguments.
   */
  replace<T extends KubeObject>(
    rt: ResourceType,
    namespace: string | undefined,
    name: string,
    body: T,
    opts?: SubresourceWriteOptions | string,
    priority?: Priority,
  ): Promise<T> {
    const o = typeof opts === 'string' || opts === undefined ? { subresource: opts, priority } : opts;
    return this.request<T>(HttpMethod.PUT, resourcePath(rt, namespace, name, o.subresource), this.write(o, { body }));
  }

  /** The request options of a write: its field manager (this client's by default), priority and signal. */
  private write(o: WriteOptions, req: RequestOptions, query: RequestOptions['query'] = {}): RequestOptions {
    return { ...req, query: { fieldManager: o.fieldManager ?? this.fieldManager, ...query }, priority: o.priority, signal: o.signal };
  }

  delete(rt: ResourceType, namespace: string | undefined, name: string, opts: DeleteOptions = {}): Promise<unknown> {
    return this.request(HttpMethod.DELETE, resourcePath(rt, namespace, name), {
      body: { kind: 'DeleteOptions', apiVersion: 'v1', ...opts },
    });
  }
}
