// Refuses a plan whose variables the module does not declare, or whose values do not fit the
// declared types, before any Job (issue 12): the declarations are read from the module's code at the
// commit the plan will use (ModuleVariables), the values from the resolved inputs.
import { variableProblems, type TofuModule, type TofuStack } from '@tofu-operator/api-types';
import { type ModuleVariables } from '../source/module-variables.js';
import { targetOf } from '../source/source-key.js';
import type { ResolvedInputs } from './inputs.js';
import { runVariablesOf } from './variable-check.js';

/** How long a reconcile waits for the module's code to be read. */
const READ_WAIT_MS = 5_000;

/** At most this many problems are named in the condition (the rest are counted). */
const MAX_PROBLEMS = 5;

/** The commit the owner's next plan uses, if known: the latest poll's, the last plan's, or a full-SHA revision. */
export function commitFor(module: TofuModule, own: TofuModule | TofuStack): string {
  const source = own.status?.source;
  return source?.latestCommit ?? source?.commit ?? module.spec.source.revision ?? '';
}

/** One message of the problems (the first few, then how many more). */
export function problemsMessage(problems: readonly string[]): string {
  const shown = problems.slice(0, MAX_PROBLEMS).join('; ');
  return problems.length > MAX_PROBLEMS ? `${shown}; and ${problems.length - MAX_PROBLEMS} more` : shown;
}

/** Built by the InputsResolver with the ModuleVariables of the source room. */
export class VariableGate {
  constructor(
    private readonly modules: ModuleVariables,
    private readonly waitMs = READ_WAIT_MS,
  ) {}

  /**
   * The problems of the run's variables against the module's declarations ([] when they fit, or
   * when the declarations cannot be read: the runner then has the last word).
   */
  async problems(module: TofuModule, own: TofuModule | TofuStack, inputs: ResolvedInputs): Promise<string[]> {
    const target = targetOf(module.metadata.namespace ?? '', module.spec.source);
    const reading = this.modules.declarations(target, commitFor(module, own), module.spec.source.workdir ?? '.');
    // A slow server does not hold the reconcile: the plan goes ahead unchecked (tofu checks it), and
    // the answer, once in, checks the next one.
    let timer: NodeJS.Timeout | undefined;
    const slow = new Promise<{ unknown: string }>((resolve) => {
      timer = setTimeout(() => resolve({ unknown: 'slow' }), this.waitMs);
    });
    const found = await Promise.race([reading, slow]).finally(() => clearTimeout(timer));
    if ('unknown' in found) return [];
    return variableProblems(found.declared, runVariablesOf(inputs.files));
  }
}
