// The development setting TOFU_OPERATOR_INSECURE_NO_AUTH: no tokens, but only on a loopback address,
// and said loudly.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import {
  freePort,
  installCrdsAndRbac,
  kubeconfigPath,
  newNamespace,
  deleteNamespace,
  OperatorProcess,
  repoRoot,
  waitFor,
} from './harness.js';

describe('development mode without authentication', () => {
  let operator: OperatorProcess | undefined;
  let ns: string | undefined;

  after(async () => {
    await operator?.stop();
    if (ns) await deleteNamespace(ns);
  });

  it('refuses to start unless bound to a loopback address, naming the variables', () => {
    const r = spawnSync(process.execPath, [join(repoRoot, 'apps/operator/dist/main.js')], {
      env: {
        PATH: process.env['PATH'] ?? '',
        KUBECONFIG: kubeconfigPath,
        TOFU_OPERATOR_INSECURE_NO_AUTH: 'true',
        HOST: '0.0.0.0',
        PORT: '0',
      },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(r.status, 2);
    assert.match(r.stdout + r.stderr, /TOFU_OPERATOR_INSECURE_NO_AUTH=true is allowed only with HOST set to a loopback address/);
  });

  it('on 127.0.0.1 serves the API without a token and warns in its log', async () => {
    await installCrdsAndRbac();
    ns = await newNamespace('dev-mode');
    const port = await freePort();
    operator = new OperatorProcess(kubeconfigPath, {
      PORT: String(port),
      HOST: '127.0.0.1',
      TOFU_OPERATOR_INSECURE_NO_AUTH: 'true',
      TOFU_OPERATOR_ROLE: 'api',
      TOFU_OPERATOR_WATCH_NAMESPACE: ns,
    });
    operator.start();
    const base = `http://127.0.0.1:${port}`;
    await waitFor('the API is ready', async () => (await fetch(`${base}/readyz`).catch(() => undefined))?.ok === true, 60_000);
    const list = await fetch(`${base}/api/v1/namespaces/${ns}/modules`);
    assert.equal(list.status, 200);
    assert.match(operator.log(), /WITHOUT authentication or authorization/);
  });
});
