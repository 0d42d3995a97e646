import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TofuStack } from '@tofu-operator/api-types';
import { applyInputs, inputsFormFrom, parseVarValue, validateInputs, varRow, type InputsForm } from './inputs-form.ts';

const empty = (): InputsForm => inputsFormFrom();

describe('typed variables', () => {
  it('parses each type and says what is wrong with a value', () => {
    const cases: [Parameters<typeof parseVarValue>[0], { value?: unknown; error?: RegExp }][] = [
      [{ type: 'string', value: ' 42 ' }, { value: ' 42 ' }],
      [{ type: 'number', value: '42' }, { value: 42 }],
      [{ type: 'number', value: '-1.5e3' }, { value: -1500 }],
      [{ type: 'number', value: '4 2' }, { error: /not a number/ }],
      [{ type: 'number', value: '' }, { error: /not a number/ }],
      [{ type: 'number', value: 'Infinity' }, { error: /not a number/ }],
      [{ type: 'bool', value: 'true' }, { value: true }],
      [{ type: 'bool', value: 'false' }, { value: false }],
      [{ type: 'bool', value: 'yes' }, { error: /true or false/ }],
      [{ type: 'json', value: '{"a":[1,2]}' }, { value: { a: [1, 2] } }],
      [{ type: 'json', value: '{a:1}' }, { error: /not JSON/ }],
    ];
    for (const [row, want] of cases) {
      const got = parseVarValue(row);
      if (want.error) assert.match(got.error ?? '', want.error, JSON.stringify(row));
      else assert.deepEqual(got, { value: want.value }, JSON.stringify(row));
    }
  });

  it('guesses the type of a stored value, and a row round-trips', () => {
    assert.deepEqual(varRow('a', 'x'), { name: 'a', type: 'string', value: 'x' });
    assert.deepEqual(varRow('a', 3), { name: 'a', type: 'number', value: '3' });
    assert.deepEqual(varRow('a', false), { name: 'a', type: 'bool', value: 'false' });
    assert.deepEqual(varRow('a', ['x']), { name: 'a', type: 'json', value: '["x"]' });
    for (const v of ['s', 1.5, true, null, { a: { b: [1] } }]) assert.deepEqual(parseVarValue(varRow('a', v)).value, v);
  });
});

describe('validateInputs', () => {
  it('names the row of a bad name, a duplicate or a bad value', () => {
    const f = {
      ...empty(),
      variables: [
        { name: 'ok', type: 'string' as const, value: '' },
        { name: '1bad', type: 'string' as const, value: '' },
        { name: 'ok', type: 'string' as const, value: '' },
        { name: 'n', type: 'number' as const, value: 'x' },
        { name: '', type: 'string' as const, value: '' },
      ],
    };
    const e = validateInputs(f, 'modules');
    assert.equal(e['spec.variables[0]'], undefined);
    assert.match(e['spec.variables[1]'] ?? '', /not a variable name/);
    assert.match(e['spec.variables[2]'] ?? '', /set twice/);
    assert.match(e['spec.variables[3]'] ?? '', /not a number/);
    assert.match(e['spec.variables[4]'] ?? '', /required/);
  });

  it('checks varsFrom names, varFiles, the outputs Secret and a stack referring to itself', () => {
    const f: InputsForm = {
      ...empty(),
      varsFrom: [
        { kind: 'Secret', name: 'Bad_Name', optional: false },
        { kind: 'ConfigMap', name: 'good', optional: true },
      ],
      varFiles: 'env/prod.tfvars\n../outside.tfvars',
      outputsSecretName: 'UPPER',
      dependsOn: ['me'],
      inputsFrom: [
        { stack: 'me', output: 'x', variable: 'y' },
        { stack: 'net', output: 'id', variable: 'bad name' },
        { stack: 'net', output: 'id', variable: 'vpc_id' },
      ],
    };
    const e = validateInputs(f, 'stacks', 'me');
    assert.match(e['spec.varsFrom[0]'] ?? '', /^Secret name: /);
    assert.equal(e['spec.varsFrom[1]'], undefined);
    assert.match(e['spec.varFiles'] ?? '', /\.\./);
    assert.ok(e['spec.outputs.secretName']);
    assert.match(e['spec.dependsOn'] ?? '', /itself/);
    assert.match(e['spec.inputsFrom[0]'] ?? '', /own outputs/);
    assert.match(e['spec.inputsFrom[1]'] ?? '', /not a variable name/);
    assert.equal(e['spec.inputsFrom[2]'], undefined);
    assert.deepEqual(validateInputs(f, 'modules', 'me')['spec.dependsOn'], undefined, 'modules have no dependencies');
  });

  it("checks varFiles with the CRD's own rules and limits", () => {
    const files = (varFiles: string) => validateInputs({ ...empty(), varFiles }, 'modules')['spec.varFiles'];
    assert.match(files('/etc/prod.tfvars') ?? '', /relative path/);
    assert.equal(files('env/prod.tfvars\n\n  base.tfvars  '), undefined);
    assert.match(files(Array.from({ length: 33 }, (_, i) => `f${i}.tfvars`).join('\n')) ?? '', /at most 32/);
    const sources = Array.from({ length: 33 }, (_, i) => ({ kind: 'ConfigMap' as const, name: `c${i}`, optional: false }));
    assert.match(validateInputs({ ...empty(), varsFrom: sources }, 'modules')['spec.varsFrom'] ?? '', /at most 32/);
  });
});

describe('applyInputs', () => {
  const stack: TofuStack = {
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuStack',
    metadata: { name: 'app' },
    spec: {
      moduleRef: { name: 'm' },
      variables: { region: 'eu', count: 2 } as unknown as TofuStack['spec']['variables'],
      varsFrom: [{ kind: 'Secret', name: 'db', optional: true }],
      dependsOn: [{ name: 'net' }],
      inputsFrom: [{ stackRef: { name: 'net' }, output: 'vpc_id', variable: 'vpc' }],
      outputs: { secretName: 'app-out' },
    },
  };

  it('a form that was not touched sends the spec as it was', () => {
    assert.deepEqual(applyInputs(stack.spec, inputsFormFrom(stack), 'stacks'), stack.spec);
  });

  it('typed values, trimmed names, and empty fields removed', () => {
    const f: InputsForm = {
      ...inputsFormFrom(stack),
      variables: [
        { name: ' count ', type: 'number', value: '3' },
        { name: 'tags', type: 'json', value: '{"team":"a"}' },
        { name: 'on', type: 'bool', value: 'true' },
      ],
      varsFrom: [{ kind: 'ConfigMap', name: ' vars ', optional: false }],
      varFiles: '\n a.tfvars \n\n',
      outputsSecretName: '',
      dependsOn: [],
      inputsFrom: [],
    };
    assert.deepEqual(applyInputs(stack.spec, f, 'stacks'), {
      moduleRef: { name: 'm' },
      variables: { count: 3, tags: { team: 'a' }, on: true },
      varsFrom: [{ kind: 'ConfigMap', name: 'vars' }],
      varFiles: ['a.tfvars'],
    });
  });

  it('never adds stack fields to a module', () => {
    const f = { ...empty(), dependsOn: ['x'], inputsFrom: [{ stack: 'x', output: 'o', variable: 'v' }] };
    assert.deepEqual(applyInputs({ source: { repository: 'r' } }, f, 'modules'), { source: { repository: 'r' } });
  });
});
