// Whether a module or stack may plan, as far as its inputs go (docs/guides/variables.md): its
// dependencies have applied (stacks), its spec.variables keys are variable names, and every object
// its varsFrom names can be read; then the digest of the resolved inputs, which is part of its plan
// trigger (owner-triggers.ts).
import { Reason, type TofuModule, type TofuStack } from '@tofu-operator/api-types';
import type { DependencyState } from './dependencies.js';
import { badVariableKey, InputReason, InputsError } from './inputs.js';
import { hasInputs, type InputsResolver } from './inputs-resolver.js';
import type { OwnerObservation } from './owner-status.js';
import { problemsMessage, type VariableGate } from './variable-gate.js';

/** The reason of DependenciesReady=True. */
export const DEPENDENCIES_READY_REASON = 'Ready';

/** What the inputs allow: a plan with this digest (undefined: the owner has no inputs), or none and why. */
export interface InputsGate {
  digest?: string;
  blocked?: NonNullable<OwnerObservation['blocked']>;
  dependencies?: OwnerObservation['dependencies'];
}

/** The DependenciesReady condition of a dependency state. */
export function dependenciesCondition(state: DependencyState): NonNullable<OwnerObservation['dependencies']> {
  return state.ready
    ? { ready: true, reason: DEPENDENCIES_READY_REASON, message: state.message }
    : { ready: false, reason: state.reason, message: state.message };
}

/**
 * The inputs gate of a module's own run (no stack) or a stack's run. A stack waits for its
 * dependencies first (a cycle is an error, the rest is waiting); then bad spec.variables keys are
 * refused (InvalidSpec for the owner's own, InputsInvalid for its module's); then the inputs are
 * resolved, and an InputsError becomes the reason; last, the resolved variables are checked against
 * what the module's code declares (`variables`, by default the resolver's; InputsInvalid naming each
 * variable and where its value came from).
 */
export async function inputsGateOf(
  resolver: InputsResolver,
  module: TofuModule,
  stack?: TofuStack,
  deps?: DependencyState,
  variables?: Pick<VariableGate, 'problems'>,
): Promise<InputsGate> {
  const dependencies = deps ? dependenciesCondition(deps) : undefined;
  const gate = (blocked: InputsGate['blocked']): InputsGate => (dependencies ? { blocked, dependencies } : { blocked });
  if (deps && !deps.ready) return gate({ reason: deps.reason, message: deps.message, pending: deps.reason !== 'DependencyCycle' });
  const own = stack ?? module;
  const ownBad = badVariableKey(own.spec.variables);
  if (ownBad)
    return gate({ reason: Reason.InvalidSpec, message: `${ownBad}: not a variable name (an OpenTofu identifier)`, pending: false });
  const moduleBad = stack ? badVariableKey(module.spec.variables) : undefined;
  if (moduleBad) {
    const message = `TofuModule "${module.metadata.name}" ${moduleBad}: not a variable name (an OpenTofu identifier)`;
    return gate({ reason: InputReason.InputsInvalid, message, pending: false });
  }
  if (!hasInputs(module, stack)) return dependencies ? { dependencies } : {};
  try {
    const inputs = await resolver.resolve(module, stack, deps?.ready ? deps.inputs : []);
    const check = variables ?? resolver.variables;
    const problems = check ? await check.problems(module, own, inputs) : [];
    if (problems.length > 0) return gate({ reason: InputReason.InputsInvalid, message: problemsMessage(problems), pending: false });
    return dependencies ? { digest: inputs.digest, dependencies } : { digest: inputs.digest };
  } catch (err) {
    if (!(err instanceof InputsError)) throw err;
    return gate({ reason: err.reason, message: err.message, pending: err.reason === InputReason.InputNotFound });
  }
}

/** The "namespace/Kind/name" keys of the ConfigMaps and Secrets an owner's varsFrom names (for the watch index). */
export function inputObjectKeys(owner: TofuModule | TofuStack): string[] {
  return (owner.spec.varsFrom ?? []).map((r) => `${owner.metadata.namespace}/${r.kind}/${r.name}`);
}
