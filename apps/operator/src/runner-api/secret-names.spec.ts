import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isObjectName, MAX_NAME, nameToken, outputsSecretName, planChunkName, stateChunkName, statePointerName } from './secret-names.js';

const long63 = 'a'.repeat(61) + '-b';
const long253 = Array.from({ length: 4 }, () => 'x'.repeat(62)).join('.') + 'z';

describe('Secret names', () => {
  const cases: { name: string; got: string; want: string }[] = [
    { name: 'pointer of a module', got: statePointerName('module', 'web'), want: 'tofu-state-module-web' },
    { name: 'pointer of a stack', got: statePointerName('stack', 'web'), want: 'tofu-state-stack-web' },
    { name: 'state chunk', got: stateChunkName('module', 'web', 3, 0), want: 'tofu-state-data-module-web-g3-0' },
    { name: 'state chunk of a dotted owner', got: stateChunkName('stack', 'a.b', 12, 7), want: 'tofu-state-data-stack-a.b-g12-7' },
    { name: 'plan chunk', got: planChunkName('web-abc', 0), want: 'tofu-plan-web-abc-0' },
    { name: 'diff chunk', got: planChunkName('web-abc', 2, 'diff'), want: 'tofu-diff-web-abc-2' },
    { name: 'outputs of a module', got: outputsSecretName('module', 'web'), want: 'tofu-outputs-module-web' },
    { name: 'outputs of a stack', got: outputsSecretName('stack', 'a.b'), want: 'tofu-outputs-stack-a.b' },
    { name: 'pointer of a 63-character owner', got: statePointerName('module', long63), want: `tofu-state-module-${long63}` },
  ];
  for (const c of cases) it(c.name, () => assert.equal(c.got, c.want));

  it('are valid object names for owners and executions up to 253 characters', () => {
    for (const owner of ['a', 'web', long63, long253, 'a.b-c', '0']) {
      for (const n of [
        statePointerName('module', owner),
        statePointerName('stack', owner),
        stateChunkName('module', owner, Number.MAX_SAFE_INTEGER, 999),
        planChunkName(owner, 999),
        planChunkName(owner, 0, 'diff'),
        outputsSecretName('module', owner),
        outputsSecretName('stack', owner),
      ]) {
        assert.ok(isObjectName(n) && n.length <= MAX_NAME, `${n} (${n.length})`);
      }
    }
  });

  it('keep pointers and chunks apart, even for owners named like a chunk suffix', () => {
    const owners = ['web', 'web-g1-0', 'web-g1', 'data-module-web-g1-0', 'g1-0', 'web-1', 'web.g1.0'];
    const all = owners.flatMap((o) => [
      statePointerName('module', o),
      statePointerName('stack', o),
      ...[1, 2].flatMap((g) => [0, 1].flatMap((i) => [stateChunkName('module', o, g, i), stateChunkName('stack', o, g, i)])),
      ...[0, 1, 10].flatMap((i) => [planChunkName(o, i), planChunkName(o, i, 'diff')]),
      outputsSecretName('module', o),
      outputsSecretName('stack', o),
    ]);
    assert.equal(new Set(all).size, all.length);
    assert.notEqual(statePointerName('module', 'web-g1-0'), stateChunkName('module', 'web', 1, 0));
    assert.notEqual(planChunkName('x-diff', 0), planChunkName('x', 0, 'diff'));
  });

  it('shorten long names deterministically into distinct 63-character tokens', () => {
    const a = nameToken(long253);
    const b = nameToken(long253.slice(0, -1) + 'y');
    assert.equal(a, nameToken(long253));
    assert.equal(a.length, 63);
    assert.notEqual(a, b);
    assert.match(a, /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
    assert.equal(nameToken(long63), long63);
  });

  it('refuse negative or fractional counters', () => {
    assert.throws(() => stateChunkName('module', 'web', -1, 0), RangeError);
    assert.throws(() => planChunkName('x', 1.5), RangeError);
  });

  for (const [name, ok] of [
    ['web', true],
    ['a.b', true],
    ['', false],
    ['Web', false],
    ['-web', false],
    ['web-', false],
    ['a..b', false],
    ['a/b', false],
    ['x'.repeat(254), false],
  ] as const) {
    it(`isObjectName("${name.slice(0, 20)}") is ${ok}`, () => assert.equal(isObjectName(name), ok));
  }
});
