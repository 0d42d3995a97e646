// The API documentation of the real operator process: the OpenAPI document generated from the routes
// the running application registered, and Swagger UI served from the process itself, without a token.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { deleteNamespace, installCrdsAndRbac, newNamespace, operatorKubeconfig, OperatorProcess, waitFor } from './harness.js';

/** A free TCP port on localhost (bound, read, released), for the operator's PORT. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

interface Document {
  openapi: string;
  paths: Record<string, Record<string, { security: Record<string, string[]>[]; responses: Record<string, unknown> }>>;
  components: { schemas: Record<string, unknown> };
}

describe('API docs /api/docs', () => {
  let operator: OperatorProcess;
  let base: string;
  let ns: string;

  before(async () => {
    await installCrdsAndRbac();
    ns = await newNamespace('docs');
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    // One (empty) watched namespace keeps the caches small; the docs do not depend on them.
    operator = new OperatorProcess(await operatorKubeconfig(), { PORT: String(port), TOFU_OPERATOR_WATCH_NAMESPACE: ns });
    operator.start();
    await waitFor('the API is ready', async () => (await fetch(`${base}/readyz`).catch(() => undefined))?.ok === true);
  });

  after(async () => {
    await operator?.stop();
    if (ns) await deleteNamespace(ns);
  });

  it('serves the OpenAPI document without a token, listing the routes of the running application', async () => {
    const res = await fetch(`${base}/api/docs/openapi.json`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const doc = (await res.json()) as Document;
    assert.equal(doc.openapi, '3.1.0');
    const modules = doc.paths['/api/v1/namespaces/{namespace}/modules'];
    assert.ok(modules?.['get'] && modules['post'], Object.keys(doc.paths).join(', '));
    assert.ok(doc.paths['/api/v1/namespaces/{namespace}/modules/{name}/plan']?.['post']);
    assert.ok(doc.paths['/api/v1/namespaces/{namespace}/executions/{name}/logs']?.['get']);
    for (const [path, item] of Object.entries(doc.paths).filter(([p]) => p.startsWith('/api/v1/')))
      for (const [method, op] of Object.entries(item)) {
        assert.deepEqual(op.security, [{ bearerToken: [] }], `${method} ${path}`);
        assert.ok(op.responses['401'], `${method} ${path}`);
      }
    assert.ok(doc.components.schemas['TofuModule'] && doc.components.schemas['ErrorBody']);
  });

  it('serves the page and Swagger UI from the process itself', async () => {
    const page = await fetch(`${base}/api/docs`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    const html = await page.text();
    assert.ok(html.includes('/api/docs/openapi.json'));
    assert.ok(html.includes('/api/v1/namespaces/{namespace}/modules'), 'the page lists the operations without JavaScript');
    for (const [file, type] of [
      ['swagger-ui-bundle.js', /^text\/javascript/],
      ['swagger-ui.css', /^text\/css/],
      ['swagger-initializer.js', /^text\/javascript/],
    ] as const) {
      assert.ok(html.includes(`/api/docs/${file}`), file);
      const res = await fetch(`${base}/api/docs/${file}`);
      assert.equal(res.status, 200, file);
      assert.match(res.headers.get('content-type') ?? '', type, file);
      assert.ok((await res.arrayBuffer()).byteLength > 0, file);
    }
  });

  it('serves no other file', async () => {
    for (const path of [
      '/api/docs/index.html',
      '/api/docs/package.json',
      '/api/docs/..%2Fpackage.json',
      '/api/docs/%2E%2E%2F%2E%2E%2Fpackage.json',
    ]) {
      const res = await fetch(base + path);
      assert.equal(res.status, 404, path);
      const body = (await res.json()) as { reason: string };
      assert.equal(body.reason, 'NotFound', path);
    }
  });
});
