import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decideLock, decideUnlock, decideWrite, LockInfoError, parseLockInfo, serializeLockInfo, type LockInfo } from './lock-info.js';

// What OpenTofu's statemgr.LockInfo.Marshal() sends.
const tofuBody =
  '{"ID":"3f5b1a8e-4c2d-9e7f-1a2b-3c4d5e6f7a8b","Operation":"OperationTypeApply","Info":"","Who":"runner@pod","Version":"1.12.6","Created":"2025-01-02T03:04:05.123456789Z","Path":""}';
const A: LockInfo = { ID: 'a', Who: 'x' };
const B: LockInfo = { ID: 'b' };

describe('parseLockInfo', () => {
  it('reads what OpenTofu sends', () => {
    const info = parseLockInfo(tofuBody, true);
    assert.equal(info.ID, '3f5b1a8e-4c2d-9e7f-1a2b-3c4d5e6f7a8b');
    assert.equal(info.Operation, 'OperationTypeApply');
    assert.equal(info.Who, 'runner@pod');
  });
  it('round-trips through serializeLockInfo, leaving out empty fields (Go cannot read "" as a time)', () => {
    const { Info: _i, Path: _p, ...filled } = JSON.parse(tofuBody) as Record<string, string>;
    assert.deepEqual(JSON.parse(serializeLockInfo(parseLockInfo(tofuBody, true))), filled);
    assert.equal(serializeLockInfo({ ID: 'x' }), '{"ID":"x"}');
    assert.equal(serializeLockInfo({ ID: 'x', Created: '' }), '{"ID":"x"}');
  });
  it('accepts RFC 3339 times with offsets and nanoseconds', () => {
    for (const t of ['2025-01-02T03:04:05Z', '2025-01-02T03:04:05.123456789+02:00']) {
      assert.equal(parseLockInfo(JSON.stringify({ ID: 'x', Created: t }), true).Created, t);
    }
  });
  it('drops unknown fields and accepts null ones', () =>
    assert.deepEqual(parseLockInfo('{"ID":"x","Evil":"y","Info":null}', true), { ID: 'x' }));
  it('answers undefined for a force-unlock without an ID', () => {
    assert.equal(parseLockInfo('', false), undefined);
    assert.equal(parseLockInfo('{"ID":""}', false), undefined);
    assert.deepEqual(parseLockInfo('{"ID":"x"}', false), { ID: 'x' });
  });
  for (const [name, body] of [
    ['an empty body', ''],
    ['not JSON', 'LOCK'],
    ['an array', '[]'],
    ['no ID', '{"Who":"x"}'],
    ['a numeric ID', '{"ID":5}'],
    ['a huge ID', JSON.stringify({ ID: 'x'.repeat(257) })],
    ['a non-string field', '{"ID":"x","Who":{}}'],
    ['a Created that is not a time', '{"ID":"x","Created":"yesterday"}'],
  ] as const) {
    it(`refuses ${name} for LOCK`, () => assert.throws(() => parseLockInfo(body, true), LockInfoError));
  }
});

describe('lock decisions', () => {
  const lock: { name: string; current?: LockInfo; req: LockInfo; want: ReturnType<typeof decideLock> }[] = [
    { name: 'takes a free lock', req: A, want: { kind: 'acquire' } },
    { name: 'grants the holder again (a retried LOCK)', current: A, req: { ID: 'a' }, want: { kind: 'already-held' } },
    { name: 'refuses another id with the holder', current: A, req: B, want: { kind: 'locked', holder: A } },
  ];
  for (const c of lock) it(`LOCK ${c.name}`, () => assert.deepEqual(decideLock(c.current, c.req), c.want));

  const unlock: { name: string; current?: LockInfo; id?: string; want: ReturnType<typeof decideUnlock> }[] = [
    { name: 'releases with the holder id', current: A, id: 'a', want: { kind: 'release' } },
    { name: 'refuses another id with the holder', current: A, id: 'b', want: { kind: 'mismatch', holder: A } },
    { name: 'releases without an id (force-unlock)', current: A, want: { kind: 'release' } },
    { name: 'succeeds on a free lock', id: 'a', want: { kind: 'not-locked' } },
  ];
  for (const c of unlock) it(`UNLOCK ${c.name}`, () => assert.deepEqual(decideUnlock(c.current, c.id), c.want));

  const write: { name: string; current?: LockInfo; id?: string; want: ReturnType<typeof decideWrite> }[] = [
    { name: 'by the holder', current: A, id: 'a', want: { kind: 'allow' } },
    { name: 'with another id', current: A, id: 'b', want: { kind: 'locked', holder: A } },
    { name: 'without an id while locked', current: A, want: { kind: 'locked', holder: A } },
    { name: 'without a lock (-lock=false)', want: { kind: 'allow' } },
    { name: 'naming a lock nobody holds', id: 'a', want: { kind: 'not-locked', id: 'a' } },
  ];
  for (const c of write) it(`POST ${c.name}`, () => assert.deepEqual(decideWrite(c.current, c.id), c.want));
});
