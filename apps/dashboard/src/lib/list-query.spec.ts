import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  filterCounts,
  filteredListHref,
  kindCount,
  kindNoun,
  listQueryString,
  parseListQuery,
  phaseFilterOf,
  runDuration,
  shownCount,
  sortBy,
} from './list-query.ts';

const params = (s: string) => new URLSearchParams(s);
const SORTABLE = ['name', 'phase', 'duration', 'age'];

describe('parseListQuery', () => {
  it('the default view without parameters', () =>
    assert.deepEqual(parseListQuery(params(''), SORTABLE, 'age'), {
      q: '',
      sort: 'age',
      dir: 1,
      phase: 'all',
      all: false,
      page: 1,
      size: 50,
    }));
  it('search, sort, direction, phase and scope', () =>
    assert.deepEqual(parseListQuery(params('q=web+app&sort=duration&dir=desc&phase=failed&scope=all&page=3&size=100'), SORTABLE, 'age'), {
      q: 'web app',
      sort: 'duration',
      dir: -1,
      phase: 'failed',
      all: true,
      page: 3,
      size: 100,
    }));
  it('a phase in any case', () => assert.equal(parseListQuery(params('phase=Running'), SORTABLE, 'name').phase, 'running'));
  it('unknown values fall back to the defaults', () =>
    assert.deepEqual(parseListQuery(params('sort=source&dir=sideways&phase=done&scope=cluster&page=0&size=7'), SORTABLE, 'name'), {
      q: '',
      sort: 'name',
      dir: 1,
      phase: 'all',
      all: false,
      page: 1,
      size: 50,
    }));
});

describe('listQueryString', () => {
  it('empty for the default view', () =>
    assert.equal(listQueryString({ q: '', sort: 'name', dir: 1, phase: 'all', all: false, page: 1, size: 50 }), ''));
  it('only what differs from the defaults, encoded', () =>
    assert.equal(
      listQueryString({ q: 'a&b c', sort: 'duration', dir: -1, phase: 'failed', all: true }, 'age'),
      '?q=a%26b+c&sort=duration&dir=desc&phase=failed&scope=all',
    ));
  it('the page and a page size other than the default', () =>
    assert.equal(listQueryString({ q: 'web', page: 4, size: 100 }), '?q=web&size=100&page=4'));
  it('round-trips through parseListQuery', () => {
    const view = { q: 'hello', sort: 'phase', dir: -1 as const, phase: 'pending' as const, all: false, page: 7, size: 25 };
    assert.deepEqual(parseListQuery(params(listQueryString(view, 'age').slice(1)), SORTABLE, 'age'), view);
  });
});

describe('filteredListHref', () => {
  it('the overview link to failed executions', () =>
    assert.equal(filteredListHref('team-a', 'executions', { phase: 'failed' }), '/ns/team-a/executions?phase=failed'));
  it('executions sorted by age are the default', () =>
    assert.equal(filteredListHref('team-a', 'executions', { sort: 'age' }), '/ns/team-a/executions'));
  it('modules sorted by age are not', () =>
    assert.equal(filteredListHref('a b', 'modules', { sort: 'age' }), '/ns/a%20b/modules?sort=age'));
});

describe('phaseFilterOf and filterCounts', () => {
  for (const [phase, problem, want] of [
    ['Running', false, 'running'],
    ['Pending', false, 'pending'],
    [undefined, false, 'pending'],
    ['Succeeded', false, 'succeeded'],
    ['Failed', false, 'failed'],
    ['Pending', true, 'failed'],
  ] as const)
    it(`${phase ?? 'no phase'}${problem ? ' (stranded)' : ''} -> ${want}`, () => assert.equal(phaseFilterOf(phase, problem), want));
  it('counts each filter and all', () =>
    assert.deepEqual(filterCounts(['failed', 'failed', 'running', 'succeeded']), {
      all: 4,
      running: 1,
      pending: 0,
      succeeded: 1,
      failed: 2,
    }));
});

describe('sortBy', () => {
  const rows = [
    { n: 'a', d: 30 },
    { n: 'b', d: undefined },
    { n: 'c', d: 5 },
    { n: 'd', d: 30 },
  ];
  it('ascending, stable, missing keys last', () =>
    assert.deepEqual(
      sortBy(rows, (r) => r.d, 1).map((r) => r.n),
      ['c', 'a', 'd', 'b'],
    ));
  it('descending, stable, missing keys still last', () =>
    assert.deepEqual(
      sortBy(rows, (r) => r.d, -1).map((r) => r.n),
      ['a', 'd', 'c', 'b'],
    ));
  it('strings', () =>
    assert.deepEqual(
      sortBy(['b', 'a', 'c'], (r) => r, -1),
      ['c', 'b', 'a'],
    ));
});

describe('runDuration', () => {
  it('start to completion', () =>
    assert.equal(runDuration({ startTime: '2026-01-01T00:00:00Z', completionTime: '2026-01-01T00:01:05Z' }), 65_000));
  it('not finished', () => assert.equal(runDuration({ startTime: '2026-01-01T00:00:00Z' }), undefined));
  it('no status', () => assert.equal(runDuration(undefined), undefined));
  it('garbage', () => assert.equal(runDuration({ startTime: 'x', completionTime: 'y' }), undefined));
});

describe('plurals', () => {
  it('one module', () => assert.equal(kindCount(1, 'modules'), '1 module'));
  it('the noun alone', () => assert.deepEqual([kindNoun(1, 'stacks'), kindNoun(0, 'stacks')], ['stack', 'stacks']));
  it('no stacks', () => assert.equal(kindCount(0, 'stacks'), '0 stacks'));
  it('two executions', () => assert.equal(kindCount(2, 'executions'), '2 executions'));
  it('all shown', () => assert.equal(shownCount(1, 1, 'executions'), '1 execution'));
  it('some shown, the noun follows the total', () => assert.equal(shownCount(1, 5, 'modules'), '1 of 5 modules'));
  it('of one', () => assert.equal(shownCount(0, 1, 'stacks'), '0 of 1 stack'));
});
