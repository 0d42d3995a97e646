// `tofu-operator start` (what `npm start` runs): the cluster (KUBECONFIG's, or the local one started
// when it is not running), CRDs and RBAC, the operator and the dashboard as child processes, the
// samples, and a sign-in token; Ctrl-C stops what it started.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { adminToken } from './admin-token.ts';
import { parseCommandArgs, portOption, type OptionSpec } from './cli-args.ts';
import { clusterSh, must, root, run, say } from './cli-common.ts';
import { describeTarget, kubeTarget, kubectl } from './kube-target.ts';
import { formatLogLine } from './log-format.ts';

/** The options of `start`. */
export const START_OPTIONS: OptionSpec = { port: { value: true }, 'dashboard-port': { value: true }, 'no-dashboard': { value: false } };

function clusterRunning(): boolean {
  const r = spawnSync('bash', [clusterSh, 'status'], { cwd: root, encoding: 'utf8' });
  return /kube-apiserver\s+running/.test(r.stdout ?? '');
}

/**
 * The output of a child on this terminal: its JSON log lines made readable (log-format.ts). Not on a
 * terminal (a pipe, a file, a test), the child writes straight through and its JSON stays JSON.
 */
function readable(child: ChildProcess, colour: boolean): void {
  for (const [from, to] of [
    [child.stdout, process.stdout],
    [child.stderr, process.stderr],
  ] as const) {
    if (!from) continue;
    createInterface({ input: from, crlfDelay: Infinity }).on('line', (line) => to.write(`${formatLogLine(line, { colour })}\n`));
  }
}

async function waitHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await fetch(url).then(
      (r) => r.status < 500,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}

/** Runs `start`; resolves to the exit code once Ctrl-C (or a child's exit) stopped what it started. */
export async function start(args: string[]): Promise<number> {
  const parsed = parseCommandArgs('start', args, START_OPTIONS, { min: 0, max: 0, names: '' });
  const port = portOption(parsed, 'port', 8080);
  const dashboardPort = portOption(parsed, 'dashboard-port', 3000);
  const withDashboard = parsed.options['no-dashboard'] !== true;
  let startedCluster = false;
  if (!process.env['KUBECONFIG']) {
    startedCluster = !clusterRunning();
    must('bash', [clusterSh, 'up']);
  }
  // With KUBECONFIG: that cluster and context, the user's kubectl; nothing local is built or started.
  const target = kubeTarget(root);
  say(`cluster: ${describeTarget(target)}`);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    KUBECONFIG: target.kubeconfig,
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
    NX_TUI: 'false',
  };
  say('building the operator' + (withDashboard ? ' and the dashboard' : ''));
  must('npx', ['nx', 'run-many', '-t', 'build', '-p', withDashboard ? 'operator,dashboard' : 'operator', '--output-style=static'], env);
  // The product owns its CRDs and RBAC: take over fields another manager (an older install, a test) set.
  const k = (a: string[]) => kubectl(target, a, { cwd: root });
  k(['apply', '--server-side', '--force-conflicts', '-f', 'crds/']);
  k(['wait', '--for', 'condition=Established', '--timeout=60s', '-f', 'crds/']);
  k(['apply', '--server-side', '--force-conflicts', '-f', 'deploy/rbac/operator.yaml']);
  k(['apply', '--server-side', '--force-conflicts', '-f', 'deploy/rbac/approval-policy.yaml']);
  k(['apply', '--server-side', '--force-conflicts', '-f', 'deploy/rbac/reference-policy.yaml']);
  k(['apply', '-f', 'samples/']);
  const token = adminToken(target, '24h');

  const children: ChildProcess[] = [];
  let stopping = false;
  const stop = async (code: number): Promise<number> => {
    if (stopping) return code;
    stopping = true;
    say('stopping what this command started');
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((done) => {
            if (c.exitCode !== null || c.signalCode !== null) return done();
            c.once('exit', () => done());
            c.kill('SIGTERM');
            setTimeout(() => c.kill('SIGKILL'), 20_000).unref();
          }),
      ),
    );
    if (startedCluster) run('bash', [clusterSh, 'down']);
    return code;
  };
  const terminal = process.stdout.isTTY === true;
  const colour = terminal && !process.env['NO_COLOR'];
  const spawnChild = (name: string, script: string, childEnv: NodeJS.ProcessEnv): void => {
    const c = spawn(process.execPath, [script], {
      cwd: root,
      env: childEnv,
      stdio: ['inherit', terminal ? 'pipe' : 'inherit', terminal ? 'pipe' : 'inherit'],
    });
    if (terminal) readable(c, colour);
    c.on('exit', (code, signal) => {
      if (!stopping) {
        say(`${name} exited (${signal ?? code}); stopping`);
        void stop(code ?? 1).then((c2) => process.exit(c2));
      }
    });
    children.push(c);
  };
  spawnChild('operator', join(root, 'apps/operator/dist/main.js'), {
    ...env,
    PORT: String(port),
    TOFU_OPERATOR_LEASE_NAMESPACE: env['TOFU_OPERATOR_LEASE_NAMESPACE'] || 'tofu-operator-system',
    // Runner pods reach this host-run operator's runner API through the node's bridge address.
    TOFU_OPERATOR_RUNNER_API_URL: env['TOFU_OPERATOR_RUNNER_API_URL'] || `http://10.88.0.1:${env['TOFU_OPERATOR_RUNNER_PORT'] || '8082'}`,
    // The local cluster's provider network mirror (tools/cluster/lib/provider-mirror.sh), its
    // certificate signed by the cluster CA that every namespace holds in kube-root-ca.crt.
    ...(process.env['KUBECONFIG']
      ? {}
      : {
          TOFU_OPERATOR_PROVIDER_MIRROR_URL: env['TOFU_OPERATOR_PROVIDER_MIRROR_URL'] || 'https://10.88.0.1:8443/',
          TOFU_OPERATOR_PROVIDER_MIRROR_CA_CONFIGMAP: env['TOFU_OPERATOR_PROVIDER_MIRROR_CA_CONFIGMAP'] || 'kube-root-ca.crt/ca.crt',
        }),
  });
  if (withDashboard) {
    spawnChild('dashboard', join(root, 'apps/dashboard/server.ts'), {
      ...env,
      NODE_ENV: 'production',
      PORT: String(dashboardPort),
      TOFU_OPERATOR_API_URL: `http://127.0.0.1:${port}`,
    });
  }
  await waitHttp(`http://127.0.0.1:${port}/readyz`, 120_000);
  if (withDashboard) await waitHttp(`http://127.0.0.1:${dashboardPort}/`, 120_000);
  const server = kubectl(target, ['config', 'view', '--minify', '-o', 'jsonpath={.clusters[0].cluster.server}'], { capture: true });
  process.stdout.write(
    [
      '',
      `tofu-operator is running on ${server}`,
      ...(withDashboard ? [`  dashboard:  http://localhost:${dashboardPort}`] : []),
      `  API:        http://localhost:${port}/api/v1 (OpenAPI: http://localhost:${port}/api/docs)`,
      `  sign in with this token (24 h; \`npm run tofu-operator -- token\` prints a new one):`,
      '',
      token,
      '',
      `  kubectl:    KUBECONFIG=${target.kubeconfig} kubectl get tofumodules,tofustacks,tofuexecutions`,
      '  Ctrl-C stops what this command started.',
      '',
    ]
      .filter((l, i, all) => l !== '' || all[i - 1] !== '')
      .join('\n') + '\n',
  );
  return new Promise<number>((resolveExit) => {
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void stop(0).then(resolveExit));
  });
}
