import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { refusedAddress } from './address-guard.js';
import { checkedAddress, NotificationRefusedError, webhookUrl } from './webhook-post.js';

describe('refusedAddress', () => {
  const table: [string, string | undefined, string | undefined][] = [
    // address, refusal without loopback allowed, with it
    ['203.0.113.7', undefined, undefined],
    ['10.96.0.1', undefined, undefined],
    ['169.254.169.254', 'cloud-metadata', 'cloud-metadata'],
    ['169.254.1.2', 'link-local', 'link-local'],
    ['100.100.100.200', 'cloud-metadata', 'cloud-metadata'],
    ['127.0.0.1', 'loopback', undefined],
    ['127.8.9.10', 'loopback', undefined],
    ['0.0.0.0', 'unspecified', undefined],
    ['::1', 'loopback', undefined],
    ['::', 'unspecified', undefined],
    ['fe80::1', 'link-local', 'link-local'],
    ['febf:ffff::1', 'link-local', 'link-local'],
    ['fec0::1', undefined, undefined],
    ['fd00:ec2::254', 'cloud-metadata', 'cloud-metadata'],
    ['fd00:ec2:0:0:0:0:0:254', 'cloud-metadata', 'cloud-metadata'],
    ['fd00:ec2::253', undefined, undefined],
    ['::ffff:169.254.169.254', 'cloud-metadata', 'cloud-metadata'],
    ['::ffff:a9fe:a9fe', 'cloud-metadata', 'cloud-metadata'],
    ['::ffff:127.0.0.1', 'loopback', undefined],
    ['64:ff9b::169.254.169.254', 'cloud-metadata', 'cloud-metadata'],
    ['2001:db8::1', undefined, undefined],
    ['fe80::1%eth0', 'link-local', 'link-local'],
    ['not-an-ip', 'unspecified', 'unspecified'],
  ];
  for (const [address, strict, loose] of table)
    it(`${address}: ${strict ?? 'allowed'}, with loopback allowed ${loose ?? 'allowed'}`, () => {
      assert.equal(refusedAddress(address, false), strict);
      assert.equal(refusedAddress(address, true), loose);
    });
});

describe('checkedAddress', () => {
  const resolver = (addresses: string[]) =>
    (() => Promise.resolve(addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })))) as never;
  it('takes a literal address without DNS, brackets too', async () => {
    assert.deepEqual(await checkedAddress('203.0.113.7', false, resolver([])), { address: '203.0.113.7', family: 4 });
    assert.deepEqual(await checkedAddress('[2001:db8::1]', false, resolver([])), { address: '2001:db8::1', family: 6 });
  });
  it('refuses a name when any of its addresses is refused', async () => {
    await assert.rejects(checkedAddress('hooks.example', false, resolver(['203.0.113.7', '169.254.169.254'])), (err: Error) => {
      assert.ok(err instanceof NotificationRefusedError);
      assert.match(err.message, /hooks\.example resolves to a refused cloud-metadata address \(169\.254\.169\.254\)/);
      return true;
    });
  });
  it('connects to the first address of an allowed name', async () => {
    assert.deepEqual(await checkedAddress('hooks.example', false, resolver(['203.0.113.9'])), { address: '203.0.113.9', family: 4 });
  });
});

describe('webhookUrl', () => {
  it('takes http and https', () => {
    assert.equal(webhookUrl(' https://hooks.example/t/abc \n').host, 'hooks.example');
    assert.equal(webhookUrl('http://10.0.0.1:8080/x').port, '8080');
  });
  it('refuses other schemes and non-URLs without quoting them', () => {
    for (const text of ['file:///etc/passwd?token=s3cr3t', 'gopher://h/s3cr3t', 's3cr3t not a url']) {
      assert.throws(
        () => webhookUrl(text),
        (err: Error) => err instanceof NotificationRefusedError && !err.message.includes('s3cr3t'),
      );
    }
  });
});
