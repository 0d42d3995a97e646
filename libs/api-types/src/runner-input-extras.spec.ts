import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RunnerEnv, RunnerInputError } from './runner-env.js';
import { encodeRunnerInput, parseRunnerInput, type RunnerInput } from './runner-input.js';
import { parseInputsManifest } from './runner-input-extras.js';

const base: RunnerInput = {
  action: 'plan',
  execution: 'x',
  repository: 'https://example.com/r.git',
  revision: 'main',
  workdir: '.',
  workspace: '/workspace',
  noColor: true,
  backend: 'FromCode',
};
const envOf = (input: RunnerInput): Record<string, string> =>
  Object.fromEntries(encodeRunnerInput(input).map((e) => [e.name, e.value ?? '']));

describe('runner input: inputs, var files, ssh host keys, provider mirror, plugin cache', () => {
  it('round-trips every field', () => {
    const input: RunnerInput = {
      ...base,
      inputsDir: '/var/run/inputs',
      varFiles: ['env/prod.tfvars', 'common.tfvars.json'],
      sshInsecureSkipHostKey: true,
      providerMirror: { url: 'https://10.88.0.1:8443/providers/', caFile: '/var/run/ca/ca.crt' },
      pluginCacheDir: '/var/cache/tofu-plugins',
    };
    assert.equal(envOf(input)[RunnerEnv.pluginCacheDir], '/var/cache/tofu-plugins');
    assert.deepEqual(parseRunnerInput(envOf(input)), input);
  });

  it('leaves unset fields out, and adds a slash to the mirror URL', () => {
    const env = envOf(base);
    assert.equal(env[RunnerEnv.inputsDir], undefined);
    assert.deepEqual(parseRunnerInput(env), base);
    const parsed = parseRunnerInput({ ...env, [RunnerEnv.providerMirrorUrl]: 'https://m.example/v1' });
    assert.deepEqual(parsed.providerMirror, { url: 'https://m.example/v1/' });
  });

  it('refuses bad values, naming the variable', () => {
    const env = envOf(base);
    const bad: [string, string, RegExp][] = [
      [RunnerEnv.varFiles, '["../secret.tfvars"]', /\.\./],
      [RunnerEnv.varFiles, '["/etc/passwd"]', /relative/],
      [RunnerEnv.varFiles, 'prod.tfvars', /JSON array/],
      [RunnerEnv.providerMirrorUrl, 'http://m.example/', /https/],
      [RunnerEnv.providerMirrorUrl, 'https://u:p@m.example/', /credentials/],
      [RunnerEnv.inputsDir, 'relative/dir', /absolute/],
      [RunnerEnv.pluginCacheDir, 'cache', /absolute/],
      [RunnerEnv.sshInsecureSkipHostKey, 'yes', /true or false/],
    ];
    for (const [name, value, why] of bad) {
      assert.throws(
        () => parseRunnerInput({ ...env, [name]: value }),
        (err: unknown) => err instanceof RunnerInputError && err.variable === name && why.test(err.message),
        `${name}=${value}`,
      );
    }
  });
});

describe('parseInputsManifest', () => {
  it('reads what the operator writes', () => {
    const m = {
      files: [{ key: '01-module.tfvars.json', format: 'json', source: 'TofuModule "m" variables', sensitive: false }],
      mask: ['s3cret'],
      maskEnv: ['DB_PASSWORD'],
    };
    assert.deepEqual(parseInputsManifest(JSON.stringify(m)), m);
  });
  it('refuses what it does not know', () => {
    for (const text of [
      'nope',
      '{}',
      '{"files":[{"key":"../x","format":"json","source":"","sensitive":false}],"mask":[],"maskEnv":[]}',
      '{"files":[{"key":"a","format":"yaml","source":"","sensitive":false}],"mask":[],"maskEnv":[]}',
      '{"files":[],"mask":[1],"maskEnv":[]}',
      '{"files":[],"mask":[],"maskEnv":["A B"]}',
    ]) {
      assert.throws(() => parseInputsManifest(text), RunnerInputError, text);
    }
  });
});
