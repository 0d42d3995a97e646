import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KubeApiError } from '@tofu-operator/reconcile-runtime';
import { ReadFailures } from './read-failures.js';

const notFound = new KubeApiError('GET', '/log', 404, { message: 'pod "p" does not exist' });
const refused = new KubeApiError('GET', '/log', 500, { message: 'connection refused' });

describe('ReadFailures', () => {
  it('a follow stream that broke off never ends the log', () => {
    let now = 0;
    const f = new ReadFailures(1000, () => now);
    for (now = 0; now < 5000; now += 500) assert.equal(f.ends(refused, false), false);
    assert.equal(f.why, undefined);
  });

  it('404s end the log as a removed pod only after the grace, counted from the first in a row', () => {
    let now = 0;
    const f = new ReadFailures(1000, () => now);
    assert.equal(f.ends(notFound, false), false);
    now = 900;
    assert.equal(f.ends(notFound, false), false);
    f.ok(); // the kubelet synced: a later 404 starts the grace again
    now = 1500;
    assert.equal(f.ends(notFound, false), false);
    now = 2400;
    assert.equal(f.ends(notFound, false), false);
    now = 2500;
    assert.equal(f.ends(notFound, false), true);
    assert.equal(f.why, 'the runner pod was removed before its log ended');
  });

  it('a final read failing for the whole grace ends the log saying why', () => {
    let now = 0;
    const f = new ReadFailures(1000, () => now);
    assert.equal(f.ends(refused, true), false);
    now = 1000;
    assert.equal(f.ends(refused, true), true);
    assert.match(f.why ?? '', /^the end of the runner's log could not be read: GET \/log: 500 {2}connection refused/);
  });
});
