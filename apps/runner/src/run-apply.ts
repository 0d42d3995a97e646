import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FailureCategory } from '@tofu-operator/api-types';
import { summarizeApplyOutput } from './apply-summary.js';
import { RunnerError } from './errors.js';
import type { Success } from './result.js';
import { describeOutputs, markSecretOutputs, parseOutputs, sensitiveOutputValues } from './outputs.js';
import type { RunnerApi } from './runner-api.js';
import { planDigest } from './run-plan.js';
import { tofuApply, tofuOutputJson, type TofuOptions } from './tofu.js';
import { addSecrets, checkout, prepareTofu, runnerApiOf, type RunContext } from './workspace.js';
import { stepMarker } from './step-marker.js';

/**
 * Reads the outputs after a successful apply or destroy (`tofu output -json`, never printed), marks
 * those holding a value from a Secret sensitive, masks the sensitive values from here on, logs the
 * names and stores the outputs through the runner API.
 * Throws OutputsNotStored.
 */
async function storeOutputs(ctx: RunContext, tofu: TofuOptions, api: RunnerApi): Promise<void> {
  ctx.io.out(stepMarker('tofu output -json'));
  const json = await tofuOutputJson(tofu);
  const { outputs, marked } = markSecretOutputs(parseOutputs(json), ctx.redact);
  addSecrets(ctx, sensitiveOutputValues(outputs));
  ctx.io.out(`==> ${describeOutputs(outputs)}`);
  if (marked.length > 0) ctx.io.out(`==> marked sensitive, since they hold a value from a Secret: ${marked.join(', ')}`);
  // tofu's own JSON unless an output had to be marked sensitive.
  await api.putOutputs(marked.length > 0 ? JSON.stringify(outputs) : json.trim());
  ctx.io.out('==> outputs stored');
}

/**
 * An apply or a destroy: fetch the approved plan and refuse it unless its sha256 is the digest of
 * spec.planRef (before anything else runs), check out the plan's commit, init, and `tofu apply` that
 * file and nothing else, then store the outputs. tofu refuses a plan whose state moved on
 * (PlanStale). Throws RunnerError.
 */
export async function runApply(ctx: RunContext): Promise<Success> {
  const { config, io } = ctx;
  const api = runnerApiOf(ctx);
  const ref = config.planRef;
  if (!api || !ref) {
    // parseRunnerInput refuses such input; this guards direct callers.
    throw new RunnerError(FailureCategory.InvalidInput, `a ${config.action} needs the runner API and spec.planRef`);
  }
  io.out(stepMarker(`fetching plan ${ref.name}`));
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
  io.out(stepMarker(`tofu apply ${ref.name}`));
  const stdout = await tofuApply(tofu, planFile);
  const apply = summarizeApplyOutput(stdout) ?? { text: 'Apply complete (tofu printed no summary).' };
  try {
    await storeOutputs(ctx, tofu, api);
  } catch (err) {
    if (!(err instanceof RunnerError)) throw err;
    // The apply happened: say so, or the user would think nothing changed.
    throw new RunnerError(FailureCategory.OutputsNotStored, `${apply.text} But the outputs were not stored: ${err.message}`, {
      cause: err,
    });
  }
  return { apply };
}
