// The product's command line as a user runs it: bin/tofu-operator with --help on every command,
// `token` for a real ServiceAccount, and `start` against the running cluster (KUBECONFIG set, so
// nothing local is started) up to a ready operator and dashboard, then Ctrl-C.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TofuModule } from '@tofu-operator/api-types';
import { startCli } from './cli-run.js';
import { admin, installCrdsAndRbac, kubeconfigPath, repoRoot, TofuModules, waitFor } from './harness.js';

const cli = join(repoRoot, 'bin/tofu-operator');

function runCli(args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(cli, args, { encoding: 'utf8', env: { ...process.env, KUBECONFIG: kubeconfigPath }, timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('command line', () => {
  let start: ChildProcess | undefined;

  after(() => {
    if (start && start.exitCode === null) start.kill('SIGKILL');
  });

  it('explains itself: --help on the tool and on every command, exit 2 on an unknown command', () => {
    const help = runCli(['--help']);
    assert.equal(help.code, 0);
    for (const cmd of ['start', 'cluster', 'serve-git', 'token']) {
      assert.match(help.out, new RegExp(`^  ${cmd} `, 'm'));
      const one = runCli([cmd, '--help']);
      assert.equal(one.code, 0, `${cmd} --help`);
      assert.match(one.out, new RegExp(`^usage: tofu-operator ${cmd}`));
    }
    const unknown = runCli(['deploy-everything']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /unknown command "deploy-everything"/);
    // Typos and stray arguments fail before anything runs, naming the fix.
    const typos: [string[], RegExp][] = [
      [['strat'], /unknown command "strat" \(did you mean start\?\)/],
      [['start', '--prot', '9090'], /unknown option --prot for start \(did you mean --port\?\)/],
      [['start', '--port', 'http'], /--port must be a port number \(1-65535\), not "http"/],
      [['token', '--duration'], /token: .*--duration/],
      [['token', '24h'], /token: unexpected argument "24h"/],
      [['serve-git'], /serve-git: missing argument \(it takes <dir> \[name\]\)/],
    ];
    for (const [args, message] of typos) {
      const r = runCli(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.err, message);
    }
  });

  it('start: CRDs, RBAC, samples, operator and dashboard up, a working sign-in token, the quickstart works, Ctrl-C stops what it started', async () => {
    await installCrdsAndRbac();
    // The default ports, as README.md and docs/quickstart.md promise them.
    const [port, dashboardPort] = [8080, 3000];
    const run = startCli(cli, ['start'], { env: { ...process.env, KUBECONFIG: kubeconfigPath } });
    start = run.child;
    await run.waitForOutput('Ctrl-C stops what this command started', 300_000);
    const out = run.output();
    assert.match(out, new RegExp(`dashboard: +http://localhost:${dashboardPort}`));
    const token = /sign in with this token[^\n]*\n+(\S+)\n/.exec(out)?.[1];
    assert.ok(token && token.split('.').length === 3, 'a JWT to sign in with');

    assert.equal((await fetch(`http://127.0.0.1:${port}/readyz`)).status, 200);
    const namespaces = await fetch(`http://127.0.0.1:${port}/api/v1/namespaces`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(namespaces.status, 200);
    assert.ok(((await namespaces.json()) as { items: { name: string }[] }).items.some((n) => n.name === 'default'));
    // Not signed in: the dashboard sends the browser to its sign-in page.
    const home = await fetch(`http://127.0.0.1:${dashboardPort}/`, { redirect: 'manual' });
    assert.equal(home.status, 307);
    assert.match(home.headers.get('location') ?? '', /^(http:\/\/[^/]+)?\/sign-in$/);
    const signInPage = await fetch(`http://127.0.0.1:${dashboardPort}/sign-in`);
    assert.equal(signInPage.status, 200);
    await admin.get<TofuModule>(TofuModules, 'default', 'hello');

    // docs/quickstart.md's terminal block, run as written (bash, from the repository root), found
    // by its runnable marker (tools/check-docs.ts fails when no test names a marked block).
    const doc = readFileSync(join(repoRoot, 'docs/quickstart.md'), 'utf8');
    const block = /<!-- runnable: quickstart-terminal -->[\s\S]*?```sh\n([\s\S]*?)```/.exec(doc)?.[1];
    assert.ok(block, 'the quickstart has its terminal block');
    const quick = spawnSync('bash', ['-euo', 'pipefail', '-c', block], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: process.env,
      timeout: 120_000,
    });
    assert.equal(quick.status, 0, `the quickstart block failed:\n${quick.stdout}\n${quick.stderr}`);
    assert.match(quick.stdout, /tofustack\.tofu-operator\.io\/hello-dev/);
    assert.match(quick.stdout, /"kind":"TofuStack"/);
    assert.match(quick.stdout, /"execution":\{|"running":\{/, 'the plan answer: a new execution or the run in progress');
    assert.match(quick.stdout, /tofustack\.tofu-operator\.io\/hello-dev annotated/);

    start.kill('SIGINT');
    assert.equal(await run.exited, 0);
    await waitFor(
      'the operator port to close',
      async () =>
        !(await fetch(`http://127.0.0.1:${port}/healthz`).then(
          () => true,
          () => false,
        )),
    );
    // Idempotent: the token command (same ServiceAccount) works again.
    const again = runCli(['token', '--duration', '10m']);
    assert.equal(again.code, 0, again.err);
    assert.equal(again.out.trim().split('.').length, 3);
  });
});
