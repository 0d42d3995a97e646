// The development setting TOFU_OPERATOR_INSECURE_NO_AUTH: no tokens, but only on a loopback address,
// and said loudly.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
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
  let apiPort = 0;

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
    apiPort = port;
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

  // A web page the developer visits can reach 127.0.0.1 by DNS rebinding (its own name as Host) or by
  // posting a form (its own Origin): both are refused before the route runs, and nothing is created.
  it('refuses a request for another Host or from another Origin, naming the header', async () => {
    assert.ok(operator && ns, 'the operator of the previous test runs');
    const port = apiPort;
    const body = JSON.stringify({ metadata: { name: 'from-a-web-page' }, spec: { source: { repository: 'https://example.com/x.git' } } });
    const send = (headers: Record<string, string>, method = 'POST') =>
      new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port,
            method,
            path: `/api/v1/namespaces/${ns}/modules`,
            headers: { 'content-type': 'application/json', ...headers },
          },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (c: string) => (text += c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
          },
        );
        req.on('error', reject);
        req.end(method === 'POST' ? body : undefined);
      });
    const messageOf = (text: string): string => (JSON.parse(text) as { message: string }).message;
    const rebound = await send({ host: `evil.example:${port}` });
    assert.equal(rebound.status, 403, rebound.text);
    assert.match(messageOf(rebound.text), /the Host header is "evil\.example:\d+"/);
    const formPost = await send({ origin: 'http://evil.example' });
    assert.equal(formPost.status, 403, formPost.text);
    assert.match(messageOf(formPost.text), /the Origin header is "http:\/\/evil\.example"/);
    const reboundRead = await send({ host: 'evil.example' }, 'GET');
    assert.equal(reboundRead.status, 403, reboundRead.text);
    // The same client without the foreign headers is served: the refusals were the headers' doing.
    const list = await send({}, 'GET');
    assert.equal(list.status, 200, list.text);
    assert.doesNotMatch(list.text, /from-a-web-page/);
  });
});
