import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../http/errors.js';
import { ConnectionCaps, Releases } from './connection-caps.js';

describe('ConnectionCaps', () => {
  it('refuses a connection beyond the cap of its address or user with 429, and counts a release once', () => {
    const caps = new ConnectionCaps(2, 3);
    const a = [caps.address('10.0.0.1'), caps.address('10.0.0.1'), caps.address('10.0.0.1')];
    assert.throws(
      () => caps.address('10.0.0.1'),
      (e: unknown) => e instanceof ApiError && e.status === 429 && /per client address/.test(e.message),
    );
    assert.doesNotThrow(() => caps.address('10.0.0.2'), 'other addresses are not affected');
    a[0]?.();
    a[0]?.();
    assert.equal(caps.count('address', '10.0.0.1'), 2, 'a second release of one connection changes nothing');
    caps.address('10.0.0.1');
    caps.user('alice');
    caps.user('alice');
    assert.throws(
      () => caps.user('alice'),
      (e: unknown) => e instanceof ApiError && e.status === 429 && /per user/.test(e.message),
    );
  });

  it('releases what is added after the connection closed at once', () => {
    const released: string[] = [];
    const r = new Releases();
    r.add(() => released.push('address'));
    r.releaseAll();
    r.add(() => released.push('user'));
    r.releaseAll();
    assert.deepEqual(released, ['address', 'user']);
  });
});
