import { Inject, Injectable } from '@nestjs/common';
import {
  Labels,
  MANAGED_BY,
  TofuExecutions,
  TofuModules,
  TofuStacks,
  type TofuExecution,
  type TofuModule,
  type TofuStack,
} from '@tofu-operator/api-types';
import { Informer, Jobs, KubeClient, Pods, type Job, type KubeObject, type Logger, type Pod } from '@tofu-operator/reconcile-runtime';
import type { OperatorConfig } from '../config/operator-config.js';
import { LOGGER, OPERATOR_CONFIG } from './tokens.js';

/** Index names. */
export const Index = {
  /** Executions, Jobs and Pods by the uid of their controller owner. */
  ownerUid: 'ownerUid',
  /** Jobs by their own uid (to find a Pod's Job). */
  uid: 'uid',
  /** Stacks by "namespace/module". */
  stackModule: 'stackModule',
  /** Executions without a controller owner, by "namespace/kind/name" of the stack or module they reference. */
  orphanRef: 'orphanRef',
} as const;

/** The controller ownerReference uid of an object. */
export function controllerUid(obj: KubeObject): string | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller)?.uid;
}

const byControllerUid = (obj: KubeObject): string[] => {
  const uid = controllerUid(obj);
  return uid ? [uid] : [];
};

/**
 * The shared informer caches of the service: our three kinds, and the Jobs and Pods of runners only
 * (selected by label, so memory follows our objects, not the cluster's). Reconcilers and the API
 * read from here; writes go to the API server.
 */
@Injectable()
export class ClusterCache {
  readonly modules: Informer<TofuModule>;
  readonly stacks: Informer<TofuStack>;
  readonly executions: Informer<TofuExecution>;
  readonly jobs: Informer<Job>;
  readonly pods: Informer<Pod>;

  constructor(client: KubeClient, @Inject(LOGGER) log: Logger, @Inject(OPERATOR_CONFIG) config: OperatorConfig) {
    const namespace = config.watchNamespace;
    const runnerSelector = `${Labels.managedBy}=${MANAGED_BY},${Labels.component}=runner`;
    this.modules = new Informer<TofuModule>(client, TofuModules, log, { namespace });
    this.stacks = new Informer<TofuStack>(client, TofuStacks, log, { namespace });
    this.executions = new Informer<TofuExecution>(client, TofuExecutions, log, { namespace });
    this.jobs = new Informer<Job>(client, Jobs, log, { namespace, labelSelector: runnerSelector });
    this.pods = new Informer<Pod>(client, Pods, log, { namespace, labelSelector: runnerSelector });
    this.stacks.addIndex(Index.stackModule, (s) => [`${s.metadata.namespace}/${s.spec.moduleRef.name}`]);
    this.executions.addIndex(Index.ownerUid, byControllerUid);
    this.executions.addIndex(Index.orphanRef, (e) => {
      if (controllerUid(e)) return [];
      const ns = e.metadata.namespace;
      if (e.spec.stackRef) return [`${ns}/TofuStack/${e.spec.stackRef.name}`];
      if (e.spec.moduleRef) return [`${ns}/TofuModule/${e.spec.moduleRef.name}`];
      return [];
    });
    this.jobs.addIndex(Index.ownerUid, byControllerUid);
    this.jobs.addIndex(Index.uid, (j) => (j.metadata?.uid ? [j.metadata.uid] : []));
    this.pods.addIndex(Index.ownerUid, byControllerUid);
  }

  private get all(): Informer<KubeObject>[] {
    return [this.modules, this.stacks, this.executions, this.jobs, this.pods] as unknown as Informer<KubeObject>[];
  }

  start(): void {
    for (const i of this.all) i.start();
  }

  async waitForSync(): Promise<void> {
    await Promise.all(this.all.map((i) => i.waitForSync()));
  }

  get synced(): boolean {
    return this.all.every((i) => i.hasSynced);
  }

  async stop(): Promise<void> {
    await Promise.all(this.all.map((i) => i.stop()));
  }
}
