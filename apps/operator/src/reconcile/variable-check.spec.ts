import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { declaredVariables, variableProblems } from '@tofu-operator/api-types';
import { buildInputs } from './inputs.js';
import { runVariablesOf } from './variable-check.js';

describe('runVariablesOf', () => {
  const inputs = buildInputs([
    { kind: 'varsFrom', ref: { kind: 'Secret', name: 'creds' }, data: { token: 's3cr3t', 'extra.tfvars': 'region = "eu"\nzone = 2\n' } },
    { kind: 'TofuModule', name: 'm', variables: { replicas: 'three', region: 'us' } },
    { kind: 'TofuStack', name: 's', variables: { replicas: 3 } },
  ]);
  const vars = runVariablesOf(inputs.files);
  it('keeps the winning value of each variable with its origin', () => {
    assert.deepEqual(vars.replicas, { value: 3, origin: 'TofuStack "s" spec.variables.replicas', sensitive: false });
    assert.deepEqual(vars.token, { value: 's3cr3t', origin: 'Secret "creds"', sensitive: true });
    assert.equal(vars.zone?.unchecked, true);
  });
  it('feeds the checker: a wrong type from a Secret is named without its value', () => {
    const declared = declaredVariables([
      {
        name: 'v.tf',
        text: 'variable "token" { type = number }\nvariable "replicas" { type = number }\nvariable "region" {}\nvariable "zone" {}',
      },
    ]);
    const problems = variableProblems(declared, vars);
    assert.deepEqual(problems, ['Secret "creds": token: expected a number, got a string (type number)']);
    assert.doesNotMatch(problems.join(), /s3cr3t/);
  });
});
