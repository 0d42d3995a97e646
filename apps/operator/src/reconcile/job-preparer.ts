import { Inject, Injectable } from '@nestjs/common';
import {
  Annotations,
  API_GROUP_VERSION,
  controllerRef,
  controllerUid,
  Labels,
  nameOf,
  namespaceOf,
  Reason,
  TofuExecutions,
  type ReasonName,
  uidOf,
  type ApprovalRecord,
  type ResourceType,
  type TofuExecution,
} from '@tofu-operator/api-types';
import {
  isAlreadyExists,
  isNotFound,
  KubeApiError,
  KubeClient,
  updateStatus,
  type Job,
  type ReconcileContext,
} from '@tofu-operator/reconcile-runtime';
import type { OperatorConfig } from '../config/operator-config.js';
import { labelValueFor } from '../execution/naming.js';
import { ClusterCache } from '../kube/cluster-cache.js';
import { OPERATOR_CONFIG } from '../kube/tokens.js';
import { PlanStore } from '../runner-api/plan-store.service.js';
import { RunnerKeyService } from '../runner-api/runner-key.service.js';
import { buildSecret, Secrets, type Secret } from '../runner-api/secret-io.js';
import { executionsOfOwner, refusePlan, type PlanRefusal } from './apply-checks.js';
import { decidedStatus } from './approval.js';
import type { DerivedRun } from './execution-status.js';
import { buildJob, RUNNER_TOKEN_KEY, runnerSecretNameFor, type JobRun } from './job-template.js';
import { InputsError } from './inputs.js';
import { ExecutionInputsWriter, type RunInputs } from './inputs-secret.js';
import { RunResolver } from './run-resolver.js';

const PersistentVolumeClaims: ResourceType = {
  group: '',
  version: 'v1',
  plural: 'persistentvolumeclaims',
  kind: 'PersistentVolumeClaim',
  namespaced: true,
};

/** The Job to create; or a run that waits (its owner is missing); or one refused for good (Failed). */
export type Prepared = { job: Job } | { wait: DerivedRun } | { refuse: DerivedRun };

/** The plan was decided otherwise (rejected, superseded) while its apply was being started. */
class PlanDecidedError extends Error {
  override readonly name = 'PlanDecidedError';
  constructor(readonly refusal: PlanRefusal) {
    super(refusal.message);
  }
}

/**
 * Everything that must be true and exist before an execution's Job is created: the state settings
 * of its owner; for an apply or destroy, the plan checks (apply-checks.ts) and the plan's recorded
 * approval; the inputs Secret (inputs-secret.ts); the runner token Secret. Then the Job itself (job-template.ts).
 */
@Injectable()
export class JobPreparer {
  constructor(
    private readonly cache: ClusterCache,
    private readonly client: KubeClient,
    private readonly resolver: RunResolver,
    private readonly keys: RunnerKeyService,
    private readonly plans: PlanStore,
    private readonly inputs: ExecutionInputsWriter,
    @Inject(OPERATOR_CONFIG) private readonly config: OperatorConfig,
  ) {}

  async prepare(execution: TofuExecution, run: JobRun, ctx: ReconcileContext): Promise<Prepared> {
    const settings = this.resolver.settingsFor(execution);
    if ('missing' in settings) return { wait: { phase: 'Pending', reason: Reason.ModuleNotFound, message: settings.missing } };
    if (execution.spec.action !== 'plan') {
      const refusal = await this.startApply(execution, ctx);
      if (refusal) return { refuse: refusedRun(refusal, new Date()) };
    }
    let inputs: RunInputs | undefined;
    try {
      inputs = await this.inputs.prepare(execution, run.template, ctx);
    } catch (err) {
      if (!(err instanceof InputsError)) throw err;
      // Inputs reasons (InputNotFound, InputsInvalid, a dependency's) are not run reasons of the
      // api-types list; they reach status and Events as they are.
      return { refuse: refusedRun({ reason: err.reason as ReasonName, message: err.message }, new Date()) };
    }
    if (this.config.runnerApiUrl) await this.ensureRunnerSecret(execution, ctx);
    const opts = {
      runnerImage: this.config.runnerImage,
      imagePullPolicy: this.config.runnerImagePullPolicy,
      noColor: this.config.runnerNoColor,
      ...(this.config.runnerApiUrl ? { runnerApiUrl: this.config.runnerApiUrl } : {}),
      ...(this.config.providerMirror ? { providerMirror: this.config.providerMirror } : {}),
      ...((await this.pluginCacheClaim(execution, ctx)) ? { pluginCacheClaim: this.config.pluginCacheClaim } : {}),
    };
    return { job: buildJob(execution, { ...run, settings, ...(inputs ? { inputs } : {}) }, opts) };
  }

