import { Injectable } from '@nestjs/common';
import {
  Defaults,
  namespaceOf,
  type BackendMode,
  type ExecutionTemplate,
  type StateEncryption,
  type StateOwner,
  type Source,
  type TofuExecution,
  type TofuModule,
  type TofuStack,
} from '@tofu-operator/api-types';
import { ClusterCache } from '../kube/cluster-cache.js';
import { withSafeJobTtl } from '../execution/job-ttl.js';
import { mergeTemplates } from './template-merge.js';

/** A run resolved from a module (and a stack's overrides). */
export interface ResolvedRun {
  source: Source;
  template: ExecutionTemplate;
  module: TofuModule;
}

/** Why a run could not be resolved, in words for a status message. */
export interface Unresolved {
  missing: string;
  moduleName?: string;
}

/** Why an execution cannot run at all: its spec contradicts itself (final, since the spec is immutable). */
export interface Refused {
  invalid: string;
}

/**
 * Where a run keeps its state: the owner (its stack, else its module), that owner's effective backend
 * and state encryption (a stack's value wins over its module's, as for autoApply and the template).
 */
export interface RunSettings {
  owner: StateOwner;
  backend: BackendMode;
  stateEncryption?: StateEncryption;
}

/** The module's source with defaults applied, so snapshots are explicit. */
export function sourceWithDefaults(source: Source): Source {
  return { ...source, workdir: source.workdir ?? Defaults.workdir };
}

/** Resolves what a module, stack or bare execution runs, from the informer caches. */
@Injectable()
export class RunResolver {
  constructor(private readonly cache: ClusterCache) {}

  forModule(module: TofuModule): ResolvedRun {
    return { source: sourceWithDefaults(module.spec.source), template: withSafeJobTtl(module.spec.executionTemplate ?? {}), module };
  }

  /** A stack's run: its module's source, and the module's template with the stack's merged over it. */
  forStack(stack: TofuStack): ResolvedRun | Unresolved {
    const name = stack.spec.moduleRef.name;
    const module = this.cache.modules.get(stack.metadata.namespace, name);
    if (!module || module.metadata.deletionTimestamp) {
      return { missing: `TofuModule "${name}" not found in namespace ${stack.metadata.namespace}`, moduleName: name };
    }
    return {
      source: sourceWithDefaults(module.spec.source),
      template: mergeTemplates(module.spec.executionTemplate, stack.spec.executionTemplate),
      module,
    };
  }

  /**
   * The state settings of an execution's run, read from its stack (else module) when the Job is made.
   * An apply is made right after its plan and carries out the saved plan file, which already names the
   * backend; the settings are read again, not snapshotted (an execution has no field for them).
   */
  settingsFor(execution: TofuExecution): RunSettings | Unresolved {
    const ns = namespaceOf(execution);
    const { moduleRef, stackRef } = execution.spec;
    const stack = stackRef ? this.cache.stacks.get(ns, stackRef.name) : undefined;
    if (stackRef && !stack) return { missing: `TofuStack "${stackRef.name}" not found in namespace ${ns}` };
    const moduleName = stack?.spec.moduleRef.name ?? moduleRef?.name ?? '';
    const module = this.cache.modules.get(ns, moduleName);
    if (!module) return { missing: `TofuModule "${moduleName}" not found in namespace ${ns}`, moduleName };
    const owner: StateOwner = stackRef ? { kind: 'stack', name: stackRef.name } : { kind: 'module', name: moduleName };
    const backend = stack?.spec.backend ?? module.spec.backend ?? 'Operator';
    const stateEncryption = stack?.spec.stateEncryption ?? module.spec.stateEncryption;
    return stateEncryption ? { owner, backend, stateEncryption } : { owner, backend };
  }

  /**
   * An execution created without a snapshot: resolved through its stack, else its module. A moduleRef
   * beside a stackRef must name the stack's module: the run would be the stack's module's code while
   * the execution (and `kubectl get`) shows another module.
   */
  resolveForExecution(execution: TofuExecution): ResolvedRun | Unresolved | Refused {
    const ns = namespaceOf(execution);
    const { moduleRef, stackRef } = execution.spec;
    if (stackRef) {
      const stack = this.cache.stacks.get(ns, stackRef.name);
      if (!stack) return { missing: `TofuStack "${stackRef.name}" not found in namespace ${ns}` };
      const stackModule = stack.spec.moduleRef.name;
      if (moduleRef && moduleRef.name !== stackModule) {
        return {
          invalid:
            `spec.moduleRef names TofuModule "${moduleRef.name}" but spec.stackRef's TofuStack "${stackRef.name}" runs TofuModule ` +
            `"${stackModule}": name the stack's module in spec.moduleRef, or leave spec.moduleRef out`,
        };
      }
      return this.forStack(stack);
    }
    const name = execution.spec.moduleRef?.name ?? '';
    const module = this.cache.modules.get(ns, name);
    if (!module) return { missing: `TofuModule "${name}" not found in namespace ${ns}`, moduleName: name };
    return this.forModule(module);
  }
}
