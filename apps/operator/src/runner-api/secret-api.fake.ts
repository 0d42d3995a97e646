// An in-memory stand-in for the API server's Secrets, for the unit tests of the stores: the same
// answers as the real one for what the stores rely on (404, 409 AlreadyExists, 409 Conflict on a
// stale resourceVersion, delete preconditions), plus hooks to interleave a competitor or fail a call.
import { randomUUID } from 'node:crypto';
import type { ResourceType } from '@tofu-operator/api-types';
import { KubeApiError, type DeleteOptions, type KubeObject } from '@tofu-operator/reconcile-runtime';
import type { Secret, SecretApi } from './secret-io.js';

export type FakeCall = { method: 'get' | 'create' | 'replace' | 'delete'; name: string };

/** In-memory Secrets with resourceVersion semantics. */
export class FakeSecretApi implements SecretApi {
  readonly objects = new Map<string, Secret>();
  readonly calls: FakeCall[] = [];
  private rv = 0;
  /** Runs before each call; may throw to fail it, or change objects to simulate a competitor. */
  before: ((call: FakeCall) => void | Promise<void>) | undefined;

  private key(namespace: string | undefined, name: string): string {
    return `${namespace ?? ''}/${name}`;
  }

  private async enter(call: FakeCall): Promise<void> {
    this.calls.push(call);
    await this.before?.(call);
  }

  private fail(method: string, name: string, code: number, reason: string): KubeApiError {
    return new KubeApiError(method, `/api/v1/secrets/${name}`, code, { kind: 'Status', code, reason, message: `${reason}: ${name}` });
  }

  private store(s: Secret): Secret {
    const copy = structuredClone(s);
    copy.metadata.resourceVersion = String(++this.rv);
    copy.metadata.uid ??= randomUUID();
    this.objects.set(this.key(copy.metadata.namespace, copy.metadata.name ?? ''), copy);
    return structuredClone(copy);
  }

  async get<T extends KubeObject>(_rt: ResourceType, namespace: string | undefined, name: string): Promise<T> {
    await this.enter({ method: 'get', name });
    const s = this.objects.get(this.key(namespace, name));
    if (!s) throw this.fail('GET', name, 404, 'NotFound');
    return structuredClone(s) as unknown as T;
  }

  async create<T extends KubeObject>(_rt: ResourceType, namespace: string | undefined, body: T): Promise<T> {
    const name = body.metadata?.name ?? '';
    await this.enter({ method: 'create', name });
    if (this.objects.has(this.key(namespace, name))) throw this.fail('POST', name, 409, 'AlreadyExists');
    const { resourceVersion: _ignored, ...metadata } = body.metadata ?? {};
    return this.store({ ...(body as unknown as Secret), metadata: { ...metadata, namespace } }) as unknown as T;
  }

  async replace<T extends KubeObject>(_rt: ResourceType, namespace: string | undefined, name: string, body: T): Promise<T> {
    await this.enter({ method: 'replace', name });
    const current = this.objects.get(this.key(namespace, name));
    if (!current) throw this.fail('PUT', name, 404, 'NotFound');
    const rv = body.metadata?.resourceVersion;
    if (rv !== undefined && rv !== current.metadata.resourceVersion) throw this.fail('PUT', name, 409, 'Conflict');
    return this.store({
      ...(body as unknown as Secret),
      metadata: { ...body.metadata, namespace, uid: current.metadata.uid },
    }) as unknown as T;
  }

  async delete(_rt: ResourceType, namespace: string | undefined, name: string, opts: DeleteOptions = {}): Promise<unknown> {
    await this.enter({ method: 'delete', name });
    const current = this.objects.get(this.key(namespace, name));
    if (!current) throw this.fail('DELETE', name, 404, 'NotFound');
    const pre = opts.preconditions;
    if (pre?.resourceVersion !== undefined && pre.resourceVersion !== current.metadata.resourceVersion)
      throw this.fail('DELETE', name, 409, 'Conflict');
    if (pre?.uid !== undefined && pre.uid !== current.metadata.uid) throw this.fail('DELETE', name, 409, 'Conflict');
    this.objects.delete(this.key(namespace, name));
    return {};
  }

  /** Names of the stored Secrets in a namespace, sorted. */
  names(namespace: string): string[] {
    return [...this.objects.values()]
      .filter((s) => s.metadata.namespace === namespace)
      .map((s) => s.metadata.name ?? '')
      .sort();
  }
}
