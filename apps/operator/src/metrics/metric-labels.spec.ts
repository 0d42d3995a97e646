import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { controllerLabel, countExecutionsByPhase, methodLabel, phaseLabel, routeLabel, UNMATCHED_ROUTE } from './metric-labels.js';

const execution = (namespace: string, phase?: string) => ({ metadata: { namespace }, ...(phase ? { status: { phase } } : {}) });

describe('routeLabel', () => {
  const cases: { name: string; req: Parameters<typeof routeLabel>[0]; want: string }[] = [
    {
      name: 'a matched route gives its template',
      req: { route: { path: '/api/v1/namespaces/:ns/modules/:name' } },
      want: '/api/v1/namespaces/:ns/modules/:name',
    },
    { name: 'a mounted router adds its base', req: { baseUrl: '/api', route: { path: '/v1/x/:id' } }, want: '/api/v1/x/:id' },
    { name: 'no route: unmatched, never the URL', req: { baseUrl: '' }, want: UNMATCHED_ROUTE },
    { name: 'a regular-expression route: unmatched', req: { route: { path: /^\/x$/ } }, want: UNMATCHED_ROUTE },
    { name: 'an empty path: unmatched', req: { route: { path: '' } }, want: UNMATCHED_ROUTE },
    { name: 'a relative path gets its slash', req: { route: { path: 'metrics' } }, want: '/metrics' },
  ];
  for (const c of cases) it(c.name, () => assert.equal(routeLabel(c.req), c.want));

  it("the caller's own catch-all route: unmatched", () => {
    const own = { path: '/{*path}' };
    assert.equal(routeLabel({ route: own }, own), UNMATCHED_ROUTE);
    assert.equal(routeLabel({ route: { path: '/metrics' } }, own), '/metrics');
  });
});

describe('methodLabel', () => {
  it('keeps the usual methods, upper-case', () => {
    assert.equal(methodLabel('get'), 'GET');
    assert.equal(methodLabel('DELETE'), 'DELETE');
  });
  it('folds anything else into OTHER', () => {
    assert.equal(methodLabel('PROPFIND'), 'OTHER');
    assert.equal(methodLabel('x'.repeat(1000)), 'OTHER');
    assert.equal(methodLabel(undefined), 'OTHER');
  });
});

describe('controllerLabel', () => {
  it('is the lower-case kind', () => assert.equal(controllerLabel('TofuExecution'), 'tofuexecution'));
});

describe('phaseLabel', () => {
  it('keeps the phases of the API and maps everything else to Unknown', () => {
    for (const p of ['Pending', 'Running', 'Succeeded', 'Failed']) assert.equal(phaseLabel(p), p);
    assert.equal(phaseLabel(undefined), 'Unknown');
    assert.equal(phaseLabel(''), 'Unknown');
    assert.equal(phaseLabel('running'), 'Unknown');
    assert.equal(phaseLabel('Exploded'), 'Unknown');
  });
});

describe('countExecutionsByPhase', () => {
  it('is empty for no executions', () => assert.deepEqual(countExecutionsByPhase([]), []));

  it('counts by namespace and phase, every phase of the API present (0 included), namespaces sorted', () => {
    const got = countExecutionsByPhase([
      execution('b', 'Running'),
      execution('a', 'Succeeded'),
      execution('a', 'Succeeded'),
      execution('a', 'Failed'),
      execution('b', 'Running'),
    ]);
    assert.deepEqual(got, [
      { namespace: 'a', phase: 'Pending', count: 0 },
      { namespace: 'a', phase: 'Running', count: 0 },
      { namespace: 'a', phase: 'Succeeded', count: 2 },
      { namespace: 'a', phase: 'Failed', count: 1 },
      { namespace: 'b', phase: 'Pending', count: 0 },
      { namespace: 'b', phase: 'Running', count: 2 },
      { namespace: 'b', phase: 'Succeeded', count: 0 },
      { namespace: 'b', phase: 'Failed', count: 0 },
    ]);
  });

  it('adds an Unknown series only where an execution has no recognised phase', () => {
    const got = countExecutionsByPhase([execution('a'), execution('a', 'Bogus'), execution('b', 'Pending')]);
    assert.deepEqual(
      got.filter((c) => c.phase === 'Unknown'),
      [{ namespace: 'a', phase: 'Unknown', count: 2 }],
    );
    assert.equal(got.length, 4 + 1 + 4);
  });
});
