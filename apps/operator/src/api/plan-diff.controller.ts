import { Controller, Get, Param } from '@nestjs/common';
import type { PlanDiffResponse } from '@tofu-operator/api-contracts';
import type { TofuExecution } from '@tofu-operator/api-types';
import { ApiDoc } from '../http/api-doc.js';
import { Authz } from '../http/authz.js';
import { ApiError } from '../http/errors.js';
import { PlanStore } from '../runner-api/plan-store.service.js';
import { ResourcesService } from './resources.service.js';

/** A stored diff that does not parse as JSON: the store holds something the runner did not write. */
export class PlanDiffUnreadableError extends Error {
  override readonly name = 'PlanDiffUnreadableError';
}

/**
 * The masked per-resource diff of a plan execution, as the runner stored it beside the saved plan
 * (docs/adr/0007-apply-approval-and-state.md): what a reviewer reads before approving. Authorised like
 * the execution's log (`get` on the execution): the diff holds no more than the log (sensitive values
 * are masked by the runner, as tofu masks them in its output).
 */
@Controller('api/v1/namespaces/:ns/executions')
export class PlanDiffController {
  constructor(
    private readonly resources: ResourcesService,
    private readonly plans: PlanStore,
  ) {}

  @Get(':name/plan/diff')
  @Authz('get', 'tofuexecutions')
  @ApiDoc({
    summary: 'Read the diff of a plan',
    description:
      "The saved plan's changes per resource (from `tofu show -json`: each resource's actions and the top-level attributes before and after; every value tofu marks sensitive is `(sensitive value)`), as the runner stored it. 404 when the execution does not exist or has no stored diff (not a plan, not finished, or pruned).",
    response: 'PlanDiff',
    errors: [404],
  })
  async diff(@Param('ns') ns: string, @Param('name') name: string): Promise<PlanDiffResponse> {
    const execution = this.resources.get('executions', ns, name) as TofuExecution;
    const stored = await this.plans.read(execution, 'diff');
    if (!stored) throw new ApiError(404, 'NotFound', `tofuexecutions.tofu-operator.io "${name}" has no stored plan diff`);
    try {
      return JSON.parse(stored.data.toString('utf8')) as PlanDiffResponse;
    } catch (err) {
      throw new PlanDiffUnreadableError(`the stored plan diff of execution ${ns}/${name} is not JSON`, { cause: err });
    }
  }
}
