import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { envShown, looksSecret, removeEnvLine, secretLiterals, secretRefsProblem, withSecretRefs, wordParts } from './secret-env.ts';

describe('looksSecret', () => {
  it('finds a secret word as a part of the name, in any case and style', () => {
    for (const n of [
      'DB_PASSWORD',
      'password',
      'GITHUB_TOKEN',
      'apiToken',
      'AWS_SECRET_ACCESS_KEY',
      'TF_VAR_api-key',
      'x.credentials',
      'ApiKey',
      'PGPASSWD'.replace('PG', 'PG_'),
    ])
      assert.equal(looksSecret(n), true, n);
  });
  it('does not flag a word that only contains one', () => {
    for (const n of ['MONKEY', 'TOKENIZER', 'KEYBOARD_LAYOUT', 'TF_LOG', 'PASSWORDLESS_MODE', 'HOME', ''])
      assert.equal(looksSecret(n), false, n);
  });
  it('splits camelCase and separators', () => {
    assert.deepEqual(wordParts('dbPassword_v2-x.y'), ['DB', 'PASSWORD', 'V2', 'X', 'Y']);
  });
});

describe('envShown', () => {
  it('masks a secret-looking literal and leaves others as they are', () => {
    assert.deepEqual(envShown({ name: 'DB_PASSWORD', value: 's3cret' }), { name: 'DB_PASSWORD', kind: 'masked', value: 's3cret' });
    assert.deepEqual(envShown({ name: 'TF_LOG', value: 'debug' }), { name: 'TF_LOG', kind: 'literal', value: 'debug' });
    assert.deepEqual(envShown({ name: 'TOKEN', value: '' }), { name: 'TOKEN', kind: 'literal', value: '' });
  });
  it('names the source of a reference, never a value', () => {
    assert.deepEqual(envShown({ name: 'T', valueFrom: { secretKeyRef: { name: 'git', key: 'token' } } }), {
      name: 'T',
      kind: 'ref',
      text: 'from Secret git/token',
    });
    assert.equal(
      (envShown({ name: 'C', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'region' } } }) as { text: string }).text,
      'from ConfigMap cfg/region',
    );
  });
});

describe('secretLiterals', () => {
  it('lists the literal entries with secret-looking names only', () => {
    assert.deepEqual(
      secretLiterals([
        { name: 'API_TOKEN', value: 'x' },
        { name: 'TF_LOG', value: 'debug' },
        { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
        { name: 'EMPTY_SECRET', value: '' },
      ]),
      ['API_TOKEN'],
    );
  });
});

describe('switching a literal to a Secret reference', () => {
  it('drops the literal line and only it', () => {
    assert.equal(removeEnvLine('TF_LOG=debug\nAPI_TOKEN=abc\nAPI_TOKEN_TTL=5', 'API_TOKEN'), 'TF_LOG=debug\nAPI_TOKEN_TTL=5');
  });
  it('names the variable whose Secret or key is not chosen', () => {
    assert.equal(secretRefsProblem([{ name: 'A', secret: 's', key: 'k' }]), undefined);
    assert.equal(secretRefsProblem([{ name: 'API_TOKEN', secret: 'git', key: ' ' }]), '"API_TOKEN": choose the Secret and its key');
  });
  it('replaces an entry of the same name and keeps the others', () => {
    assert.deepEqual(
      withSecretRefs(
        [
          { name: 'TF_LOG', value: 'debug' },
          { name: 'API_TOKEN', value: 'abc' },
        ],
        [{ name: 'API_TOKEN', secret: ' git ', key: 'token' }],
      ),
      [
        { name: 'TF_LOG', value: 'debug' },
        { name: 'API_TOKEN', valueFrom: { secretKeyRef: { name: 'git', key: 'token' } } },
      ],
    );
    assert.deepEqual(withSecretRefs(undefined, []), []);
  });
});
