import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseProviderMirror } from './provider-mirror-config.js';

const names = { url: 'URL_VAR', ca: 'CA_VAR' };
const parse = (url?: string, ca?: string) => parseProviderMirror(url, ca, names, (m) => new Error(m));

describe('parseProviderMirror', () => {
  it('is off without a URL', () => {
    assert.equal(parse(undefined, undefined), undefined);
    assert.equal(parse('', ''), undefined);
  });

  it('reads the URL (ending in a slash) and the CA ConfigMap key', () => {
    assert.deepEqual(parse('https://10.88.0.1:8443'), { url: 'https://10.88.0.1:8443/' });
    assert.deepEqual(parse('https://m.example/providers', 'kube-root-ca.crt/ca.crt'), {
      url: 'https://m.example/providers/',
      caConfigMap: { name: 'kube-root-ca.crt', key: 'ca.crt' },
    });
  });

  for (const [url, ca, pattern] of [
    ['http://m.example/', undefined, /URL_VAR must be an https:\/\/ URL/],
    ['not a url', undefined, /URL_VAR must be a URL/],
    ['https://u:p@m.example/', undefined, /URL_VAR must not carry credentials/],
    ['https://m.example/?x=1', undefined, /URL_VAR must have no query/],
    [undefined, 'kube-root-ca.crt/ca.crt', /CA_VAR is "kube-root-ca.crt\/ca.crt" but URL_VAR is not set/],
    ['https://m.example/', 'ca.crt', /CA_VAR must be <configmap>\/<key>/],
    ['https://m.example/', 'Bad_Name/ca.crt', /CA_VAR must be <configmap>\/<key>/],
    ['https://m.example/', 'name/', /CA_VAR must be <configmap>\/<key>/],
    ['https://m.example/', 'name/a/b', /CA_VAR must be <configmap>\/<key>/],
  ] as const) {
    it(`refuses ${String(url)} with CA ${String(ca)}, naming the variable`, () => {
      assert.throws(() => parse(url, ca), pattern);
    });
  }
});
