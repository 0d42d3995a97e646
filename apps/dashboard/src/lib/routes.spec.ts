import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { documentTitle, listHref, missingObject, pageTitle, routeOf, type Route } from './routes.ts';

describe('routeOf and pageTitle', () => {
  const table: [path: string, route: Route, title: string][] = [
    ['/', { page: 'picker' }, 'Namespaces'],
    ['/ns/team-a', { page: 'overview', ns: 'team-a' }, 'Overview · team-a'],
    ['/ns/team-a/', { page: 'overview', ns: 'team-a' }, 'Overview · team-a'],
    ['/ns/team-a/modules', { page: 'list', ns: 'team-a', kind: 'modules' }, 'Modules · team-a'],
    ['/ns/team-a/queue', { page: 'queue', ns: 'team-a' }, 'Queue · team-a'],
    ['/ns/team-a/queue/x', { page: 'unknown' }, 'Page not found'],
    ['/ns/team-a/stacks/new', { page: 'new', ns: 'team-a', kind: 'stacks' }, 'New stack · team-a'],
    [
      '/ns/team-a/executions/plan-abc',
      { page: 'object', ns: 'team-a', kind: 'executions', name: 'plan-abc' },
      'plan-abc · TofuExecution · team-a',
    ],
    ['/ns/team-a/modules/web', { page: 'object', ns: 'team-a', kind: 'modules', name: 'web' }, 'web · TofuModule · team-a'],
    [
      '/ns/team-a/stacks/web-dev/edit',
      { page: 'edit', ns: 'team-a', kind: 'stacks', name: 'web-dev' },
      'Edit web-dev · TofuStack · team-a',
    ],
    ['/ns/team-a/modules?q=web', { page: 'list', ns: 'team-a', kind: 'modules' }, 'Modules · team-a'],
    ['/ns/a%20b/modules', { page: 'list', ns: 'a b', kind: 'modules' }, 'Modules · a b'],
    ['/ns/team-a/widgets', { page: 'unknown' }, 'Page not found'],
    ['/ns/team-a/modules/web/logs', { page: 'unknown' }, 'Page not found'],
    ['/ns/team-a/modules/web/edit/x', { page: 'unknown' }, 'Page not found'],
    ['/nope', { page: 'unknown' }, 'Page not found'],
    ['/ns', { page: 'unknown' }, 'Page not found'],
    ['/ns/%E0%A4%A', { page: 'unknown' }, 'Page not found'],
  ];
  for (const [path, route, title] of table)
    it(path, () => {
      assert.deepEqual(routeOf(path), route);
      assert.equal(pageTitle(routeOf(path)), title);
    });
  it('ends the document title with the product', () =>
    assert.equal(documentTitle('plan-abc · TofuExecution · team-a'), 'plan-abc · TofuExecution · team-a — tofu-operator'));
  it('links a list with the namespace encoded', () => assert.equal(listHref('a b', 'stacks'), '/ns/a%20b/stacks'));
});

describe('missingObject', () => {
  it('reads the kind and name of the API 404 for an object', () => {
    assert.deepEqual(missingObject('tofumodules.tofu-operator.io "net" not found'), { kind: 'modules', name: 'net' });
    assert.deepEqual(missingObject('tofuexecutions.tofu-operator.io "plan-1" not found'), { kind: 'executions', name: 'plan-1' });
    assert.deepEqual(missingObject('tofustacks.tofu-operator.io "a" not found'), { kind: 'stacks', name: 'a' });
  });
  it('is undefined for a 404 about something else than the object', () => {
    assert.equal(missingObject('tofuexecutions.tofu-operator.io "plan-1" has no stored plan diff'), undefined);
    assert.equal(missingObject('execution "plan-1" has no log yet (its runner has not started) or it was not kept'), undefined);
    assert.equal(missingObject('pods "x" not found'), undefined);
  });
});
