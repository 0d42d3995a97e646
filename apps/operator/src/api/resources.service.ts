import { Injectable } from '@nestjs/common';
import {
  Annotations,
  API_GROUP_VERSION,
  nameOf,
  TofuExecutions,
  TofuModules,
  TofuStacks,
  uidOf,
  type ObjectMeta,
  type ResourceType,
  type TofuExecution,
  type TofuStack,
} from '@tofu-operator/api-types';
import { isConflict, KubeClient, type Informer, type KubeObject, type WriteOptions } from '@tofu-operator/reconcile-runtime';
import type { PlannableKind, PlanResponse } from '@tofu-operator/api-contracts';
import { ClusterCache, Index } from '../kube/cluster-cache.js';
import { isTerminal } from '../execution/finished.js';
import { ApiError, badRequest, notFound } from '../http/errors.js';
import { matchesSelector, parseLabelSelector } from './label-selector.js';
import { checkOwnerSpec } from './owner-spec.js';
import { triggerAnswersRequest } from './plan-request.js';
import { ReferenceAccessService } from './reference-access.service.js';
import type { ReferencingKind } from './reference-checks.js';
import type { UserInfo } from '../http/access-review.service.js';

/** How long POST …/plan waits for the reconciler's execution to show up in the cache. */
const PLAN_WAIT_MS = 10_000;
const PLAN_POLL_MS = 50;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The kinds served under /api/v1/namespaces/{ns}/{kind}. */
export type KindKey = 'modules' | 'stacks' | 'executions';

/** Field manager of writes made for API callers (the reconcilers use "tofu-operator"). */
export const API_FIELD_MANAGER = 'tofu-operator-api';
const AS_API: WriteOptions = { fieldManager: API_FIELD_MANAGER };

interface Obj extends KubeObject {
  metadata: ObjectMeta;
  spec?: unknown;
}

/** A Kubernetes-shaped list answer. */
export interface ListResponse {
  apiVersion: string;
  kind: string;
  metadata: { continue?: string; remainingItemCount?: number };
  items: unknown[];
}

export interface ListQuery {
  labelSelector?: unknown;
  limit?: unknown;
  continue?: unknown;
}

function oneString(v: unknown, name: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw badRequest(`the query parameter ${name} must be given once`);
  return v;
}

/** The continue token: opaque to callers, the name after which the next page starts. */
export function encodeContinue(after: string): string {
  return Buffer.from(JSON.stringify({ v: 1, after }), 'utf8').toString('base64url');
}

