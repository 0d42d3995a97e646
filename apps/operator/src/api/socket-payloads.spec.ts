import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../http/errors.js';
import { parseExecutionSubscription, parseNamespaceSubscription } from './socket-payloads.js';

const refused = (fn: () => unknown, path: string) =>
  assert.throws(fn, (e: unknown) => e instanceof ApiError && e.status === 422 && e.fields?.[0]?.path === path);

describe('parseNamespaceSubscription', () => {
  it('defaults to every kind', () =>
    assert.deepEqual(parseNamespaceSubscription({ namespace: 'team-a' }).kinds, ['modules', 'stacks', 'executions']));
  it('keeps the kinds asked for, once each', () =>
    assert.deepEqual(parseNamespaceSubscription({ namespace: 'a', kinds: ['stacks', 'stacks'] }).kinds, ['stacks']));
  it('refuses a bad namespace', () => refused(() => parseNamespaceSubscription({ namespace: 'Team_A' }), 'namespace'));
  it('refuses a missing payload', () => refused(() => parseNamespaceSubscription(undefined), ''));
  it('refuses an unknown kind with its index', () =>
    refused(() => parseNamespaceSubscription({ namespace: 'a', kinds: ['modules', 'pods'] }), 'kinds[1]'));
  it('refuses an empty kinds list', () => refused(() => parseNamespaceSubscription({ namespace: 'a', kinds: [] }), 'kinds'));
});

describe('parseExecutionSubscription', () => {
  it('defaults fromSeq to 0', () =>
    assert.deepEqual(parseExecutionSubscription({ namespace: 'a', name: 'x.y-1' }), { namespace: 'a', name: 'x.y-1', fromSeq: 0 }));
  it('keeps fromSeq', () => assert.equal(parseExecutionSubscription({ namespace: 'a', name: 'x', fromSeq: 12 }).fromSeq, 12));
  for (const bad of [-1, 1.5, '3', Number.MAX_VALUE]) {
    it(`refuses fromSeq ${String(bad)}`, () =>
      refused(() => parseExecutionSubscription({ namespace: 'a', name: 'x', fromSeq: bad }), 'fromSeq'));
  }
  it('refuses a bad name', () => refused(() => parseExecutionSubscription({ namespace: 'a', name: '../x' }), 'name'));
});
