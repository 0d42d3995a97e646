import { Controller, HttpCode, Param, Post, type Type } from '@nestjs/common';
import type { DriftCheckResponse, PlannableKind } from '@tofu-operator/api-contracts';
import { ApiDoc } from '../http/api-doc.js';
import { Authz } from '../http/authz.js';
import { ContinuousService } from './continuous.service.js';

/**
 * POST …/{modules|stacks}/{name}/drift-check: "check drift now". Sets an annotation on the owner like
 * POST …/plan sets requested-at, hence the same permission: `patch` on the owner's resource.
 */
function driftCheckController(key: PlannableKind, resource: 'tofumodules' | 'tofustacks', one: string, controllerName: string): Type {
  @Controller(`api/v1/namespaces/:ns/${key}`)
  class DriftCheckController {
    constructor(private readonly continuous: ContinuousService) {}

    @Post(':name/drift-check')
    @HttpCode(202)
    @Authz('patch', resource)
    @ApiDoc({
      summary: `Check a ${one} for drift now`,
      description:
        `Sets the annotation \`tofu-operator.io/drift-check-requested-at\` (the time of the request) on the ${one}: the operator runs a drift check ` +
        `(a plan with \`spec.purpose: DriftCheck\` against the applied state) when it picks the request up, instead of at the next interval, ` +
        `and reports it in \`status.drift\` and the condition \`Drifted\`. ` +
        (key === 'stacks' ? "A stack's drift detection is its own `spec.driftDetection`, or else its module's. " : '') +
        `409 when drift detection is off for the ${one}. Needs the verb \`patch\` on \`${resource}\`, like a plan request.`,
      response: 'DriftCheckResponse',
      responseDescription: 'The drift check was requested.',
      errors: [404, 409],
    })
    driftCheck(@Param('ns') ns: string, @Param('name') name: string): Promise<DriftCheckResponse> {
      return this.continuous.requestDriftCheck(key, ns, name);
    }
  }
  // Named per kind: logs, the route table and the OpenAPI operation ids use the class name.
  Object.defineProperty(DriftCheckController, 'name', { value: controllerName });
  return DriftCheckController;
}

/** POST /api/v1/namespaces/{ns}/modules/{name}/drift-check */
export const ModuleDriftCheckController = driftCheckController('modules', 'tofumodules', 'module', 'ModuleDriftCheckController');

/** POST /api/v1/namespaces/{ns}/stacks/{name}/drift-check */
export const StackDriftCheckController = driftCheckController('stacks', 'tofustacks', 'stack', 'StackDriftCheckController');
