import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { badVariableKey, buildInputs, InputsError, leafStrings, manifestOf, secretEnvNames, type InputLayer } from './inputs.js';

const cm = (name: string, data: Record<string, string> | undefined, optional = false): InputLayer => ({
  kind: 'varsFrom',
  ref: { kind: 'ConfigMap', name, ...(optional ? { optional } : {}) },
  data,
});
const secret = (name: string, data: Record<string, string> | undefined, optional = false): InputLayer => ({
  kind: 'varsFrom',
  ref: { kind: 'Secret', name, ...(optional ? { optional } : {}) },
  data,
});
const errorOf = (layers: InputLayer[]): InputsError => {
  try {
    buildInputs(layers);
  } catch (err) {
    if (err instanceof InputsError) return err;
    throw err;
  }
  assert.fail('expected an InputsError');
};

describe('buildInputs', () => {
  it('one file per source in the merge order: module varsFrom, module variables, stack varsFrom, stack variables, outputs', () => {
    const inputs = buildInputs([
      { kind: 'File', path: 'env/dev.tfvars' },
      cm('cfg', { region: 'eu', 'sizes.json': '[1, 2]', 'extra.tfvars': 'zone = "a"\n' }),
      { kind: 'TofuModule', name: 'web', variables: { count: 2, tags: { a: 'b' } } },
      secret('db', { password: 'hunter22' }),
      { kind: 'TofuStack', name: 'prod', variables: { count: 3 } },
      {
        kind: 'outputs',
        stack: 'net',
        values: [{ variable: 'vpc', output: 'vpc_id', value: 'vpc-1', sensitive: false }],
        digest: 'sha256:n1',
      },
    ]);
    assert.deepEqual(
      inputs.files.map((f) => [f.key, f.format, f.source, f.sensitive, f.content]),
      [
        ['00-configmap-cfg.tfvars.json', 'json', 'ConfigMap "cfg"', false, '{"region":"eu","sizes":[1,2]}'],
        ['01-configmap-cfg-extra.tfvars', 'tfvars', 'ConfigMap "cfg" key "extra.tfvars"', false, 'zone = "a"\n'],
        ['02-module-web.tfvars.json', 'json', 'TofuModule "web" spec.variables', false, '{"count":2,"tags":{"a":"b"}}'],
        ['03-secret-db.tfvars.json', 'json', 'Secret "db"', true, '{"password":"hunter22"}'],
        ['04-stack-prod.tfvars.json', 'json', 'TofuStack "prod" spec.variables', false, '{"count":3}'],
        ['05-outputs-net.tfvars.json', 'json', 'TofuStack "net" outputs', false, '{"vpc":"vpc-1"}'],
      ],
    );
    assert.deepEqual(inputs.mask, ['hunter22']);
    assert.deepEqual(inputs.sources, [
      { kind: 'File', name: 'env/dev.tfvars' },
      { kind: 'ConfigMap', name: 'cfg', keys: ['extra.tfvars', 'region', 'sizes.json'] },
      { kind: 'TofuModule', name: 'web', keys: ['count', 'tags'] },
      { kind: 'Secret', name: 'db', keys: ['password'] },
      { kind: 'TofuStack', name: 'prod', keys: ['count'] },
      { kind: 'TofuStack', name: 'net', keys: ['vpc'] },
    ]);
    assert.match(inputs.digest, /^sha256:[0-9a-f]{64}$/);
    assert.ok(!JSON.stringify(inputs.sources).includes('hunter22'), 'sources never hold a value');
  });

  it('masks every string of a Secret: raw values, JSON leaves, quoted tfvars strings; sensitive outputs too', () => {
    const inputs = buildInputs([
      secret('s', { 'cfg.json': '{"user":"admin","pw":["p4ss",3]}', 'more.tfvars': 'token = "t0ken"\n', plain: 'x1' }),
      { kind: 'outputs', stack: 'a', values: [{ variable: 'k', output: 'key', value: { v: 'k3y' }, sensitive: true }] },
    ]);
    assert.deepEqual(inputs.mask, ['admin', 'k3y', 'p4ss', 't0ken', 'token = "t0ken"\n', 'x1', '{"user":"admin","pw":["p4ss",3]}'].sort());
    assert.deepEqual(
      inputs.files.map((f) => f.sensitive),
      [true, true, true],
    );
  });

  it('the digest follows values, order, a missing optional object and the output digests', () => {
    const base = [cm('a', { x: '1' }), cm('b', { x: '2' })];
    const d = buildInputs(base).digest;
    assert.equal(buildInputs([cm('a', { x: '1' }), cm('b', { x: '2' })]).digest, d);
    assert.notEqual(buildInputs([cm('a', { x: '1' }), cm('b', { x: '3' })]).digest, d);
    assert.notEqual(buildInputs([cm('b', { x: '2' }), cm('a', { x: '1' })]).digest, d);
    assert.notEqual(buildInputs([...base, cm('c', undefined, true)]).digest, d);
    const out = (digest: string): InputLayer => ({ kind: 'outputs', stack: 'n', values: [], digest });
    assert.notEqual(buildInputs([...base, out('sha256:1')]).digest, buildInputs([...base, out('sha256:2')]).digest);
  });

  it('an optional missing object sets nothing and is recorded missing; a required one is InputNotFound', () => {
    const inputs = buildInputs([secret('opt', undefined, true)]);
    assert.deepEqual(inputs.files, []);
    assert.deepEqual(inputs.sources, [{ kind: 'Secret', name: 'opt', missing: true }]);
    const err = errorOf([secret('db', undefined)]);
    assert.equal(err.reason, 'InputNotFound');
    assert.equal(err.message, 'Secret "db" not found');
  });

  it('refuses bad keys and bad JSON naming object and key, never quoting the value', () => {
    const notJson = errorOf([secret('db', { 'cfg.json': '{"pw": s3cr3t-value' })]);
    assert.equal(notJson.reason, 'InputsInvalid');
    assert.match(notJson.message, /^Secret "db" key "cfg.json" is not JSON/);
    assert.ok(!notJson.message.includes('s3cr3t'));
    const badKey = errorOf([cm('cfg', { '1abc': 'v' })]);
    assert.match(badKey.message, /^ConfigMap "cfg" key "1abc" is not a variable name/);
    const badJsonKey = errorOf([cm('cfg', { '9.json': '1' })]);
    assert.match(badJsonKey.message, /^ConfigMap "cfg" key "9.json" sets variable "9", which is not a variable name/);
  });
});

describe('helpers', () => {
  it('badVariableKey names the first bad spec.variables key as a field path', () => {
    assert.equal(badVariableKey({ ok: 1, 'not ok': 2 }), 'spec.variables.not ok');
    assert.equal(badVariableKey({ ok_1: 1, 'with-dash': 2 }), undefined);
    assert.equal(badVariableKey(undefined), undefined);
  });

  it('leafStrings, secretEnvNames and manifestOf', () => {
    assert.deepEqual(leafStrings({ a: ['x', 1, { b: 'y' }], c: true }), ['x', 'y']);
    assert.deepEqual(
      secretEnvNames([
        { name: 'A', value: 'v' },
        { name: 'B', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
      ]),
      ['B'],
    );
    const m = manifestOf(buildInputs([secret('s', { a: 'v1' })]), ['B']);
    assert.deepEqual(m, {
      files: [{ key: '00-secret-s.tfvars.json', format: 'json', source: 'Secret "s"', sensitive: true }],
      mask: ['v1'],
      maskEnv: ['B'],
    });
  });
});
