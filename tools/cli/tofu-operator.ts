// The product's own command line: `npm run tofu-operator -- <command>` (or `bin/tofu-operator`).
// Run by Node 24 (type stripping); tools/start.sh bootstraps node_modules first for `npm start`.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const clusterSh = join(root, 'tools/cluster/cluster.sh');
const localKubeconfig = join(root, '.cluster/kubeconfig');

/** The ServiceAccount whose token `token` prints: may do everything with our kinds, cluster-wide. */
const ADMIN_SA = { namespace: 'tofu-operator-system', name: 'tofu-operator-dashboard-admin' };

interface Command {
  summary: string;
  usage: string;
  help: string;
  run(args: string[]): Promise<number>;
}

class UsageError extends Error {
  override readonly name = 'UsageError';
}

function say(msg: string): void {
  process.stderr.write(`[tofu-operator] ${msg}\n`);
}

/** Runs a command with inherited output; resolves to its exit code. */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env, cwd: root });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

function must(cmd: string, args: string[], env?: NodeJS.ProcessEnv): void {
  const code = run(cmd, args, env);
  if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed with exit code ${code}`);
}

/** kubectl from the cluster build (so the version matches the local cluster), with a kubeconfig. */
function kubectl(kubeconfig: string, args: string[], opts: { capture?: boolean; input?: string } = {}): string {
  const r = spawnSync('bash', [clusterSh, 'kubectl', ...args], {
    cwd: root,
    env: { ...process.env, KUBECONFIG: kubeconfig },
    encoding: 'utf8',
    input: opts.input,
    stdio: [opts.input === undefined ? 'inherit' : 'pipe', opts.capture ? 'pipe' : 'inherit', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')} failed with exit code ${r.status ?? 'none'}`);
  return r.stdout ?? '';
}

function option(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = args[i + 1];
  if (!v || v.startsWith('--')) throw new UsageError(`--${name} needs a value`);
  args.splice(i, 2);
  return v;
}

function clusterRunning(): boolean {
  if (!existsSync(localKubeconfig)) return false;
  const r = spawnSync('bash', [clusterSh, 'status'], { cwd: root, encoding: 'utf8' });
  return /kube-apiserver\s+running/.test(r.stdout ?? '');
}

/** Ensures the sign-in ServiceAccount and its binding exist; prints a token for it. */
function adminToken(kubeconfig: string, duration: string): string {
  const manifest = join(root, 'deploy/local/dashboard-admin.yaml');
  kubectl(kubeconfig, ['apply', '--server-side', '--force-conflicts', '-f', manifest], { capture: true });
  return kubectl(kubeconfig, ['create', 'token', ADMIN_SA.name, '-n', ADMIN_SA.namespace, '--duration', duration], {
    capture: true,
  }).trim();
}

const commands: Record<string, Command> = {
  start: {
    summary: 'run the product: cluster, operator with API, dashboard, samples',
    usage: 'tofu-operator start [--port 8080] [--dashboard-port 3000] [--no-dashboard]',
    help: `Without KUBECONFIG, builds what is missing and starts the local cluster; with KUBECONFIG, uses that
cluster and starts nothing local. Installs the CRDs and the operator's RBAC, builds and starts the
operator (reconcilers, REST API and websocket) and the dashboard, applies samples/, and prints the
dashboard URL with a token to sign in. Ctrl-C stops what it started (the local cluster too, if this
command started it). Running it again is idempotent.`,
    run: start,
  },
  cluster: {
    summary: 'the local cluster: up, down [--purge], status, restart <component>, build, kubectl ...',
    usage: 'tofu-operator cluster <up|down|status|restart|build|deps|kubectl> [args]',
    help: `The local Kubernetes cluster this project builds from source (cached in ~/.cache/tofu-operator) and
runs from .cluster/ of the checkout: etcd, kube-apiserver, controller-manager, scheduler, kube-proxy,
containerd + kubelet, and a git daemon serving samples/modules. See docs/local-cluster.md.`,
    run: (args) => {
      if (args.length === 0) throw new UsageError('cluster needs a subcommand: up, down, status, restart, build, deps, kubectl');
      return Promise.resolve(run('bash', [clusterSh, ...args]));
    },
  },
  'serve-git': {
    summary: 'serve a directory as a git repository runner pods can clone',
    usage: 'tofu-operator serve-git <dir> [name]',
    help: `Commits the directory's files into a bare repository served by the local cluster's git daemon and
prints its URL (git://10.88.0.1/<name>), for a TofuModule's spec.source.repository.`,
    run: (args) => {
      if (args.length < 1) throw new UsageError('serve-git needs a directory');
      return Promise.resolve(run('bash', [clusterSh, 'serve-git', ...args]));
    },
  },
  token: {
    summary: 'print a token to sign in to the dashboard (or to call the API)',
    usage: 'tofu-operator token [--duration 24h]',
    help: `Creates (idempotently) the ServiceAccount ${ADMIN_SA.namespace}/${ADMIN_SA.name}, bound to a ClusterRole
that may do everything with modules, stacks and executions (deploy/local/dashboard-admin.yaml), and
prints a token for it (TokenRequest; expires after --duration). Uses KUBECONFIG, else the local
cluster. For least privilege, bind your own ServiceAccount and use \`kubectl create token\`.`,
    run: (args) => {
      const duration = option(args, 'duration', '24h');
      process.stdout.write(`${adminToken(process.env['KUBECONFIG'] || localKubeconfig, duration)}\n`);
      return Promise.resolve(0);
    },
  },
};