export function decodeContinue(token: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: unknown; after?: unknown };
    if (parsed.v === 1 && typeof parsed.after === 'string') return parsed.after;
  } catch {
    // fall through
  }
  throw badRequest('the continue token is not valid');
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The index of the first name after `after` in sorted `names`. */
export function firstAfter(names: readonly string[], after: string): number {
  let lo = 0;
  let hi = names.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (names[mid]! <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The operations behind the REST routes. Reads come from the informer caches; writes go to the API
 * server with the operator's client, after the guard checked the caller's permission.
 */
@Injectable()
export class ResourcesService {
  /**
   * The names of each kind's objects per namespace, sorted, for paged lists: a page of 10,000 stacks
   * no longer sorts them all. Dropped when an object is added or deleted (an update keeps its name).
   */
  private readonly sorted = new Map<unknown, Map<string, string[]>>();

  constructor(
    private readonly cache: ClusterCache,
    private readonly client: KubeClient,
    private readonly references: ReferenceAccessService,
  ) {
    for (const informer of [cache.modules, cache.stacks, cache.executions] as unknown as Informer<Obj>[]) {
      const byNamespace = new Map<string, string[]>();
      this.sorted.set(informer, byNamespace);
      informer.onEvent((event, obj) => {
        if (event !== 'update') byNamespace.delete(obj.metadata.namespace ?? '');
      });
    }
  }

  private sortedNames(informer: Informer<Obj>, namespace: string): string[] {
    const byNamespace = this.sorted.get(informer)!;
    let names = byNamespace.get(namespace);
    if (!names) byNamespace.set(namespace, (names = informer.list(namespace).map(nameOf).sort()));
    return names;
  }

  private kind(key: KindKey): { rt: ResourceType; informer: Informer<Obj> } {
    const informer = (key === 'modules'
      ? this.cache.modules
      : key === 'stacks'
        ? this.cache.stacks
        : this.cache.executions) as unknown as Informer<Obj>;
    const rt = key === 'modules' ? TofuModules : key === 'stacks' ? TofuStacks : TofuExecutions;
    if (!informer.hasSynced) throw new ApiError(503, 'ServiceUnavailable', `the ${rt.plural} cache has not synced yet`);
    return { rt, informer };
  }

  list(key: KindKey, namespace: string, query: ListQuery): ListResponse {
    const { rt, informer } = this.kind(key);
    const selector = parseLabelSelector(oneString(query.labelSelector, 'labelSelector') ?? '');
    const rawLimit = oneString(query.limit, 'limit');
    let limit = 0;
    if (rawLimit !== undefined) {
      if (!/^\d+$/.test(rawLimit)) throw badRequest(`limit must be a non-negative integer, got "${rawLimit}"`);
      limit = Number(rawLimit);
    }
    const token = oneString(query.continue, 'continue');
    const after = token ? decodeContinue(token) : undefined;
    const names = this.sortedNames(informer, namespace);
    const page: Obj[] = [];
    let remaining = 0;
    for (let i = after === undefined ? 0 : firstAfter(names, after); i < names.length; i++) {
      // Without a selector, every name left is an object left (the names follow adds and deletes).
      if (limit > 0 && page.length === limit && selector.length === 0) {
        remaining = names.length - i;
        break;
      }
      const o = informer.get(namespace, names[i]!);
      if (!o || !matchesSelector(o.metadata.labels, selector)) continue;
      if (limit > 0 && page.length === limit) remaining++;
      else page.push(o);
    }
    const last = page[page.length - 1];
    return {
      apiVersion: API_GROUP_VERSION,
      kind: `${rt.kind}List`,
      metadata: remaining > 0 && last ? { continue: encodeContinue(nameOf(last)), remainingItemCount: remaining } : {},
      items: page,
    };
  }

  get(key: KindKey, namespace: string, name: string): unknown {
    const { rt, informer } = this.kind(key);
    const obj = informer.get(namespace, name);
    if (!obj) throw notFound(`${rt.plural}.${rt.group} "${name}" not found`);
    return obj;
  }

  async create(key: KindKey, namespace: string, body: unknown, user: UserInfo | undefined): Promise<unknown> {
    const { rt, informer } = this.kind(key);
    if (!isRecord(body)) throw badRequest('the body must be a JSON object');
    const meta = body['metadata'] ?? {};
    if (!isRecord(meta)) throw badRequest('metadata must be an object');
    if (body['apiVersion'] !== undefined && body['apiVersion'] !== API_GROUP_VERSION)
      throw badRequest(`apiVersion must be ${API_GROUP_VERSION}, got ${JSON.stringify(body['apiVersion'])}`);
    if (body['kind'] !== undefined && body['kind'] !== rt.kind)
      throw badRequest(`kind must be ${rt.kind}, got ${JSON.stringify(body['kind'])}`);
    if (meta['namespace'] !== undefined && meta['namespace'] !== namespace)
      throw badRequest(`metadata.namespace ${JSON.stringify(meta['namespace'])} does not match the namespace of the path`);
    if (key !== 'executions') checkOwnerSpec(rt.kind, typeof meta['name'] === 'string' ? meta['name'] : '', body['spec']);
    const obj = { ...body, apiVersion: API_GROUP_VERSION, kind: rt.kind, metadata: { ...meta, namespace } } as Obj;
    // The API server sees the operator write this: the caller's own RBAC is checked here (ADR 0008).
    await this.references.check(user, rt.kind as ReferencingKind, namespace, nameOf(obj), body['spec']);
    const created = await this.client.create<Obj>(rt, namespace, obj, AS_API);
    // Read-your-writes: a GET right after the POST finds it even before the watch delivers it.
    informer.observeCreate(created);
    return created;
  }

  /**
   * Replaces spec (and labels and annotations when the body has them). With metadata.resourceVersion
   * in the body that version is the precondition (409 when stale); without, the current one is, and
   * a concurrent write is retried.
   */
  async update(key: KindKey, namespace: string, name: string, body: unknown, user: UserInfo | undefined): Promise<unknown> {
    const { rt } = this.kind(key);
    if (!isRecord(body)) throw badRequest('the body must be a JSON object');
    const meta = body['metadata'] ?? {};
    if (!isRecord(meta)) throw badRequest('metadata must be an object');
    if (meta['name'] !== undefined && meta['name'] !== name) throw badRequest('metadata.name does not match the name of the path');
    if (!isRecord(body['spec'])) throw badRequest('spec must be an object');
    if (key !== 'executions') checkOwnerSpec(rt.kind, name, body['spec']);
    const rv = meta['resourceVersion'];
    if (rv !== undefined && typeof rv !== 'string') throw badRequest('metadata.resourceVersion must be a string');
    for (let attempt = 0; ; attempt++) {
      const current = await this.client.get<Obj>(rt, namespace, name);
      await this.references.check(user, rt.kind as ReferencingKind, namespace, name, body['spec'], current.spec);
      const next: Obj = {
        ...current,
        metadata: {
          ...current.metadata,
          resourceVersion: rv ?? current.metadata.resourceVersion,
          ...(isRecord(meta['labels']) ? { labels: meta['labels'] as Record<string, string> } : {}),
          ...(isRecord(meta['annotations']) ? { annotations: meta['annotations'] as Record<string, string> } : {}),
        },
        spec: body['spec'],
      };
      try {
        return await this.client.replace<Obj>(rt, namespace, name, next, AS_API);
      } catch (err) {
        if (rv !== undefined || !isConflict(err) || attempt >= 4) throw err;
      }
    }
  }

  async delete(key: KindKey, namespace: string, name: string): Promise<unknown> {
    const { rt } = this.kind(key);
    return this.client.delete(rt, namespace, name, { propagationPolicy: 'Background' });
  }

  /**
   * Starts a plan now (with `destroy`, a destroy plan): refuses (409, naming it) while a run of the
   * owner is in progress, sets the requested-at (destroy-requested-at) annotation, and waits for the
   * execution the owner's reconciler creates for it. Returns it, or undefined when it did not appear
   * within the wait (the request stands: 202).
   */
  async plan(key: PlannableKind, namespace: string, name: string, destroy = false): Promise<PlanResponse> {
    const { rt, informer } = this.kind(key);
    const annotation = destroy ? Annotations.destroyRequestedAt : Annotations.requestedAt;
    for (let attempt = 0; ; attempt++) {
      const owner = informer.get(namespace, name);
      if (!owner) throw notFound(`${rt.plural}.${rt.group} "${name}" not found`);
      const uid = uidOf(owner);
      this.refuseWhileRunning(uid, namespace, name);
      // Its deletion plans the destroy (deletionPolicy Destroy), or lets it go with its resources.
      if (destroy && owner.metadata.deletionTimestamp)
        throw new ApiError(409, 'Conflict', `"${name}" is being deleted: its deletionPolicy decides whether it destroys`);
      if (key === 'stacks') {
        const moduleName = (owner.spec as TofuStack['spec'] | undefined)?.moduleRef?.name ?? '';
        if (!this.cache.modules.get(namespace, moduleName))
          throw new ApiError(409, 'Conflict', `cannot plan stack "${name}": its module "${moduleName}" does not exist`);
      }
      const requestedAt = new Date().toISOString();
      try {
        // The resourceVersion precondition makes two concurrent requests start one plan, not two.
        const patch = { metadata: { resourceVersion: owner.metadata.resourceVersion, annotations: { [annotation]: requestedAt } } };
        await this.client.mergePatch<Obj>(rt, namespace, name, patch, AS_API);
      } catch (err) {
        if (!isConflict(err) || attempt >= 4) throw err;
        await sleep(PLAN_POLL_MS);
        continue;
      }
      // The triggers end with the request's value (owner-triggers.ts): r for a plan, d for a destroy.
      const execution = await this.waitForExecution(uid, `${destroy ? 'd' : 'r'}${requestedAt}`);
      return execution ? { requestedAt, execution } : { requestedAt };
    }
  }

  private refuseWhileRunning(ownerUid: string, namespace: string, name: string): void {
    const running = this.cache.executions.byIndex(Index.ownerUid, ownerUid).find((e) => !isTerminal(e));
    if (running) {
      const err = new ApiError(409, 'Conflict', `a run of "${name}" is in progress: ${nameOf(running)}`);
      err.running = { namespace, name: nameOf(running) };
      throw err;
    }
  }

  /** The execution created for a plan request (its trigger has the segment `marker`), once the cache shows it. */
  private async waitForExecution(ownerUid: string, marker: string): Promise<TofuExecution | undefined> {
    const deadline = Date.now() + PLAN_WAIT_MS;
    while (Date.now() < deadline) {
      const found = this.cache.executions
        .byIndex(Index.ownerUid, ownerUid)
        .find((e) => triggerAnswersRequest(e.metadata.annotations?.[Annotations.trigger] ?? '', marker));
      if (found) return found;
      await sleep(PLAN_POLL_MS);
    }
    return undefined;
  }
}
