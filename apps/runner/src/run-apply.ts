import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FailureCategory } from '@tofu-operator/api-types';
import { summarizeApplyOutput } from './apply-summary.js';
import { RunnerError } from './errors.js';
import type { Success } from './result.js';
import { planDigest } from './run-plan.js';
import { tofuApply } from './tofu.js';
import { checkout, prepareTofu, runnerApiOf, type RunContext } from './workspace.js';

/**
 * An apply or a destroy: fetch the approved plan and refuse it unless its sha256 is the digest of
 * spec.planRef (before anything else runs), check out the plan's commit, init, and `tofu apply` that
 * file and nothing else. tofu refuses a plan whose state moved on (PlanStale). Throws RunnerError.
 */
export async function runApply(ctx: RunContext): Promise<Success> {
  const { config, io } = ctx;
  const api = runnerApiOf(ctx);
  const ref = config.planRef;
  if (!api || !ref) {
    // parseRunnerInput refuses such input; this guards direct callers.
    throw new RunnerError(FailureCategory.InvalidInput, `a ${config.action} needs the runner API and spec.planRef`);
  }
  io.out(`==> fetching plan ${ref.name}`);
  const data = await api.getPlan(ref.name);
  const digest = planDigest(data);
  if (digest !== ref.digest) {
    throw new RunnerError(
      FailureCategory.PlanDigestMismatch,
      `the saved plan of ${ref.name} is ${digest}, not the approved ${ref.digest}: it is not the plan that was approved, and nothing was applied`,
    );
  }
  io.out(`==> plan ${ref.name} is ${digest}, as approved`);
  const planFile = path.join(ctx.tmp, 'plan.tfplan');
  await writeFile(planFile, data, { mode: 0o600 });

  const dir = await checkout(ctx);
  const tofu = await prepareTofu(ctx, dir, api);
  io.out(`==> tofu apply ${ref.name}`);
  const stdout = await tofuApply(tofu, planFile);
  const apply = summarizeApplyOutput(stdout) ?? { text: 'Apply complete (tofu printed no summary).' };
  return { apply };
}
