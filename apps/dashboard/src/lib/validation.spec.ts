import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FieldRules, tofuModuleCrd } from '@tofu-operator/api-types';
import {
  checkInt,
  checkObjectName,
  checkRepository,
  checkRevision,
  checkWorkdir,
  mapApiFieldErrors,
  parseEnv,
  validateModuleForm,
  validateStackForm,
  type ModuleForm,
} from './validation.ts';

const ok: ModuleForm = {
  name: 'hello',
  repository: 'git://10.88.0.1/tofu-samples',
  revision: 'main',
  workdir: 'hello',
  image: '',
  activeDeadlineSeconds: '',
  historyLimit: '',
  env: '',
};

describe('field checks use the CRD schema', () => {
  const table: [string, (v: string) => string | undefined, string, boolean][] = [
    ['name', checkObjectName, 'hello-dev', true],
    ['name with dots', checkObjectName, 'a.b-c', true],
    ['name uppercase', checkObjectName, 'Hello', false],
    ['name trailing dash', checkObjectName, 'hello-', false],
    ['name empty', checkObjectName, '', false],
    ['name 254 chars', checkObjectName, 'a'.repeat(254), false],
    ['repository https', checkRepository, 'https://github.com/o/r.git', true],
    ['repository git', checkRepository, 'git://10.88.0.1/tofu-samples', true],
    ['repository scp-like', checkRepository, 'git@github.com:o/r.git', true],
    ['repository http (not allowed)', checkRepository, 'http://example.com/r', false],
    ['repository with space', checkRepository, 'https://x/a b', false],
    ['repository empty', checkRepository, '', false],
    ['revision empty (default branch)', checkRevision, '', true],
    ['revision sha', checkRevision, '0123abcd', true],
    ['revision tag', checkRevision, 'v1.2.3', true],
    ['revision leading dash', checkRevision, '-x', false],
    ['revision ..', checkRevision, 'a..b', false],
    ['revision ~', checkRevision, 'main~1', false],
    ['revision colon', checkRevision, 'a:b', false],
    ['workdir empty (".")', checkWorkdir, '', true],
    ['workdir nested', checkWorkdir, 'envs/dev', true],
    ['workdir absolute', checkWorkdir, '/etc', false],
    ['workdir ..', checkWorkdir, 'a/../b', false],
    ['workdir dotted name is fine', checkWorkdir, 'a/..b', true],
  ];
  for (const [what, check, value, valid] of table) {
    it(`${what}: ${valid ? 'valid' : 'invalid'}`, () => assert.equal(check(value) === undefined, valid, check(value)));
  }

  it('the length limits are the schema', () => {
    const source = tofuModuleCrd.spec.properties?.['source']?.properties;
    assert.equal(source?.['repository']?.maxLength, 2048);
    assert.equal(source?.['revision']?.maxLength, 255);
    assert.equal(source?.['workdir']?.maxLength, 1024);
    const history = tofuModuleCrd.spec.properties?.['historyLimit'];
    assert.deepEqual([history?.minimum, history?.maximum], [1, 1000]);
    const deadline = tofuModuleCrd.spec.properties?.['executionTemplate']?.properties?.['activeDeadlineSeconds'];
    assert.deepEqual([deadline?.minimum, deadline?.maximum], [1, 604800]);
  });

  it("the messages are the CRD rules' own", () => {
    assert.equal(checkRevision('a..b'), FieldRules.revision.message);
    assert.equal(checkRepository('http://example.com/r'), FieldRules.repository.message);
    assert.equal(checkWorkdir('a/../b'), FieldRules.workdirNoDotDot.message);
    assert.equal(checkObjectName('Hello'), FieldRules.objectName.message);
    assert.equal(checkRevision('x'.repeat(256)), 'must be at most 255 characters');
  });

  it('checkInt', () => {
    assert.equal(checkInt('', 1, 10), undefined);
    assert.equal(checkInt('5', 1, 10), undefined);
    assert.equal(checkInt('0', 1, 10), 'between 1 and 10');
    assert.equal(checkInt('1.5', 1, 10), 'a whole number');
    assert.equal(checkInt('abc', 1, 10), 'a whole number');
  });
});

describe('parseEnv', () => {
  it('parses NAME=value lines, values may contain "="', () => {
    assert.deepEqual(parseEnv('A=1\n\nTF_VAR_x=a=b\n').env, [
      { name: 'A', value: '1' },
      { name: 'TF_VAR_x', value: 'a=b' },
    ]);
  });
  it('names the bad line', () => {
    assert.equal(parseEnv('A=1\n1BAD=2').error, 'line 2: "1BAD" must be a C identifier (letters, digits, "_")');
    assert.equal(parseEnv('A=1\nnovalue').error, 'line 2: NAME=value expected');
    assert.equal(parseEnv('A=1\nA=2').error, 'line 2: "A" is set twice');
  });
  it('refuses the names the operator reserves, as admission does', () => {
    for (const name of ['HOME', 'TMPDIR', 'TOFU_OPERATOR_REPOSITORY', 'TOFU_OPERATOR_ANYTHING'])
      assert.equal(parseEnv(`A=1\n${name}=x`).error, `line 2: "${name}" ${FieldRules.envNameNotReserved.message}`);
  });
});

describe('form validation', () => {
  it('a valid module has no errors', () => assert.deepEqual(validateModuleForm(ok, true), {}));
  it('errors are keyed by API field paths', () => {
    const errors = validateModuleForm({ ...ok, name: 'Bad', repository: 'nope', historyLimit: '0', env: 'x y=1' }, true);
    assert.deepEqual(Object.keys(errors).sort(), [
      'metadata.name',
      'spec.executionTemplate.env',
      'spec.historyLimit',
      'spec.source.repository',
    ]);
  });
  it('the name is not checked when editing', () => assert.deepEqual(validateModuleForm({ ...ok, name: '' }, false), {}));
  it('a stack needs a module', () => {
    const f = { name: 's', module: '', image: '', activeDeadlineSeconds: '', historyLimit: '', env: '' };
    assert.deepEqual(Object.keys(validateStackForm(f, true)), ['spec.moduleRef.name']);
  });
});

describe('mapApiFieldErrors', () => {
  const known = ['metadata.name', 'spec.source.repository', 'spec.executionTemplate.env'];
  it('exact paths, nested paths and unknown ones', () => {
    assert.deepEqual(
      mapApiFieldErrors(
        [
          { path: 'spec.source.repository', message: 'bad url' },
          { path: 'spec.executionTemplate.env[0].name', message: 'bad name' },
          { path: 'spec.executionTemplate.tolerations', message: 'too many' },
        ],
        known,
      ),
      {
        'spec.source.repository': 'bad url',
        'spec.executionTemplate.env': 'bad name',
        '': 'spec.executionTemplate.tolerations: too many',
      },
    );
  });
});