async function start(args: string[]): Promise<number> {
  const port = option(args, 'port', '8080');
  const dashboardPort = option(args, 'dashboard-port', '3000');
  const withDashboard = !args.includes('--no-dashboard');
  let kubeconfig = process.env['KUBECONFIG'];
  let startedCluster = false;
  if (!kubeconfig) {
    startedCluster = !clusterRunning();
    must('bash', [clusterSh, 'up']);
    kubeconfig = localKubeconfig;
  }
  const env: NodeJS.ProcessEnv = { ...process.env, KUBECONFIG: kubeconfig, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' };
  say('building the operator' + (withDashboard ? ' and the dashboard' : ''));
  must('npx', ['nx', 'run-many', '-t', 'build', '-p', withDashboard ? 'operator,dashboard' : 'operator', '--output-style=static'], env);
  // The product owns its CRDs and RBAC: take over fields another manager (an older install, a test) set.
  kubectl(kubeconfig, ['apply', '--server-side', '--force-conflicts', '-f', 'crds/']);
  kubectl(kubeconfig, ['wait', '--for', 'condition=Established', '--timeout=60s', '-f', 'crds/']);
  kubectl(kubeconfig, ['apply', '--server-side', '--force-conflicts', '-f', 'deploy/rbac/operator.yaml']);
  kubectl(kubeconfig, ['apply', '-f', 'samples/']);
  const token = adminToken(kubeconfig, '24h');

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
  const spawnChild = (name: string, script: string, childEnv: NodeJS.ProcessEnv): ChildProcess => {
    const c = spawn(process.execPath, [script], { cwd: root, env: childEnv, stdio: 'inherit' });
    c.on('exit', (code, signal) => {
      if (!stopping) {
        say(`${name} exited (${signal ?? code}); stopping`);
        void stop(code ?? 1).then((c2) => process.exit(c2));
      }
    });
    children.push(c);
    return c;
  };
  spawnChild('operator', join(root, 'apps/operator/dist/main.js'), {
    ...env,
    PORT: port,
    TOFU_OPERATOR_LEASE_NAMESPACE: env['TOFU_OPERATOR_LEASE_NAMESPACE'] || 'tofu-operator-system',
  });
  if (withDashboard) {
    spawnChild('dashboard', join(root, 'apps/dashboard/server.ts'), {
      ...env,
      NODE_ENV: 'production',
      PORT: dashboardPort,
      TOFU_OPERATOR_API_URL: `http://127.0.0.1:${port}`,
    });
  }
  await waitHttp(`http://127.0.0.1:${port}/readyz`, 120_000);
  if (withDashboard) await waitHttp(`http://127.0.0.1:${dashboardPort}/`, 120_000);
  const server = kubectl(kubeconfig, ['config', 'view', '--minify', '-o', 'jsonpath={.clusters[0].cluster.server}'], { capture: true });
  process.stdout.write(
    [
      '',
      `tofu-operator is running on ${server}`,
      withDashboard ? `  dashboard:  http://localhost:${dashboardPort}` : '',
      `  API:        http://localhost:${port}/api/v1 (OpenAPI: http://localhost:${port}/api/docs)`,
      `  sign in with this token (24 h; \`npm run tofu-operator -- token\` prints a new one):`,
      '',
      token,
      '',
      `  kubectl:    KUBECONFIG=${kubeconfig} kubectl get tofumodules,tofustacks,tofuexecutions`,
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

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  return [
    'usage: tofu-operator <command> [options]    (npm run tofu-operator -- <command>)',
    '',
    'commands:',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    `  ${'help'.padEnd(width)}  help on a command (also: <command> --help)`,
    '',
    `version ${(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version}`,
  ].join('\n');
}

function commandHelp(name: string, c: Command): string {
  return `usage: ${c.usage}\n\n${c.summary}.\n\n${c.help}\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h') {
    process.stdout.write(`${usage()}\n`);
    return name ? 0 : 2;
  }
  if (name === 'help') {
    const c = args[0] ? commands[args[0]] : undefined;
    if (args[0] && !c) throw new UsageError(`unknown command "${args[0]}"`);
    process.stdout.write(c && args[0] ? commandHelp(args[0], c) : `${usage()}\n`);
    return 0;
  }
  const c = commands[name];
  if (!c) throw new UsageError(`unknown command "${name}"`);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(commandHelp(name, c));
    return 0;
  }
  return c.run(args);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`tofu-operator: ${err.message}\n\n${usage()}\n`);
      process.exit(2);
    }
    process.stderr.write(`tofu-operator: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
