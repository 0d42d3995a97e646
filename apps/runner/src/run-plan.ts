import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { FailureCategory, type PlanDiff, type PlanSummary } from '@tofu-operator/api-types';
import { RunnerError } from './errors.js';
import { maskPlanDiff } from './mask-diff.js';
import { planDiff } from './plan-diff.js';
import { summarizePlan } from './plan-summary.js';
import type { Redactor } from './redact.js';
import type { Success } from './result.js';
import { prepareVarFiles, varFileArgs, type VarFileSource } from './inputs.js';
import { tofuPlan, tofuShowJson } from './tofu.js';
import { invalidVariables, undeclaredVariables, variableProblems } from './variable-errors.js';
import { checkout, prepareTofu, runnerApiOf, type RunContext } from './workspace.js';
import { stepMarker } from './step-marker.js';

/** The digest an approval names: `sha256:<hex>` of the saved plan file's bytes. Pure. */
export function planDigest(data: Uint8Array): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/**
 * The summary and the masked diff of a plan, from `tofu show -json`: what tofu marks sensitive, and
 * every value the run masks (from Secrets), wherever the module put it.
 */
function readPlan(json: string, redact: Redactor): { summary: PlanSummary; diff: PlanDiff; plan: unknown } {
  try {
    const plan: unknown = JSON.parse(json);
    const summary = summarizePlan(plan);
    return {
      summary: summary.text ? { ...summary, text: redact(summary.text) } : summary,
      diff: maskPlanDiff(planDiff(plan), redact),
      plan,
    };
  } catch (err) {
    throw new RunnerError(FailureCategory.Internal, `cannot read the plan: ${(err as Error).message}`, { cause: err });
  }
}

/** Where the plan's variables come from, for the log: sources only, never values. */
function describeVarFiles(files: readonly VarFileSource[]): string {
  return files.map((f) => f.source).join(', ');
}

/**
 * A plan: check out, init, `tofu plan -out` (`-destroy` for a destroy plan), summarize and diff the
 * saved plan from `tofu show -json`, then store the plan file and its diff through the runner API
 * (when the run has one) and report the plan's digest. Throws RunnerError.
 */
export async function runPlan(ctx: RunContext): Promise<Success> {
  const { config, io } = ctx;
  const api = runnerApiOf(ctx);
  const dir = await checkout(ctx);
  const varFiles = await prepareVarFiles(dir, config.varFiles ?? [], config.inputsDir, ctx.inputs, ctx.tmp);
  const tofu = await prepareTofu(ctx, dir, api);
  const planFile = path.join(ctx.tmp, 'plan.tfplan');
  io.out(stepMarker(config.destroy ? 'tofu plan -destroy' : 'tofu plan'));
  if (varFiles.length > 0) io.out(`==> variables from ${describeVarFiles(varFiles)}`);
  const explain = (output: string) => invalidVariables(variableProblems(output, varFiles));
  const printed = await tofuPlan(tofu, planFile, config.destroy ?? false, { args: varFileArgs(varFiles), explain });
  io.signal?.throwIfAborted();
  const { summary, diff, plan } = readPlan(await tofuShowJson(tofu, planFile), ctx.redact);
  // tofu only warns about values for variables the module does not declare: a typo would go unnoticed.
  const undeclared = invalidVariables([...variableProblems(printed, varFiles), ...undeclaredVariables(plan, varFiles)]);
  if (undeclared) throw undeclared;
  io.out(`==> summary: ${summary.text}`);
  if (!api) return { summary };

  const data = await readFile(planFile);
  const digest = planDigest(data);
  const stored = await api.putPlan(data);
  // The operator records its own digest of what it received; the two must be the same plan.
  if (stored !== digest) {
    throw new RunnerError(FailureCategory.RunnerApiFailed, `the runner API stored the plan as ${stored}, but the plan file is ${digest}`);
  }
  await api.putDiff(JSON.stringify(diff));
  io.out(`==> plan saved: ${digest} (${data.length} bytes, ${diff.resources.length} resource changes)`);
  return { summary, planDigest: digest };
}
