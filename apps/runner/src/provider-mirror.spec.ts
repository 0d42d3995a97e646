import assert from 'node:assert/strict';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { FailureCategory } from '@tofu-operator/api-types';
import { RunnerError } from './errors.js';
import { joinPem, LOCK_FILE, pluginCacheEnv, providerMirrorCliConfig, providerMirrorEnv } from './provider-mirror.js';
import { tempDir } from './testing/fixtures.js';

const SYSTEM = '-----BEGIN CERTIFICATE-----\nsystem\n-----END CERTIFICATE-----';
/** A temporary directory removed after the test. */
async function scratch(t: TestContext): Promise<string> {
  const { dir, cleanup } = await tempDir('provider-mirror-');
  t.after(cleanup);
  return dir;
}

const MIRROR_CA = '-----BEGIN CERTIFICATE-----\nmirror\n-----END CERTIFICATE-----\n';

describe('providerMirrorCliConfig', () => {
  it('installs every provider from the network mirror, the URL quoted for HCL', () => {
    assert.equal(
      providerMirrorCliConfig('https://10.88.0.1:8443/'),
      'provider_installation {\n  network_mirror {\n    url = "https://10.88.0.1:8443/"\n  }\n}\n',
    );
    assert.match(providerMirrorCliConfig('https://m.example/a"b${x}/'), /url = "https:\/\/m\.example\/a\\"b\$\$\{x\}\/"/);
  });
});

describe('joinPem', () => {
  it('puts one newline between certificates and drops empty parts', () => {
    assert.equal(joinPem(['a\n\n', '', ' b']), 'a\nb\n');
  });
});

describe('providerMirrorEnv', () => {
  it('leaves the environment alone without a mirror', async () => {
    const env = { PATH: '/usr/bin' };
    assert.equal(await providerMirrorEnv(env, undefined, { tmp: '/nonexistent' }), env);
  });

  it('writes the CLI configuration in tmp and points TF_CLI_CONFIG_FILE at it, replacing the template’s', async (t) => {
    const tmp = await scratch(t);
    const env = await providerMirrorEnv({ TF_CLI_CONFIG_FILE: '/home/x/.tofurc', PATH: '/bin' }, { url: 'https://m.example/' }, { tmp });
    assert.equal(env.TF_CLI_CONFIG_FILE, path.join(tmp, 'provider-mirror.tfrc'));
    assert.equal(await readFile(env.TF_CLI_CONFIG_FILE, 'utf8'), providerMirrorCliConfig('https://m.example/'));
    assert.equal((await stat(env.TF_CLI_CONFIG_FILE)).mode & 0o777, 0o600);
    assert.equal(env.SSL_CERT_FILE, undefined, 'no CA file, no bundle: the system roots stay in force');
    assert.equal(env.PATH, '/bin');
  });

  it('bundles the first readable system roots with the mirror’s CA and sets SSL_CERT_FILE', async (t) => {
    const tmp = await scratch(t);
    const system = path.join(tmp, 'system.pem');
    const caFile = path.join(tmp, 'ca.crt');
    await writeFile(system, SYSTEM);
    await writeFile(caFile, MIRROR_CA);
    const env = await providerMirrorEnv(
      {},
      { url: 'https://m.example/', caFile },
      { tmp, systemBundles: [path.join(tmp, 'missing.pem'), system] },
    );
    assert.equal(env.SSL_CERT_FILE, path.join(tmp, 'provider-mirror-ca.pem'));
    assert.equal(await readFile(env.SSL_CERT_FILE, 'utf8'), `${SYSTEM}\n${MIRROR_CA}`);
  });

  it('starts from SSL_CERT_FILE when the template set one', async (t) => {
    const tmp = await scratch(t);
    const own = path.join(tmp, 'own.pem');
    const caFile = path.join(tmp, 'ca.crt');
    await writeFile(own, 'OWN');
    await writeFile(caFile, MIRROR_CA);
    const env = await providerMirrorEnv({ SSL_CERT_FILE: own }, { url: 'https://m.example/', caFile }, { tmp, systemBundles: [] });
    assert.equal(await readFile(String(env.SSL_CERT_FILE), 'utf8'), `OWN\n${MIRROR_CA}`);
  });

  it('still trusts the mirror’s CA when the image has no system roots', async (t) => {
    const tmp = await scratch(t);
    const caFile = path.join(tmp, 'ca.crt');
    await writeFile(caFile, MIRROR_CA);
    const env = await providerMirrorEnv({}, { url: 'https://m.example/', caFile }, { tmp, systemBundles: [path.join(tmp, 'none')] });
    assert.equal(await readFile(String(env.SSL_CERT_FILE), 'utf8'), MIRROR_CA);
  });

  it('fails as invalid input naming the CA file when it is missing or holds no certificate', async (t) => {
    const tmp = await scratch(t);
    const missing = path.join(tmp, 'missing.crt');
    await assert.rejects(
      providerMirrorEnv({}, { url: 'https://m.example/', caFile: missing }, { tmp }),
      (err: unknown) => err instanceof RunnerError && err.category === FailureCategory.InvalidInput && err.message.includes(missing),
    );
    const junk = path.join(tmp, 'junk.crt');
    await writeFile(junk, 'not a certificate');
    await assert.rejects(
      providerMirrorEnv({}, { url: 'https://m.example/', caFile: junk }, { tmp }),
      (err: unknown) => err instanceof RunnerError && /holds no PEM certificate/.test(err.message) && err.message.includes(junk),
    );
  });
});

describe('pluginCacheEnv', () => {
  it('leaves the environment alone without a cache', async () => {
    const env = { PATH: '/usr/bin', TF_PLUGIN_CACHE_DIR: '/home/x/cache' };
    assert.equal(await pluginCacheEnv(env, undefined, '/nonexistent'), env);
  });

  it('points tofu at the cache, and lets it use cached providers when the module commits no lock file', async (t) => {
    const dir = await scratch(t);
    const env = await pluginCacheEnv({ PATH: '/bin', TF_PLUGIN_CACHE_DIR: '/elsewhere' }, '/var/cache/tofu-plugins', dir);
    assert.deepEqual(env, {
      PATH: '/bin',
      TF_PLUGIN_CACHE_DIR: '/var/cache/tofu-plugins',
      TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE: 'true',
    });
  });

  it('keeps the lock file in charge of checksums when the module commits one', async (t) => {
    const dir = await scratch(t);
    await writeFile(path.join(dir, LOCK_FILE), '# locks\n');
    const env = await pluginCacheEnv({ TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE: '1' }, '/var/cache/tofu-plugins', dir);
    assert.deepEqual(env, { TF_PLUGIN_CACHE_DIR: '/var/cache/tofu-plugins' });
  });
});
