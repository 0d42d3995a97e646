import { Inject, Injectable } from '@nestjs/common';
import {
  controllerUid,
  Labels,
  MANAGED_BY,
  TofuExecutions,
  TofuModules,
  TofuStacks,
  type TofuExecution,
  type TofuModule,
  type TofuStack,
} from '@tofu-operator/api-types';
import {
  Informer,
  Jobs,
  KubeApiError,
  KubeClient,
  METADATA_LIST_ACCEPT,
  Pods,
  type KubeObject,
  type Logger,
} from '@tofu-operator/reconcile-runtime';
import type { ResourceType } from '@tofu-operator/api-types';
import type { OperatorConfig } from '../config/operator-config.js';
import { cacheTransforms, type CachedJob, type CachedPod } from './cache-transforms.js';
import { LOGGER, OPERATOR_CONFIG } from './tokens.js';

/**
 * Names of the indexes every reader shares. Indexes only one reconciler reads are registered by that
 * reconciler (see setupWatches).
 */
export const Index = {
  /** Executions and Pods (and, registered by the execution reconciler, Jobs) by the uid of their controller owner. */
  ownerUid: 'ownerUid',
} as const;

/** Core v1 ConfigMaps (watched as metadata only: the variables a module or stack takes from them). */
export const ConfigMaps: ResourceType = { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true };
/** Core v1 Secrets (watched as metadata only: their values are read when a run's inputs are resolved). */
export const SecretsMeta: ResourceType = { group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true };
/** Core v1 Namespaces (watched as metadata only: the run queue reads their max-concurrent-runs annotation). */
export const NamespacesMeta: ResourceType = { group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace', namespaced: false };

/** Index function: the uid of the object's controller owner, if it has one. */
export const byControllerUid = (obj: KubeObject): string[] => {
  const uid = controllerUid(obj);
  return uid ? [uid] : [];
};

/**
 * The shared informer caches of the service: our three kinds, the Jobs and Pods of runners only
 * (selected by label, so memory follows our objects, not the cluster's), and the metadata of
 * ConfigMaps and Secrets. Reconcilers and the API
 * read from here; writes go to the API server. Cached objects have no managedFields, and Jobs and Pods
 * keep only the fields the operator reads (cache-transforms.ts).
 */
@Injectable()
export class ClusterCache {
  readonly modules: Informer<TofuModule>;
  readonly stacks: Informer<TofuStack>;
  readonly executions: Informer<TofuExecution>;
  readonly jobs: Informer<CachedJob>;
  readonly pods: Informer<CachedPod>;
  /**
   * ConfigMaps and Secrets, metadata only (names, resourceVersions): a change wakes the modules and
   * stacks that take variables from it (by index); the values are read with a GET when resolving.
   */
  readonly configMaps: Informer<KubeObject>;
  readonly secrets: Informer<KubeObject>;
  /**
   * Namespaces, metadata only, for the per-namespace run caps (their annotation); undefined when the
   * operator watches one namespace, or may not list namespaces (then the default cap applies).
   */
  namespaces: Informer<KubeObject> | undefined;

  constructor(
    private readonly client: KubeClient,
    @Inject(LOGGER) private readonly log: Logger,
    @Inject(OPERATOR_CONFIG) config: OperatorConfig,
  ) {
    const namespace = config.watchNamespace;
    const runnerSelector = `${Labels.managedBy}=${MANAGED_BY},${Labels.component}=runner`;
    const { whole: transform, job, pod } = cacheTransforms(config.cacheTransform !== false);
    this.modules = new Informer<TofuModule>(client, TofuModules, log, { namespace, transform });
    this.stacks = new Informer<TofuStack>(client, TofuStacks, log, { namespace, transform });
    this.executions = new Informer<TofuExecution>(client, TofuExecutions, log, { namespace, transform });
    this.jobs = new Informer<CachedJob>(client, Jobs, log, { namespace, labelSelector: runnerSelector, transform: job });
    this.pods = new Informer<CachedPod>(client, Pods, log, { namespace, labelSelector: runnerSelector, transform: pod });
    const meta = { metadataOnly: true, transform };
    this.configMaps = new Informer<KubeObject>(client, ConfigMaps, log, { namespace, ...meta });
    this.secrets = new Informer<KubeObject>(client, SecretsMeta, log, { namespace, ...meta });
    if (!namespace) this.namespaces = new Informer<KubeObject>(client, NamespacesMeta, log, meta);
    // The owner reconcilers, the execution reconciler and the API read executions by owner; the
    // execution reconciler and the log hub read a Job's pods.
    this.executions.addIndex(Index.ownerUid, byControllerUid);
    this.pods.addIndex(Index.ownerUid, byControllerUid);
  }

  private get all(): Informer<KubeObject>[] {
    return [
      this.modules,
      this.stacks,
      this.executions,
      this.jobs,
      this.pods,
      this.configMaps,
      this.secrets,
    ] as unknown as Informer<KubeObject>[];
  }

  start(): void {
    for (const i of this.all) i.start();
    this.namespaces?.start();
  }

  async waitForSync(): Promise<void> {
    await Promise.all([...this.all.map((i) => i.waitForSync()), this.namespacesSynced()]);
  }

  /**
   * The Namespace informer's first list, unless the operator may not list namespaces (403): then it
   * stops and the run queue uses the default namespace cap, instead of never starting.
   */
  private async namespacesSynced(): Promise<void> {
    const informer = this.namespaces;
    if (!informer) return;
    try {
      await this.client.list(NamespacesMeta, undefined, { limit: 1, accept: METADATA_LIST_ACCEPT });
    } catch (err) {
      // Anything else (the API server restarting): the informer retries by itself.
      if (!(err instanceof KubeApiError && err.code === 403)) return informer.waitForSync();
      this.log.warn('the operator may not list namespaces: their tofu-operator.io/max-concurrent-runs annotations are not read');
      this.namespaces = undefined;
      await informer.stop();
      return;
    }
    await informer.waitForSync();
  }

  get synced(): boolean {
    return this.all.every((i) => i.hasSynced);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.all, ...(this.namespaces ? [this.namespaces] : [])].map((i) => i.stop()));
  }
}
