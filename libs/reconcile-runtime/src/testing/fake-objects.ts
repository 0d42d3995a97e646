import type { ResourceType } from '@tofu-operator/api-types';
import { KubeApiError } from '../kube/kube-errors.js';
import type { ReadOptions, SubresourceWriteOptions, WriteOptions } from '../kube/kube-client.js';
import type { Priority } from '../kube/token-bucket.js';
import type { KubeObject } from '../kube/types.js';

type Verb = 'get' | 'create' | 'replace';

export interface FakeCall {
  verb: Verb;
  key: string;
  subresource?: string;
  priority?: Priority;
  /** The body sent (create, replace). */
  body?: KubeObject;
}

interface Hold {
  reached: () => void;
  released: Promise<void>;
}

const clone = <T>(v: T): T => structuredClone(v);
const keyOf = (ns: string | undefined, name: string) => `${ns ?? ''}/${name}`;

/**
 * An in-memory API server for unit specs of code that reads and writes objects with get, create and
 * replace: resourceVersions (opaque strings) are preconditions (409 Conflict when stale), a status
 * replace changes only the status, and every call is recorded. Specs can fail the next calls of a
 * verb and hold a call on its way to the "server" to interleave writes.
 */
export class FakeObjects {
  readonly calls: FakeCall[] = [];
  /** Errors thrown by the next calls of each verb, in order. */
  readonly failures: Record<Verb, Error[]> = { get: [], create: [], replace: [] };
  private readonly objects = new Map<string, KubeObject>();
  private readonly holds: Record<Verb, Hold[]> = { get: [], create: [], replace: [] };
  private rv = 0;

  /** Stores an object as another writer would (a new resourceVersion); returns the stored copy. */
  put<T extends KubeObject>(obj: T): T {
    const stored = clone(obj);
    stored.metadata = { ...stored.metadata, resourceVersion: `rv-${++this.rv}` };
    this.objects.set(keyOf(stored.metadata.namespace, stored.metadata.name ?? ''), stored);
    return clone(stored);
  }

  /** The stored object, or undefined. */
  peek<T extends KubeObject>(namespace: string | undefined, name: string): T | undefined {
    const o = this.objects.get(keyOf(namespace, name));
    return o ? (clone(o) as T) : undefined;
  }

  writes(): FakeCall[] {
    return this.calls.filter((c) => c.verb !== 'get');
  }

  /**
   * Holds the next call of a verb before it reaches the store. `reached` resolves when the call
   * arrives; the call goes on (and sees the store as it is then) when `release` is called.
   */
  holdNext(verb: Verb): { reached: Promise<void>; release: () => void } {
    let release!: () => void;
    let reached!: () => void;
    const reachedP = new Promise<void>((r) => (reached = r));
    const released = new Promise<void>((r) => (release = r));
    this.holds[verb].push({ reached, released });
    return { reached: reachedP, release };
  }

  async get<T extends KubeObject>(rt: ResourceType, namespace: string | undefined, name: string, opts: ReadOptions = {}): Promise<T> {
    await this.arrive({ verb: 'get', key: keyOf(namespace, name), priority: opts.priority }, opts.signal);
    const o = this.objects.get(keyOf(namespace, name));
    if (!o) throw new KubeApiError('GET', name, 404, { reason: 'NotFound', code: 404 });
    return clone(o) as T;
  }

  async create<T extends KubeObject>(rt: ResourceType, namespace: string | undefined, body: T, opts?: WriteOptions | Priority): Promise<T> {
    const priority = typeof opts === 'string' ? opts : opts?.priority;
    const name = body.metadata?.name ?? '';
    await this.arrive(
      { verb: 'create', key: keyOf(namespace, name), priority, body: clone(body) },
      typeof opts === 'string' ? undefined : opts?.signal,
    );
    if (this.objects.has(keyOf(namespace, name))) throw new KubeApiError('POST', name, 409, { reason: 'AlreadyExists', code: 409 });
    return this.put({ ...body, metadata: { ...body.metadata, namespace } });
  }

  async replace<T extends KubeObject>(
    rt: ResourceType,
    namespace: string | undefined,
    name: string,
    body: T,
    opts?: SubresourceWriteOptions | string,
    priority?: Priority,
  ): Promise<T> {
    const o = typeof opts === 'string' || opts === undefined ? { subresource: opts, priority } : opts;
    const key = keyOf(namespace, name);
    await this.arrive({ verb: 'replace', key, subresource: o.subresource, priority: o.priority, body: clone(body) }, o.signal);
    const current = this.objects.get(key);
    if (!current) throw new KubeApiError('PUT', name, 404, { reason: 'NotFound', code: 404 });
    const rv = body.metadata?.resourceVersion;
    if (rv && rv !== current.metadata?.resourceVersion)
      throw new KubeApiError('PUT', name, 409, { reason: 'Conflict', code: 409, message: 'the object has been modified' });
    const { status } = body as { status?: unknown };
    const { status: currentStatus } = current as { status?: unknown };
    const next = o.subresource === 'status' ? { ...current, status } : { ...body, status: currentStatus };
    return this.put<KubeObject>(next) as T;
  }

  /** Records a call; a held call waits for its release, or fails when its signal aborts (as fetch does). */
  private async arrive(call: FakeCall, signal?: AbortSignal): Promise<void> {
    this.calls.push(call);
    const hold = this.holds[call.verb].shift();
    if (hold) {
      hold.reached();
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
        if (signal?.aborted) return onAbort();
        signal?.addEventListener('abort', onAbort, { once: true });
        void hold.released.then(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        });
      });
    }
    const err = this.failures[call.verb].shift();
    if (err) throw err;
  }
}
