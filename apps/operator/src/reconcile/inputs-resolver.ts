import { Inject, Injectable, Optional } from '@nestjs/common';
import { nameOf, namespaceOf, type StateOwner, type TofuModule, type TofuStack, type VarsFromSource } from '@tofu-operator/api-types';
import { isNotFound, KubeApiError, KubeClient, type Informer, type KubeObject } from '@tofu-operator/reconcile-runtime';
import { ClusterCache, ConfigMaps, SecretsMeta } from '../kube/cluster-cache.js';
import type { StoredOutputs } from '../runner-api/outputs-record.js';
import { ModuleVariables } from '../source/module-variables.js';
import { buildInputs, InputReason, InputsError, type InputLayer, type ResolvedInputs } from './inputs.js';
import { VariableGate } from './variable-gate.js';

/** Reads an owner's stored outputs (runner-api's OutputsStore satisfies it). */
export interface OutputsReader {
  read(namespace: string, owner: StateOwner): Promise<StoredOutputs | undefined>;
}

/** Injection token of the OutputsReader. */
export const OUTPUTS_READER = Symbol('OUTPUTS_READER');

/** A variable a stack takes from another stack's output (spec.inputsFrom, once its dependencies are ready). */
export interface DependencyInput {
  variable: string;
  stack: string;
  output: string;
}

/** A ConfigMap's or Secret's data, decoded, at a resourceVersion. */
interface CachedData {
  rv: string;
  data: Record<string, string>;
}

/** Whether an object references any variables at all (an owner without any keeps its old triggers). */
export function hasInputs(module: TofuModule, stack?: TofuStack): boolean {
  const specs = [module.spec, ...(stack ? [stack.spec] : [])];
  const any = (l: unknown[] | Record<string, unknown> | undefined): boolean => Object.keys(l ?? {}).length > 0;
  return specs.some((s) => any(s.variables) || any(s.varsFrom) || any(s.varFiles)) || any(stack?.spec.inputsFrom);
}

/**
 * Reads what a run's variables come from (ConfigMaps and Secrets with a GET, kept by resourceVersion
 * while the metadata cache shows the same one; other stacks' outputs from the outputs store, kept by
 * digest) and merges them (inputs.ts). Values are only held here and written to the run's inputs
 * Secret; never logged.
 */
@Injectable()
export class InputsResolver {
  private readonly data = new Map<string, CachedData>();
  private readonly outputs = new Map<string, { digest: string; stored: StoredOutputs | undefined }>();
  /** The check of resolved variables against the module's code (absent: the runner checks them). */
  readonly variables: VariableGate | undefined;

  constructor(
    private readonly cache: ClusterCache,
    private readonly client: KubeClient,
    @Inject(OUTPUTS_READER) private readonly reader: OutputsReader,
    @Optional() modules?: ModuleVariables,
  ) {
    this.variables = modules ? new VariableGate(modules) : undefined;
    const evict = (kind: string) => (e: string, o: KubeObject) => {
      if (e === 'delete') this.data.delete(`${kind}/${o.metadata?.namespace}/${o.metadata?.name}`);
    };
    cache.configMaps.onEvent(evict('ConfigMap'));
    cache.secrets.onEvent(evict('Secret'));
  }

  /**
   * The inputs of a module's own run, or of a stack's run (its module's first, then its own, then
   * the outputs of the stacks `deps` names). Throws InputsError naming the object and key.
   */
  async resolve(module: TofuModule, stack?: TofuStack, deps: readonly DependencyInput[] = []): Promise<ResolvedInputs> {
    const ns = namespaceOf(stack ?? module);
    const layers: InputLayer[] = [];
    for (const path of [...(module.spec.varFiles ?? []), ...(stack?.spec.varFiles ?? [])]) layers.push({ kind: 'File', path });
    const owners: [TofuModule | TofuStack, 'TofuModule' | 'TofuStack'][] = [[module, 'TofuModule']];
    if (stack) owners.push([stack, 'TofuStack']);
    for (const [owner, kind] of owners) {
      for (const ref of owner.spec.varsFrom ?? []) layers.push({ kind: 'varsFrom', ref, data: await this.read(ns, ref) });
      const variables = (owner.spec.variables ?? {}) as Record<string, unknown>;
      layers.push({ kind, name: nameOf(owner), variables });
    }
    const byStack = new Map<string, DependencyInput[]>();
    for (const d of deps) byStack.set(d.stack, [...(byStack.get(d.stack) ?? []), d]);
    for (const [name, inputs] of byStack) layers.push(await this.outputsLayer(ns, name, inputs));
    return buildInputs(layers);
  }

  /** The variables a stack takes from one other stack's stored outputs. */
  private async outputsLayer(ns: string, name: string, inputs: DependencyInput[]): Promise<InputLayer> {
    const digest = this.cache.stacks.get(ns, name)?.status?.outputsInfo?.digest ?? '';
    const key = `${ns}/${name}`;
    let hit = this.outputs.get(key);
    if (!hit || hit.digest !== digest || !digest) {
      hit = { digest, stored: await this.reader.read(ns, { kind: 'stack', name }) };
      this.outputs.set(key, hit);
    }
    const stored = hit.stored;
    const values = inputs.map(({ variable, output }) => {
      const found = stored?.outputs[output];
      if (!found)
        throw new InputsError(
          InputReason.InputsInvalid,
          `TofuStack "${name}" has no stored output "${output}" (for variable "${variable}")`,
        );
      return { variable, output, value: found.value, sensitive: found.sensitive };
    });
    return { kind: 'outputs', stack: name, values, digest: stored?.digest ?? digest };
  }

  /** The decoded data of a ConfigMap or Secret; undefined when it does not exist. */
  private async read(ns: string, ref: VarsFromSource): Promise<Record<string, string> | undefined> {
    const secret = ref.kind === 'Secret';
    const informer: Informer<KubeObject> = secret ? this.cache.secrets : this.cache.configMaps;
    const key = `${ref.kind}/${ns}/${ref.name}`;
    const rv = informer.get(ns, ref.name)?.metadata?.resourceVersion;
    const hit = this.data.get(key);
    if (hit && rv !== undefined && hit.rv === rv) return hit.data;
    let obj: KubeObject & { data?: Record<string, string> };
    try {
      obj = await this.client.get(secret ? SecretsMeta : ConfigMaps, ns, ref.name);
    } catch (err) {
      if (isNotFound(err)) {
        this.data.delete(key);
        return undefined;
      }
      if (err instanceof KubeApiError && err.code === 403)
        throw new InputsError(InputReason.InputNotFound, `${ref.kind} "${ref.name}" cannot be read by the operator (forbidden)`);
      throw err;
    }
    const raw = obj.data ?? {};
    const data = secret ? Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')])) : raw;
    this.data.set(key, { rv: obj.metadata?.resourceVersion ?? '', data });
    return data;
  }
}
