import { Inject, Injectable } from '@nestjs/common';
import { nameOf, namespaceOf, uidOf, type TofuExecution, type TofuModuleStatus } from '@tofu-operator/api-types';
import { OUTPUTS_READER, type OutputsReader } from './inputs-resolver.js';
import { outputsStatus } from './owner-outputs.js';
import { byNewest, type Owner } from './owner-status.js';

/**
 * Brings an owner's status.outputs and status.outputsInfo up to date after a successful apply: once
 * the newest succeeded apply (or destroy) is not the one outputsInfo names, the stored outputs are
 * read (the runner API stored them during that apply) and mirrored, non-sensitive values only.
 */
@Injectable()
export class OwnerOutputs {
  /** Applies already looked at whose stored outputs were another run's (by owner uid): not read again. */
  private readonly checked = new Map<string, string>();

  constructor(@Inject(OUTPUTS_READER) private readonly reader: OutputsReader) {}

  /** The outputs fields of the status to write, or undefined when they are current. */
  async of(owner: Owner, executions: readonly TofuExecution[]): Promise<Pick<TofuModuleStatus, 'outputs' | 'outputsInfo'> | undefined> {
    const applied = executions.filter((e) => e.spec.action !== 'plan' && e.status?.phase === 'Succeeded').sort(byNewest)[0];
    if (!applied) return undefined;
    const name = nameOf(applied);
    if (owner.status?.outputsInfo?.execution === name || this.checked.get(uidOf(owner)) === name) return undefined;
    const kind = owner.kind === 'TofuStack' ? 'stack' : 'module';
    const stored = await this.reader.read(namespaceOf(owner), { kind, name: nameOf(owner) });
    if (!stored || stored.execution !== name) {
      this.checked.set(uidOf(owner), name);
      return undefined;
    }
    this.checked.delete(uidOf(owner));
    const { outputs, outputsInfo } = outputsStatus(stored, owner.spec.outputs?.secretName);
    // The generated type says object values for the free-form map; any JSON value is stored.
    return { outputs: outputs as TofuModuleStatus['outputs'], outputsInfo };
  }
}
