import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { breadcrumbTrail, namespaceSwitchPath } from './page-nav.ts';

describe('breadcrumbTrail', () => {
  it('a module: namespace › Modules › name, the last without a link', () =>
    assert.deepEqual(breadcrumbTrail('team-a', 'modules', 'web'), [
      { label: 'team-a', href: '/ns/team-a' },
      { label: 'Modules', href: '/ns/team-a/modules' },
      { label: 'web' },
    ]));
  it('a stack', () => assert.deepEqual(breadcrumbTrail('a', 'stacks', 'app')[1], { label: 'Stacks', href: '/ns/a/stacks' }));
  it("an execution goes through its owner's list and page", () =>
    assert.deepEqual(breadcrumbTrail('a', 'executions', 'app-plan-x', { kind: 'stacks', name: 'app' }), [
      { label: 'a', href: '/ns/a' },
      { label: 'Stacks', href: '/ns/a/stacks' },
      { label: 'app', href: '/ns/a/stacks/app' },
      { label: 'app-plan-x' },
    ]));
  it('an execution without an owner goes through the executions list', () =>
    assert.deepEqual(breadcrumbTrail('a', 'executions', 'by-hand'), [
      { label: 'a', href: '/ns/a' },
      { label: 'Executions', href: '/ns/a/executions' },
      { label: 'by-hand' },
    ]));
  it('encodes names in links', () => assert.equal(breadcrumbTrail('a b', 'modules', 'x')[1]?.href, '/ns/a%20b/modules'));
});

describe('namespaceSwitchPath', () => {
  for (const [path, search, want] of [
    ['/ns/a', '', '/ns/b'],
    ['/ns/a/stacks', '', '/ns/b/stacks'],
    ['/ns/a/stacks', '?q=web&sort=name', '/ns/b/stacks?q=web&sort=name'],
    ['/ns/a/executions', 'phase=Failed', '/ns/b/executions?phase=Failed'],
    ['/ns/a/queue', '', '/ns/b/queue'],
    ['/ns/a/modules/web', '?tab=yaml', '/ns/b/modules'],
    ['/ns/a/executions/web-plan-1', '', '/ns/b/executions'],
    ['/ns/a/stacks/new', '?module=web', '/ns/b/stacks'],
    ['/ns/a/stacks/app/edit', '', '/ns/b/stacks'],
    ['/ns/a/nonsense/x/y', '', '/ns/b'],
  ] as const)
    it(`${path}${search} -> ${want}`, () => assert.equal(namespaceSwitchPath(path, search, 'b'), want));
  it('encodes the namespace', () => assert.equal(namespaceSwitchPath('/ns/a/modules', '', 'x y'), '/ns/x%20y/modules'));
});
