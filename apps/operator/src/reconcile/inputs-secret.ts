import { Injectable } from '@nestjs/common';
import {
  API_GROUP_VERSION,
  controllerRef,
  controllerUid,
  INPUTS_MANIFEST_KEY,
  Labels,
  nameOf,
  namespaceOf,
  parseInputsManifest,
  TofuExecutions,
  uidOf,
  type ExecutionInputs,
  type ExecutionTemplate,
  type InputsManifest,
  type TofuExecution,
} from '@tofu-operator/api-types';
import { isAlreadyExists, isNotFound, KubeClient, updateStatus, type ReconcileContext } from '@tofu-operator/reconcile-runtime';
import { labelValueFor, suffixedNameFor } from '../execution/naming.js';
import { ClusterCache } from '../kube/cluster-cache.js';
import { buildSecret, Secrets, type Secret } from '../runner-api/secret-io.js';
import { evaluateDependencies } from './dependencies.js';
import { InputsError, manifestOf, secretEnvNames } from './inputs.js';
import { hasInputs, InputsResolver } from './inputs-resolver.js';

/** The inputs Secret of an execution: `<execution>-inputs` (shortened with a hash past 63 characters). */
export function inputsSecretNameFor(execution: Pick<TofuExecution, 'metadata'>): string {
  return suffixedNameFor(nameOf(execution), 'inputs');
}

/** What the Job mounts: the inputs Secret, and the var files the runner passes first. */
export interface RunInputs {
  secretName: string;
  varFiles: string[];
}

/**
 * Makes an execution's inputs Secret when its Job is made (docs/guides/variables.md). A plan gets its
 * variables resolved now (the same resolver as its owner's trigger), one file per source and the
 * manifest, and records status.inputs (sources and digest, never a value). An apply or destroy carries
 * out its saved plan, whose values are in the plan: it only gets the plan's mask list, so its log is
 * masked the same way. Nothing is made for a run without inputs and without Secret-backed env.
 */
@Injectable()
export class ExecutionInputsWriter {
  constructor(
    private readonly cache: ClusterCache,
    private readonly client: KubeClient,
    private readonly resolver: InputsResolver,
  ) {}

  /** The inputs to mount, or undefined for none. Throws InputsError when they cannot be resolved. */
  async prepare(execution: TofuExecution, template: ExecutionTemplate, ctx: ReconcileContext): Promise<RunInputs | undefined> {
    const maskEnv = secretEnvNames(template.env);
    if (execution.spec.action !== 'plan') return this.forApply(execution, maskEnv, ctx);
    const ns = namespaceOf(execution);
    const { stackRef, moduleRef } = execution.spec;
    const stack = stackRef ? this.cache.stacks.get(ns, stackRef.name) : undefined;
    const module = this.cache.modules.get(ns, stack?.spec.moduleRef.name ?? moduleRef?.name ?? '');
    // The run resolver has found both already; gone since then, the run waits through it next time.
    if (!module || (stackRef && !stack)) return undefined;
    if (!hasInputs(module, stack) && maskEnv.length === 0) return undefined;
    let deps: { variable: string; stack: string; output: string }[] = [];
    if (stack) {
      const state = evaluateDependencies(stack, (name) => this.cache.stacks.get(ns, name));
      if (!state.ready) throw new InputsError(state.reason, state.message);
      deps = state.inputs;
    }
    const inputs = await this.resolver.resolve(module, stack, deps);
    const files = Object.fromEntries(inputs.files.map((f) => [f.key, f.content]));
    const secretName = await this.write(execution, manifestOf(inputs, maskEnv), files, ctx);
    const recorded: ExecutionInputs = { digest: inputs.digest, secretName, sources: inputs.sources };
    await updateStatus(this.client, TofuExecutions, execution, (current) => ({ ...current.status, inputs: recorded }));
    const varFiles = [...(module.spec.varFiles ?? []), ...(stack?.spec.varFiles ?? [])];
    return { secretName, varFiles };
  }

  /** An apply's inputs: no files, the mask list of its plan's inputs (if any) and its own Secret-backed env. */
  private async forApply(execution: TofuExecution, maskEnv: string[], ctx: ReconcileContext): Promise<RunInputs | undefined> {
    const plan = execution.spec.planRef?.name;
    let mask: string[] = [];
    if (plan) {
      try {
        const secret = await this.client.get<Secret>(Secrets, namespaceOf(execution), suffixedNameFor(plan, 'inputs'));
        const manifest = secret.data?.[INPUTS_MANIFEST_KEY];
        if (manifest) mask = parseInputsManifest(Buffer.from(manifest, 'base64').toString('utf8')).mask;
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    if (mask.length === 0 && maskEnv.length === 0) return undefined;
    const secretName = await this.write(execution, { files: [], mask, maskEnv }, {}, ctx);
    return { secretName, varFiles: [] };
  }

  /** Creates (or replaces a stale one of) the execution's inputs Secret; its name. */
  private async write(
    execution: TofuExecution,
    manifest: InputsManifest,
    files: Record<string, string>,
    ctx: ReconcileContext,
  ): Promise<string> {
    const ns = namespaceOf(execution);
    const name = inputsSecretNameFor(execution);
    const labels = { [Labels.execution]: labelValueFor(nameOf(execution)), [Labels.artifact]: 'inputs' };
    const data = { ...files, [INPUTS_MANIFEST_KEY]: JSON.stringify(manifest) };
    const ownerReferences = [controllerRef(API_GROUP_VERSION, 'TofuExecution', execution)];
    const body = buildSecret(ns, name, labels, data, { ownerReferences });
    try {
      await this.client.create<Secret>(Secrets, ns, body);
      ctx.log.debug({ secret: name, files: manifest.files.length }, 'created the inputs Secret');
      return name;
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
    // Made by an earlier attempt of this execution (same values now or newer ones), or left by a
    // deleted execution of the same name: this execution's inputs now.
    const existing = await this.client.get<Secret>(Secrets, ns, name);
    await this.client.replace<Secret>(Secrets, ns, name, {
      ...body,
      metadata: { ...body.metadata, resourceVersion: existing.metadata.resourceVersion },
    });
    ctx.log.info({ secret: name, replaced: controllerUid(existing) !== uidOf(execution) }, 'replaced the inputs Secret');
    return name;
  }
}
