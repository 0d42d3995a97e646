import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tofuModuleCrd, tofuStackCrd } from './definitions.js';
import { validateSchema } from './validate.js';

describe('validateSchema', () => {
  it('accepts a valid module spec', () => {
    assert.deepEqual(
      validateSchema({ source: { repository: 'https://example.com/r.git', revision: 'main', workdir: 'a' } }, tofuModuleCrd.spec, 'spec'),
      [],
    );
  });
  it('names missing required fields', () => {
    assert.deepEqual(validateSchema({}, tofuModuleCrd.spec, 'spec'), [{ path: 'spec.source', message: 'is required' }]);
    assert.deepEqual(validateSchema({ moduleRef: {} }, tofuStackCrd.spec, 'spec'), [
      { path: 'spec.moduleRef.name', message: 'is required' },
    ]);
  });
  it('names wrong types, bounds and enums with their paths', () => {
    const got = validateSchema(
      { source: { repository: 'https://example.com/r.git' }, historyLimit: 0, executionTemplate: { imagePullPolicy: 'Sometimes' } },
      tofuModuleCrd.spec,
      'spec',
    );
    assert.ok(
      got.some((v) => v.path === 'spec.historyLimit' && /at least 1/.test(v.message)),
      JSON.stringify(got),
    );
    assert.ok(
      got.some((v) => v.path === 'spec.executionTemplate.imagePullPolicy' && /one of/.test(v.message)),
      JSON.stringify(got),
    );
    assert.deepEqual(validateSchema({ source: 'x' }, tofuModuleCrd.spec, 'spec'), [
      { path: 'spec.source', message: 'must be an object, got string' },
    ]);
  });
  it('handles arrays, maps, null and int-or-string', () => {
    const schema = {
      type: 'object' as const,
      properties: {
        list: { type: 'array' as const, maxItems: 1, items: { type: 'string' as const, maxLength: 2 } },
        map: { type: 'object' as const, additionalProperties: { type: 'integer' as const } },
        q: { 'x-kubernetes-int-or-string': true as const },
        n: { type: 'string' as const },
      },
    };
    assert.deepEqual(
      validateSchema({ list: ['abc', 'd'], map: { a: 1, b: 'x' }, q: 1.5, n: null }, schema, 'x').map((v) => v.path),
      ['x.list', 'x.list[0]', 'x.map.b', 'x.q', 'x.n'],
    );
  });

  it('checks the CEL rules with a JavaScript twin only when asked', () => {
    const spec = { source: { repository: 'https://example.com/r.git', revision: 'a..b', workdir: '/etc' } };
    assert.deepEqual(validateSchema(spec, tofuModuleCrd.spec, 'spec'), []);
    assert.deepEqual(
      validateSchema(spec, tofuModuleCrd.spec, 'spec', { rules: true }).map((v) => v.path),
      ['spec.source.revision', 'spec.source.workdir'],
    );
    assert.deepEqual(validateSchema({ moduleRef: { name: 'Not_Valid' } }, tofuStackCrd.spec, 'spec', { rules: true }), [
      {
        path: 'spec.moduleRef.name',
        message: 'must be a lowercase RFC 1123 subdomain (a-z, 0-9, "-" and "."; starting and ending with a letter or digit)',
      },
    ]);
  });
});
