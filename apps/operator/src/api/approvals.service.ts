import { Injectable } from '@nestjs/common';
import type { ApproveRequest } from '@tofu-operator/api-contracts';
import { nameOf, Reason, TofuExecutions, uidOf, type ApprovalRecord, type TofuExecution } from '@tofu-operator/api-types';
import { isAlreadyExists, KubeClient, updateStatus } from '@tofu-operator/reconcile-runtime';
import { applyExecutionFor } from '../execution/apply-execution.js';
import { isTerminal } from '../execution/finished.js';
import { ApiError, notFound } from '../http/errors.js';
import { ClusterCache } from '../kube/cluster-cache.js';
import { executionsOfOwner, refusePlan } from '../reconcile/apply-checks.js';
import { decidedStatus } from '../reconcile/approval.js';
import { API_FIELD_MANAGER } from './resources.service.js';

/** A plan digest as status.plan.digest records it. */
const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** The plan was decided (approved, rejected, superseded) between the check and the write. */
class DecidedMeanwhileError extends Error {
  override readonly name = 'DecidedMeanwhileError';
}

/**
 * Approve and reject a plan execution (docs/adr/0007-apply-approval-and-state.md), for callers the
 * guard has authorised with the custom verb `approve`. The same checks as the execution reconciler
 * (apply-checks.ts), answered as HTTP: 422 for a digest that is not the plan's, 409 for a plan that
 * cannot be decided now. An approval creates the apply execution `<plan>-apply` (deterministic, so a
 * racing second approval gets 409).
 */
@Injectable()
export class ApprovalsService {
  constructor(
    private readonly cache: ClusterCache,
    private readonly client: KubeClient,
  ) {}

  /** Creates the apply (or destroy) execution of the plan; answers it. */
  async approve(ns: string, name: string, body: unknown, username: string): Promise<TofuExecution> {
    const plan = this.decidable(ns, name, body);
    const apply = applyExecutionFor(plan, username);
    try {
      return await this.client.create<TofuExecution>(TofuExecutions, ns, apply, { fieldManager: API_FIELD_MANAGER });
    } catch (err) {
      if (isAlreadyExists(err))
        throw new ApiError(409, 'Conflict', `plan ${name} was approved already: execution ${nameOf(apply)} carries it out`);
      throw err;
    }
  }

  /** Records status.approval Rejected on the plan; answers the plan. */
  async reject(ns: string, name: string, body: unknown, username: string): Promise<TofuExecution> {
    const plan = this.decidable(ns, name, body);
    const approval: ApprovalRecord = {
      state: 'Rejected',
      by: username,
      at: new Date().toISOString(),
      digest: plan.status?.plan?.digest ?? '',
    };
    try {
      const written = await updateStatus(this.client, TofuExecutions, plan, (current) => {
        if (current.status?.approval)
          throw new DecidedMeanwhileError(`plan ${name} was ${current.status.approval.state.toLowerCase()} meanwhile`);
        return decidedStatus(current, approval, new Date());
      });
      return written ?? plan;
    } catch (err) {
      if (err instanceof DecidedMeanwhileError) throw new ApiError(409, 'Conflict', err.message);
      throw err;
    }
  }

  /** The plan, when `body` names its digest and it may be decided now; else the ApiError to answer. */
  private decidable(ns: string, name: string, body: unknown): TofuExecution {
    const digest = (body as Partial<ApproveRequest> | undefined)?.planDigest;
    if (typeof digest !== 'string' || !DIGEST.test(digest)) {
      const message = 'planDigest must be the digest of the reviewed plan, "sha256:" and 64 lowercase hex digits';
      throw new ApiError(422, 'Invalid', message, [{ path: 'planDigest', message }]);
    }
    const plan = this.cache.executions.get(ns, name);
    if (!plan) throw notFound(`tofuexecutions.tofu-operator.io "${name}" not found`);
    const siblings = executionsOfOwner(this.cache.executions.list(ns), plan);
    const refusal = refusePlan({ plan, planName: name, digest, siblings });
    if (refusal?.digest) throw new ApiError(422, 'Invalid', refusal.message, [{ path: 'planDigest', message: refusal.message }]);
    if (refusal?.reason === Reason.PlanNotFound) throw notFound(refusal.message);
    if (refusal) throw new ApiError(409, 'Conflict', refusal.message);
    if (plan.status?.approval) throw new ApiError(409, 'Conflict', `plan ${name} was ${plan.status.approval.state.toLowerCase()} already`);
    const running = siblings.find((e) => uidOf(e) !== uidOf(plan) && !isTerminal(e));
    if (running) {
      const error = new ApiError(409, 'Conflict', `a run of the same module or stack is in progress: ${nameOf(running)}`);
      error.running = { namespace: ns, name: nameOf(running) };
      throw error;
    }
    return plan;
  }
}