  /**
   * A succeeded plan's digest as the runner reported it must be the one the operator stored (the
   * runner API computed it on upload): otherwise the run is Failed, PlanDigestMismatch, and its plan
   * can never be approved (status.plan is left out).
   */
  async verifyPlan(execution: TofuExecution, run: DerivedRun): Promise<DerivedRun> {
    if (run.phase !== 'Succeeded' || !run.plan?.digest) return run;
    // status.plan is only ever written after this check: a finished plan observed again (every
    // resync, every restart) needs no second read of its Secrets.
    if (execution.status?.plan?.digest === run.plan.digest) return run;
    const stored = await this.plans.digest(execution);
    if (stored === run.plan.digest) return run;
    const { plan: _dropped, ...rest } = run;
    return {
      ...rest,
      phase: 'Failed',
      reason: Reason.PlanDigestMismatch,
      failureCategory: Reason.PlanDigestMismatch,
      message: `the runner reported plan digest ${run.plan.digest}, but the operator stored ${stored ?? 'no plan'} for this execution`,
    };
  }

  /** Checks the plan an apply carries out and records the approval on it; the refusal, if any. */
  private async startApply(apply: TofuExecution, ctx: ReconcileContext): Promise<PlanRefusal | undefined> {
    const ref = apply.spec.planRef;
    if (!ref) return { reason: Reason.PlanNotFound, message: `${apply.spec.action} ${nameOf(apply)} names no plan (spec.planRef)` };
    const ns = namespaceOf(apply);
    const plan = this.cache.executions.get(ns, ref.name);
    const siblings = plan ? executionsOfOwner(this.cache.executions.list(ns), plan) : [];
    const refusal = refusePlan({ plan, planName: ref.name, digest: ref.digest, siblings, apply });
    if (refusal || !plan) return refusal;
    const approval: ApprovalRecord = { state: 'Approved', at: new Date().toISOString(), digest: ref.digest };
    const by = apply.metadata.annotations?.[Annotations.approvedBy];
    if (by) approval.by = by;
    try {
      await updateStatus(this.client, TofuExecutions, plan, (current) => {
        const decided = current.status?.approval;
        if (decided?.state === 'Approved') return current.status;
        if (decided) {
          const reason = decided.state === 'Rejected' ? Reason.PlanRejected : Reason.PlanSuperseded;
          throw new PlanDecidedError({ reason, message: `plan ${ref.name} was ${decided.state.toLowerCase()} meanwhile` });
        }
        return decidedStatus(current, approval, new Date());
      });
    } catch (err) {
      if (err instanceof PlanDecidedError) return err.refusal;
      throw err;
    }
    ctx.log.info({ plan: ref.name, digest: ref.digest, by }, 'plan approved; starting its apply');
    return undefined;
  }

  /**
   * Whether the run's namespace has the shared plugin cache claim (TOFU_OPERATOR_PLUGIN_CACHE_CLAIM):
   * a Job mounts only a claim that exists, so a namespace without one runs without a cache instead of
   * a pod that stays Pending. A claim the operator may not read (403) counts as missing.
   */
  private async pluginCacheClaim(execution: TofuExecution, ctx: ReconcileContext): Promise<boolean> {
    const claim = this.config.pluginCacheClaim;
    if (!claim) return false;
    try {
      await this.client.get(PersistentVolumeClaims, namespaceOf(execution), claim);
      return true;
    } catch (err) {
      if (!isNotFound(err) && !(err instanceof KubeApiError && err.code === 403)) throw err;
      ctx.log.debug({ claim, code: (err as KubeApiError).code }, 'no plugin cache claim in the namespace; the run downloads its providers');
      return false;
    }
  }

  /**
   * The execution's runner token, in the Secret `<execution>-runner` it owns (the Job references
   * it; the Job spec holds no secret). One left by an earlier execution of the same name is replaced.
   */
  private async ensureRunnerSecret(execution: TofuExecution, ctx: ReconcileContext): Promise<void> {
    const ns = namespaceOf(execution);
    const name = runnerSecretNameFor(execution);
    const token = await this.keys.mint({ namespace: ns, name: nameOf(execution), uid: uidOf(execution) });
    const labels = { [Labels.execution]: labelValueFor(nameOf(execution)), [Labels.artifact]: 'runner-token' };
    const body = buildSecret(
      ns,
      name,
      labels,
      { [RUNNER_TOKEN_KEY]: token },
      {
        ownerReferences: [controllerRef(API_GROUP_VERSION, 'TofuExecution', execution)],
      },
    );
    try {
      await this.client.create<Secret>(Secrets, ns, body);
      ctx.log.debug({ secret: name }, 'created the runner token Secret');
      return;
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
    const existing = await this.client.get<Secret>(Secrets, ns, name);
    if (controllerUid(existing) === uidOf(execution) && existing.data?.[RUNNER_TOKEN_KEY] === body.data?.[RUNNER_TOKEN_KEY]) return;
    // Another execution's of the same name, or a token of a replaced key: this execution's token now.
    await this.client.replace<Secret>(Secrets, ns, name, {
      ...body,
      metadata: { ...body.metadata, resourceVersion: existing.metadata.resourceVersion },
    });
    ctx.log.info({ secret: name }, 'replaced the runner token Secret');
  }
}

/** An apply refused before its Job: final, Failed with the refusal's reason. */
export function refusedRun(refusal: PlanRefusal, now: Date): DerivedRun {
  return {
    phase: 'Failed',
    reason: refusal.reason,
    message: refusal.message,
    failureCategory: refusal.reason,
    completionTime: now.toISOString(),
  };
}
