import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpMethod, RequestContext, type KubeConfig } from '@kubernetes/client-node';
import { KubeConfigError, loadKubeConfig } from './kube-config.js';

/** A temporary directory with a home (no .kube) and a ServiceAccount directory, removed after the test. */
function sandbox(t: TestContext): { home: string; sa: string } {
  const dir = mkdtempSync(join(tmpdir(), 'kube-config-spec-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const home = join(dir, 'home');
  const sa = join(dir, 'serviceaccount');
  mkdirSync(home);
  mkdirSync(sa);
  return { home, sa };
}

function kubeconfigYaml(server: string, token: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters: [{ name: c, cluster: { server: "' + server + '" } }]',
    'users: [{ name: u, user: { token: ' + token + ' } }]',
    'contexts: [{ name: x, context: { cluster: c, user: u } }]',
    'current-context: x',
  ].join('\n');
}

async function bearer(kc: KubeConfig): Promise<string | undefined> {
  const ctx = new RequestContext('https://10.96.0.1/api', HttpMethod.GET);
  await kc.applySecurityAuthentication(ctx);
  return ctx.getHeaders()['Authorization'];
}

const inCluster = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' };

describe('loadKubeConfig', () => {
  it('uses the in-cluster ServiceAccount when there is no KUBECONFIG and no ~/.kube/config', (t) => {
    const { home, sa } = sandbox(t);
    writeFileSync(join(sa, 'token'), 'token-1');
    const kc = loadKubeConfig({ env: inCluster, homeDir: home, serviceAccountDir: sa });
    const cluster = kc.getCurrentCluster();
    assert.equal(cluster?.server, 'https://10.96.0.1:443');
    assert.equal(cluster?.caFile, join(sa, 'ca.crt'));
    assert.equal(cluster?.skipTLSVerify, false);
    assert.deepEqual(kc.getCurrentUser()?.authProvider, { name: 'tokenFile', config: { tokenFile: join(sa, 'token') } });
  });

  it('brackets an IPv6 service host', (t) => {
    const { home, sa } = sandbox(t);
    writeFileSync(join(sa, 'token'), 'token-1');
    const kc = loadKubeConfig({
      env: { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '6443' },
      homeDir: home,
      serviceAccountDir: sa,
    });
    assert.equal(kc.getCurrentCluster()?.server, 'https://[fd00::1]:6443');
  });

  it('re-reads a rotated ServiceAccount token within a minute', async (t) => {
    const { home, sa } = sandbox(t);
    t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
    writeFileSync(join(sa, 'token'), 'token-1');
    // Read (not parsed) when the request options are built; no connection is made here.
    writeFileSync(join(sa, 'ca.crt'), 'not a certificate');
    const kc = loadKubeConfig({ env: inCluster, homeDir: home, serviceAccountDir: sa });
    assert.equal(await bearer(kc), 'Bearer token-1');
    writeFileSync(join(sa, 'token'), 'token-2');
    t.mock.timers.tick(30_000);
    assert.equal(await bearer(kc), 'Bearer token-1', 'the token is cached for a while');
    t.mock.timers.tick(31_000);
    assert.equal(await bearer(kc), 'Bearer token-2');
  });

  it('prefers KUBECONFIG, then ~/.kube/config, over the ServiceAccount', (t) => {
    const { home, sa } = sandbox(t);
    writeFileSync(join(sa, 'token'), 'sa-token');
    mkdirSync(join(home, '.kube'));
    writeFileSync(join(home, '.kube', 'config'), kubeconfigYaml('https://home.example:6443', 'home-token'));
    const explicit = join(home, 'explicit.yaml');
    writeFileSync(explicit, kubeconfigYaml('https://explicit.example:6443', 'explicit-token'));

    const fromEnv = loadKubeConfig({ env: { ...inCluster, KUBECONFIG: explicit }, homeDir: home, serviceAccountDir: sa });
    assert.equal(fromEnv.getCurrentCluster()?.server, 'https://explicit.example:6443');
    const fromHome = loadKubeConfig({ env: inCluster, homeDir: home, serviceAccountDir: sa });
    assert.equal(fromHome.getCurrentCluster()?.server, 'https://home.example:6443');
  });

  it('fails with a clear error when nothing is configured', (t) => {
    const { home, sa } = sandbox(t);
    assert.throws(
      () => loadKubeConfig({ env: {}, homeDir: home, serviceAccountDir: sa }),
      (err: unknown) => err instanceof KubeConfigError && /no Kubernetes configuration: set KUBECONFIG/.test(err.message),
    );
  });

  it('fails with a clear error for a token without the service address', (t) => {
    const { home, sa } = sandbox(t);
    writeFileSync(join(sa, 'token'), 'token-1');
    assert.throws(
      () => loadKubeConfig({ env: {}, homeDir: home, serviceAccountDir: sa }),
      (err: unknown) => err instanceof KubeConfigError && /KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT/.test(err.message),
    );
  });

  it('names an unreadable KUBECONFIG file', (t) => {
    const { home, sa } = sandbox(t);
    const missing = join(home, 'missing.yaml');
    assert.throws(
      () => loadKubeConfig({ env: { KUBECONFIG: missing }, homeDir: home, serviceAccountDir: sa }),
      (err: unknown) => err instanceof KubeConfigError && err.message.includes(`KUBECONFIG: cannot load ${missing}`),
    );
  });
});
