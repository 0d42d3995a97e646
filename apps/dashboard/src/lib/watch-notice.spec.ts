import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Permissions } from '@tofu-operator/api-contracts';
import { watchNotice } from './watch-notice.ts';

const perms = (watch: Record<'modules' | 'stacks' | 'executions', boolean>): Permissions => ({
  modules: { list: true, watch: watch.modules },
  stacks: { list: true, watch: watch.stacks },
  executions: { list: true, watch: watch.executions },
});

describe('watchNotice', () => {
  it('says nothing while the subscription is accepted', () => {
    assert.equal(
      watchNotice({ ns: 'a', refusal: undefined, perms: perms({ modules: false, stacks: true, executions: true }), pollMs: 5000 }),
      undefined,
    );
  });
  it('names the kind the caller may not watch, the namespace and the interval', () => {
    assert.equal(
      watchNotice({ ns: 'team-a', refusal: 'forbidden', perms: perms({ modules: true, stacks: true, executions: false }), pollMs: 5000 }),
      'Live updates unavailable: you may not watch tofuexecutions in team-a; refreshing every 5 s.',
    );
  });
  it('names several kinds', () => {
    assert.equal(
      watchNotice({ ns: 'b', refusal: 'forbidden', perms: perms({ modules: false, stacks: false, executions: false }), pollMs: 10_000 }),
      'Live updates unavailable: you may not watch tofumodules, tofustacks or tofuexecutions in b; refreshing every 10 s.',
    );
  });
  it("falls back to the API's message when the permissions do not explain it", () => {
    assert.equal(
      watchNotice({ ns: 'c', refusal: 'too many subscriptions', perms: undefined, pollMs: 5000 }),
      'Live updates unavailable: too many subscriptions; refreshing every 5 s.',
    );
  });
});
