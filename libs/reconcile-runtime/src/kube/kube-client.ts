import { HttpMethod, KubeConfig } from '@kubernetes/client-node';
import type { ResourceType } from '@tofu-operator/api-types';
import { loadKubeConfig, type KubeConfigSources } from './kube-config.js';
import { KubeTransport, type KubeTransportOptions } from './kube-transport.js';
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
}
