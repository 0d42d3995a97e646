import assert from 'node:assert/strict';
import { mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { InvalidInputError } from './errors.js';
import { inputsFileName, maskedInputValues, namesIn, prepareVarFiles, readInputs, secretValuesOf, varFileArgs } from './inputs.js';
import { tempDir } from './testing/fixtures.js';

const manifest = {
  files: [
    { key: 'vars.json', format: 'json', source: 'ConfigMap "app" key "vars.json"', sensitive: false },
    { key: 'db.tfvars', format: 'tfvars', source: 'Secret "db" key "db.tfvars"', sensitive: true },
    { key: 'secret-vars', format: 'json', source: 'Secret "api" key "vars.json"', sensitive: true },
  ],
  mask: ['from-the-manifest'],
  maskEnv: ['API_TOKEN', 'UNSET_TOKEN'],
};

describe('inputs', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let inputs: string;
  let workdir: string;
  let tmp: string;

  before(async () => {
    ({ dir: root, cleanup } = await tempDir('runner-inputs-'));
    inputs = path.join(root, 'inputs');
    workdir = path.join(root, 'repo', 'wd');
    tmp = path.join(root, 'tmp');
    for (const d of [inputs, workdir, tmp]) await mkdir(d, { recursive: true });
    await writeFile(path.join(inputs, 'manifest.json'), JSON.stringify(manifest));
    await writeFile(path.join(inputs, 'vars.json'), JSON.stringify({ region: 'eu', replicas: 2 }));
    await writeFile(path.join(inputs, 'db.tfvars'), 'password = "hunter2-pw"\n');
    await writeFile(path.join(inputs, 'secret-vars'), JSON.stringify({ token: 'tok-123456', conf: { k: 'nested-secret' } }));
    await writeFile(path.join(workdir, 'prod.tfvars'), 'region = "us"\n');
    await writeFile(path.join(root, 'repo', 'outside.tfvars'), 'x = 1\n');
    await symlink('../outside.tfvars', path.join(workdir, 'escape.tfvars'));
  });
  after(() => cleanup());

  it('reads the manifest, the json files’ keys and the sensitive json values', async () => {
    const read = await readInputs(inputs);
    assert.deepEqual(read.manifest, manifest);
    assert.deepEqual(
      [...read.jsonKeys],
      [
        ['vars.json', ['region', 'replicas']],
        ['secret-vars', ['token', 'conf']],
      ],
    );
    assert.deepEqual(read.sensitiveValues, ['tok-123456', 'nested-secret', '{"k":"nested-secret"}']);
    const { values, unsetEnv } = maskedInputValues(read, { API_TOKEN: 'env-token-value' });
    assert.deepEqual(values, ['from-the-manifest', 'tok-123456', 'nested-secret', '{"k":"nested-secret"}', 'env-token-value']);
    assert.deepEqual(unsetEnv, ['UNSET_TOKEN']);
  });

  it('passes spec.varFiles first, then the inputs files copied with their format’s extension, mode 0600', async () => {
    const files = await prepareVarFiles(workdir, ['prod.tfvars'], inputs, await readInputs(inputs), tmp);
    assert.deepEqual(
      files.map((f) => [path.relative(root, f.path), f.source, f.keys]),
      [
        ['repo/wd/prod.tfvars', 'spec.varFiles[0] "prod.tfvars"', ['region']],
        ['tmp/00-vars.tfvars.json', 'ConfigMap "app" key "vars.json"', ['region', 'replicas']],
        ['tmp/01-db.tfvars', 'Secret "db" key "db.tfvars"', ['password']],
        ['tmp/02-secret-vars.tfvars.json', 'Secret "api" key "vars.json"', ['token', 'conf']],
      ],
    );
    assert.equal((await stat(path.join(tmp, '01-db.tfvars'))).mode & 0o777, 0o600);
    assert.equal(await readFile(path.join(tmp, '01-db.tfvars'), 'utf8'), 'password = "hunter2-pw"\n');
    assert.deepEqual(varFileArgs(files).slice(0, 1), [`-var-file=${path.join(workdir, 'prod.tfvars')}`]);
  });

  it('refuses a missing var file and one leading out of the workdir, naming spec.varFiles[i]', async () => {
    await assert.rejects(prepareVarFiles(workdir, ['prod.tfvars', 'missing.tfvars'], undefined, undefined, tmp), (err: unknown) => {
      assert.ok(err instanceof InvalidInputError);
      assert.equal(err.message, 'spec.varFiles[1] "missing.tfvars" does not exist in the workdir');
      return true;
    });
    await assert.rejects(prepareVarFiles(workdir, ['escape.tfvars'], undefined, undefined, tmp), {
      message: 'spec.varFiles[0] "escape.tfvars" leads outside the workdir through a symlink',
    });
    await assert.rejects(prepareVarFiles(workdir, ['../outside.tfvars'], undefined, undefined, tmp), {
      message: 'spec.varFiles[0] "../outside.tfvars" must be a path inside the workdir',
    });
  });

  it('refuses a bad manifest or a json file that is not an object, without quoting its text', async () => {
    const bad = path.join(root, 'bad');
    await mkdir(bad);
    await assert.rejects(readInputs(bad), /no readable manifest\.json/);
    await writeFile(path.join(bad, 'manifest.json'), '{"files": 1}');
    await assert.rejects(readInputs(bad), /TOFU_OPERATOR_INPUTS_DIR: manifest\.json must be an object/);
    await writeFile(path.join(bad, 'manifest.json'), JSON.stringify({ ...manifest, files: [manifest.files[0]] }));
    await writeFile(path.join(bad, 'vars.json'), '{"secret-looking": ');
    await assert.rejects(readInputs(bad), (err: Error) => {
      assert.equal(err.message, 'the variables from ConfigMap "app" key "vars.json" (inputs file "vars.json") are not valid JSON');
      return true;
    });
    await writeFile(path.join(bad, 'vars.json'), '[1]');
    await assert.rejects(readInputs(bad), /are not a JSON object/);
    await writeFile(path.join(bad, 'manifest.json'), JSON.stringify({ ...manifest, files: [{ ...manifest.files[1], key: 'gone' }] }));
    await assert.rejects(readInputs(bad), /inputs file "gone" \(from Secret "db" key "db.tfvars"\) cannot be read: ENOENT/);
  });
});

describe('inputs helpers', () => {
  it('names copied files by position and format', () => {
    assert.equal(inputsFileName(0, 'vars.json', 'json'), '00-vars.tfvars.json');
    assert.equal(inputsFileName(12, 'x.tfvars', 'tfvars'), '12-x.tfvars');
    assert.equal(inputsFileName(1, 'plain', 'tfvars'), '01-plain.tfvars');
  });

  it('lists the secret values of a json variables file', () => {
    assert.deepEqual(secretValuesOf({ a: 'x', n: 5, b: true, l: ['y', false] }), ['x', '5', 'y', '["y",false]']);
  });

  it('reads the names a file sets', () => {
    assert.deepEqual(namesIn('a.tfvars.json', '{"a":1,"b":2}'), ['a', 'b']);
    assert.deepEqual(namesIn('a.tfvars.json', 'nope'), []);
    assert.deepEqual(namesIn('a.tfvars', 'a = 1\nb = 2\n'), ['a', 'b']);
  });
});
