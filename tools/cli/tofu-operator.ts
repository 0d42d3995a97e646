// The product's own command line: `npm run tofu-operator -- <command>` (or `bin/tofu-operator`).
// Run by Node 24 (type stripping); tools/start.sh bootstraps node_modules first for `npm start`.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN_SA, adminToken } from './admin-token.ts';
import { apiCommands } from './api-commands.ts';
import { closest, parseCommandArgs, stringOption, UsageError } from './cli-args.ts';
import { clusterSh, root, run } from './cli-common.ts';
import { kubeTarget, localKubeconfig } from './kube-target.ts';
import { start } from './start.command.ts';

interface Command {
  summary: string;
  usage: string;
  help: string;
  run(args: string[]): Promise<number>;
}

const commands: Record<string, Command> = {
  start: {
    summary: 'run the product: cluster, operator with API, dashboard, samples',
    usage: 'tofu-operator start [--port 8080] [--dashboard-port 3000] [--no-dashboard]',
    help: `Without KUBECONFIG, builds what is missing and starts the local cluster. With KUBECONFIG, uses that
cluster and its current context through your kubectl (KUBECTL, else the first on PATH, else the one
the local cluster's build cached), and builds or starts nothing local. Installs the CRDs and the
operator's RBAC, builds and starts the operator (reconcilers, REST API and websocket) and the
dashboard, applies samples/, and prints the dashboard URL with a token to sign in. On a terminal
the operator's log is printed one readable line per entry; otherwise as JSON. Ctrl-C stops what it
started (the local cluster too, if this command started it). Running it again is idempotent.`,
    run: start,
  },
  cluster: {
    summary: 'the local cluster: up, down [--purge], status, restart <component>, build, kubectl ...',
    usage: 'tofu-operator cluster <up|down|status|restart|build|deps|kubectl> [args]',
    help: `The local Kubernetes cluster this project builds from source (cached in ~/.cache/tofu-operator) and
runs from .cluster/ of the checkout: etcd, kube-apiserver, controller-manager, scheduler, kube-proxy,
containerd + kubelet, and a git daemon serving samples/modules. See docs/local-cluster.md.
\`cluster kubectl\` always talks to the local cluster, whatever KUBECONFIG says.`,
    run: (args) => {
      if (args.length === 0) throw new UsageError('cluster needs a subcommand: up, down, status, restart, build, deps, kubectl');
      return Promise.resolve(run('bash', [clusterSh, ...args]));
    },
  },
  'serve-git': {
    summary: 'serve a directory as a git repository runner pods can clone',
    usage: 'tofu-operator serve-git <dir> [name]',
    help: `Publishes the directory's current files (without .git and .terraform) as the branch main of a
repository the local cluster's git daemon serves, and prints its URL (git://10.88.0.1/<name>, name
defaulting to the directory's), for a TofuModule's spec.source.repository. Run it again after a
change: main becomes the directory's files as they are now, replacing whatever the name served
before (another directory, or a git checkout's own history; it is force-pushed).`,
    run: (args) => {
      const parsed = parseCommandArgs('serve-git', args, {}, { min: 1, max: 2, names: '<dir> [name]' });
      return Promise.resolve(run('bash', [clusterSh, 'serve-git', ...parsed.positionals]));
    },
  },
  token: {
    summary: 'print a token to sign in to the dashboard (or to call the API)',
    usage: 'tofu-operator token [--duration 24h]',
    help: `Creates (idempotently) the ServiceAccount ${ADMIN_SA.namespace}/${ADMIN_SA.name}, bound to a ClusterRole
that may do everything with modules, stacks and executions (deploy/local/dashboard-admin.yaml), and
prints a token for it (TokenRequest; expires after --duration). On KUBECONFIG's cluster (its current
context, your kubectl) when KUBECONFIG is set, else on the local cluster. For least privilege, bind
your own ServiceAccount and use \`kubectl create token\`.`,
    run: (args) => {
      const parsed = parseCommandArgs('token', args, { duration: { value: true } }, { min: 0, max: 0, names: '' });
      if (!process.env['KUBECONFIG'] && !existsSync(localKubeconfig(root))) {
        throw new UsageError('no KUBECONFIG and no local cluster: set KUBECONFIG, or start the local cluster (npm run cluster -- up)');
      }
      process.stdout.write(`${adminToken(kubeTarget(root), stringOption(parsed, 'duration', '24h'))}\n`);
      return Promise.resolve(0);
    },
  },
  ...apiCommands,
};

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

/** The command being run, for the usage printed with a usage error. */
let current: string | undefined;

function unknownCommand(name: string): UsageError {
  const guess = closest(name, [...Object.keys(commands), 'help']);
  return new UsageError(`unknown command "${name}"${guess ? ` (did you mean ${guess}?)` : ''}`);
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h') {
    process.stdout.write(`${usage()}\n`);
    return name ? 0 : 2;
  }
  if (name === 'help') {
    const c = args[0] ? commands[args[0]] : undefined;
    if (args[0] && !c) throw unknownCommand(args[0]);
    process.stdout.write(c && args[0] ? commandHelp(args[0], c) : `${usage()}\n`);
    return 0;
  }
  const c = commands[name];
  if (!c) throw unknownCommand(name);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(commandHelp(name, c));
    return 0;
  }
  current = name;
  return c.run(args);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) {
      const c = current ? commands[current] : undefined;
      const more = c && current ? `usage: ${c.usage}\n(tofu-operator ${current} --help says more)` : usage();
      process.stderr.write(`tofu-operator: ${err.message}\n\n${more}\n`);
      process.exit(2);
    }
    process.stderr.write(`tofu-operator: ${err instanceof Error ? err.message : String(err)}\n`);
    // The API commands' refusals have exit codes of their own (documented in their --help).
    const code = (err as { exitCode?: unknown } | undefined)?.exitCode;
    process.exit(typeof code === 'number' ? code : 1);
  },
);
