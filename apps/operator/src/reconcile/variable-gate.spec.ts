import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { declaredVariables, variableProblems, type TofuModule, type TofuStack } from '@tofu-operator/api-types';
import { buildInputs } from './inputs.js';
import type { InputsResolver } from './inputs-resolver.js';
import { inputsGateOf } from './owner-inputs.js';
import { runVariablesOf } from './variable-check.js';
import type { ModuleVariables } from '../source/module-variables.js';
import { commitFor, problemsMessage, VariableGate } from './variable-gate.js';

const SHA = 'a'.repeat(40);
const moduleWith = (spec: Partial<TofuModule['spec']> = {}, status?: TofuModule['status']): TofuModule => ({
  apiVersion: 'tofu-operator.io/v1alpha1',
  kind: 'TofuModule',
  metadata: { name: 'mod', namespace: 'ns', uid: 'u', generation: 1 },
  spec: { source: { repository: 'git://example/mod', revision: 'main' }, ...spec },
  ...(status ? { status } : {}),
});

describe('commitFor', () => {
  it("prefers the latest poll's commit, then the last plan's, then the revision", () => {
    assert.equal(commitFor(moduleWith(), moduleWith({}, { source: { latestCommit: SHA, commit: 'b'.repeat(40) } })), SHA);
    assert.equal(commitFor(moduleWith(), moduleWith({}, { source: { commit: SHA } })), SHA);
    const stack = { spec: { moduleRef: { name: 'mod' } }, metadata: { name: 's' } } as TofuStack;
    assert.equal(commitFor(moduleWith(), stack), 'main');
  });
});

describe('problemsMessage', () => {
  it('names the first five and counts the rest', () => {
    const seven = Array.from({ length: 7 }, (_, i) => `p${i}`);
    assert.equal(problemsMessage(seven), 'p0; p1; p2; p3; p4; and 2 more');
    assert.equal(problemsMessage(['only']), 'only');
  });
});

describe('inputsGateOf with the module-variable check', () => {
  const declared = declaredVariables([
    { name: 'v.tf', text: 'variable "region" { type = string }\nvariable "replicas" { type = number }' },
  ]);
  // The checker over the real pure functions; only the reading of the module's code is left out.
  const checker = {
    problems: (_m: TofuModule, _o: unknown, inputs: ReturnType<typeof buildInputs>) =>
      Promise.resolve(variableProblems(declared, runVariablesOf(inputs.files))),
  };
  const resolver = {
    resolve: (module: TofuModule) =>
      Promise.resolve(buildInputs([{ kind: 'TofuModule', name: 'mod', variables: module.spec.variables ?? {} }])),
  } as unknown as InputsResolver;

  it('blocks with InputsInvalid naming the undeclared variable and the wrong type, before any run', async () => {
    const mod = moduleWith({ variables: { regoin: 'eu', replicas: 'many' } as unknown as TofuModule['spec']['variables'] });
    const gate = await inputsGateOf(resolver, mod, undefined, undefined, checker);
    assert.equal(gate.blocked?.reason, 'InputsInvalid');
    assert.equal(gate.blocked?.pending, false);
    assert.match(
      gate.blocked?.message ?? '',
      /spec\.variables\.regoin: the module does not declare a variable "regoin" \(declared: region, replicas\)/,
    );
    assert.match(gate.blocked?.message ?? '', /replicas: expected a number, got "many"/);
  });

  it('lets values that fit through with their digest', async () => {
    const mod = moduleWith({ variables: { region: 'eu', replicas: 3 } as unknown as TofuModule['spec']['variables'] });
    const gate = await inputsGateOf(resolver, mod, undefined, undefined, checker);
    assert.equal(gate.blocked, undefined);
    assert.match(gate.digest ?? '', /^sha256:/);
  });
});

describe('VariableGate', () => {
  const inputs = buildInputs([{ kind: 'TofuModule', name: 'mod', variables: { regoin: 'eu' } }]);
  const gateWith = (answer: Promise<unknown>, waitMs: number) =>
    new VariableGate({ declarations: () => answer } as unknown as ModuleVariables, waitMs);

  it('names the problems once the code is read', async () => {
    const declared = declaredVariables([{ name: 'v.tf', text: 'variable "region" {}' }]);
    assert.deepEqual(await gateWith(Promise.resolve({ declared }), 1000).problems(moduleWith(), moduleWith(), inputs), [
      'TofuModule "mod" spec.variables.regoin: the module does not declare a variable "regoin" (declared: region)',
    ]);
  });
  it('does not hold the reconcile for a slow server, and lets unreadable code through', async () => {
    const started = Date.now();
    assert.deepEqual(await gateWith(new Promise(() => undefined), 50).problems(moduleWith(), moduleWith(), inputs), []);
    assert.ok(Date.now() - started < 1000);
    assert.deepEqual(await gateWith(Promise.resolve({ unknown: 'no such commit' }), 1000).problems(moduleWith(), moduleWith(), inputs), []);
  });
});
