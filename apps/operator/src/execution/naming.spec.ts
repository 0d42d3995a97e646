import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { executionNameFor, jobNameFor, labelValueFor, shortHash } from './naming.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A Kubernetes label value (names with dots are valid object names and label values). */
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const UID = '6f1c2a9e-5b7d-4c3e-9a8b-0123456789ab';

describe('shortHash', () => {
  const table: { text: string; length?: number; expectedLength: number }[] = [
    { text: 'a', expectedLength: 10 },
    { text: '', expectedLength: 10 },
    { text: 'some/longer text', length: 8, expectedLength: 8 },
    { text: 'x', length: 1, expectedLength: 1 },
  ];
  for (const { text, length, expectedLength } of table) {
    it(`hashes "${text}" to ${expectedLength} lowercase base32 characters`, () => {
      const h = shortHash(text, length);
      assert.equal(h.length, expectedLength);
      assert.match(h, /^[a-z2-7]+$/);
      assert.equal(shortHash(text, length), h, 'deterministic');
    });
  }

  it('differs for different texts', () => {
    const hashes = new Set(['a', 'b', 'uid/g1', 'uid/g2', 'uid/g1/r1'].map((t) => shortHash(t)));
    assert.equal(hashes.size, 5);
  });
});

describe('executionNameFor', () => {
  const owners: { name: string; ownerName: string }[] = [
    { name: 'a short name', ownerName: 'web' },
    { name: 'a name of 52 characters', ownerName: 'a'.repeat(52) },
    { name: 'a name of 53 characters', ownerName: 'b'.repeat(53) },
    { name: 'a 253-character name', ownerName: 'c'.repeat(253) },
    { name: 'a long name with a dash at the cut', ownerName: `${'d'.repeat(51)}-${'e'.repeat(30)}` },
    { name: 'a long name with dashes across the cut', ownerName: `${'f'.repeat(48)}--------${'g'.repeat(30)}` },
    { name: 'a long name with many dashes', ownerName: `x${'-'.repeat(100)}y` },
    { name: 'a long name of segments', ownerName: 'team-platform-networking-production-eu-west-1-vpc-peering-stack' },
  ];
  for (const { name, ownerName } of owners) {
    it(`gives a DNS label of at most 63 characters for ${name}`, () => {
      const n = executionNameFor(ownerName, UID, 'g1');
      assert.ok(n.length <= 63, `${n} has ${n.length} characters`);
      assert.match(n, DNS_LABEL);
      assert.equal(executionNameFor(ownerName, UID, 'g1'), n, 'deterministic');
      assert.ok(
        n.startsWith(ownerName.slice(0, Math.min(ownerName.length, 10)).replace(/-+$/, '')),
        `${n} keeps the owner's name as prefix`,
      );
    });
  }

  it('keeps a short owner name whole, followed by a 10-character hash', () => {
    const n = executionNameFor('web', UID, 'g1');
    assert.match(n, /^web-[a-z2-7]{10}$/);
  });

  it('uses exactly 63 characters when the owner name must be cut', () => {
    assert.equal(executionNameFor('a'.repeat(100), UID, 'g1').length, 63);
  });

  it('drops dots at the cut, giving a valid label value for dotted names', () => {
    const n = executionNameFor(`${'a'.repeat(51)}.${'b'.repeat(20)}`, UID, 'g1');
    assert.match(n, LABEL_VALUE);
    assert.match(n, /^a{51}-[a-z2-7]{10}$/);
  });

  it('gives different names for different triggers of the same owner', () => {
    const triggers = ['g1', 'g2', 'g1/m1', 'g1/m2', 'g1/r2024-01-01T00:00:00Z', 'g1/r2024-01-01T00:00:01Z'];
    const names = triggers.map((t) => executionNameFor('web', UID, t));
    assert.equal(new Set(names).size, triggers.length);
  });

  it('gives different names for owners of the same name but different UIDs', () => {
    assert.notEqual(executionNameFor('web', UID, 'g1'), executionNameFor('web', 'another-uid', 'g1'));
  });

  it('gives different names for long owner names sharing a prefix (the hash includes the UID)', () => {
    const prefix = 'p'.repeat(60);
    assert.notEqual(executionNameFor(`${prefix}-one`, 'uid-1', 'g1'), executionNameFor(`${prefix}-two`, 'uid-2', 'g1'));
  });
});

describe('jobNameFor and labelValueFor', () => {
  const kept = ['web-abcdefghij', 'a', 'x'.repeat(63)];
  for (const name of kept) {
    it(`keeps the ${name.length}-character name ${name.slice(0, 20)} as it is`, () => {
      assert.equal(jobNameFor(name), name);
      assert.equal(labelValueFor(name), name);
    });
  }

  const long: { name: string; executionName: string }[] = [
    { name: '64 characters', executionName: 'y'.repeat(64) },
    { name: '253 characters', executionName: 'z'.repeat(253) },
    { name: 'a dash at the cut', executionName: `${'q'.repeat(53)}-${'r'.repeat(40)}` },
    { name: 'dashes across the cut', executionName: `${'s'.repeat(50)}----------${'t'.repeat(40)}` },
  ];
  for (const { name, executionName } of long) {
    it(`shortens a name of ${name} to a DNS label of at most 63 characters, deterministically`, () => {
      const j = jobNameFor(executionName);
      assert.ok(j.length <= 63, `${j} has ${j.length} characters`);
      assert.match(j, DNS_LABEL);
      assert.match(j, /-[a-z2-7]{8}$/, 'ends with an 8-character hash');
      assert.equal(jobNameFor(executionName), j);
      assert.equal(labelValueFor(executionName), j);
    });
  }

  it('gives different names to long names that share their first 63 characters', () => {
    const prefix = 'w'.repeat(70);
    assert.notEqual(jobNameFor(`${prefix}-a`), jobNameFor(`${prefix}-b`));
  });
});
