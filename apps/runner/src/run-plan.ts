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
import { tofuPlan, tofuShowJson } from './tofu.js';
import { checkout, prepareTofu, runnerApiOf, type RunContext } from './workspace.js';

/** The digest an approval names: `sha256:<hex>` of the saved plan file's bytes. Pure. */
export function planDigest(data: Uint8Array): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/**
 * The summary and the masked diff of a plan, from `tofu show -json`: what tofu marks sensitive, and
 * every value the run masks (from Secrets), wherever the module put it.
 */
function readPlan(json: string, redact: Redactor): { summary: PlanSummary; diff: PlanDiff } {
  try {
    const plan: unknown = JSON.parse(json);
    const summary = summarizePlan(plan);
    return { summary: summary.text ? { ...summary, text: redact(summary.text) } : summary, diff: maskPlanDiff(planDiff(plan), redact) };
  } catch (err) {
    throw new RunnerError(FailureCategory.Internal, `cannot read the plan: ${(err as Error).message}`, { cause: err });
  }
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
  const tofu = await prepareTofu(ctx, dir, api);
  const planFile = path.join(ctx.tmp, 'plan.tfplan');
  io.out(config.destroy ? '==> tofu plan -destroy' : '==> tofu plan');
  await tofuPlan(tofu, planFile, config.destroy ?? false);
  io.signal?.throwIfAborted();
  const { summary, diff } = readPlan(await tofuShowJson(tofu, planFile), ctx.redact);
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
