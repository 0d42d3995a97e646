// Which cluster the command line talks to, and with which kubectl. With KUBECONFIG set: that cluster
// (its current context), through a kubectl of the user's (KUBECTL, else the first on PATH) or, when
// there is none, the one the local cluster's build cached; nothing local is needed or created. Without
// KUBECONFIG: this checkout's local cluster (.cluster/kubeconfig) and its own kubectl build.
import { accessSync, constants, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { delimiter, join } from 'node:path';

/** The cluster the command line's kubectl calls go to. */
export interface KubeTarget {
  /** `kubeconfig`: the user's KUBECONFIG; `local`: the checkout's local cluster. */
  readonly source: 'kubeconfig' | 'local';
  /** Given to kubectl and the operator as KUBECONFIG (the user's value as it is: it may list files). */
  readonly kubeconfig: string;
  /** The kubectl binary. */
  readonly kubectl: string;
}

/** No kubectl to talk to the cluster of KUBECONFIG. */
export class NoKubectlError extends Error {
  override readonly name = 'NoKubectlError';
}

/** KUBECONFIG names no file that exists (kubectl would quietly try http://localhost:8080). */
export class MissingKubeconfigError extends Error {
  override readonly name = 'MissingKubeconfigError';
}

/** A kubectl call that failed (its stderr went to the terminal). */
export class KubectlError extends Error {
  override readonly name = 'KubectlError';
}

/** The first executable `name` in a PATH value. */
export function findOnPath(name: string, path: string | undefined): string | undefined {
  for (const dir of (path ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Where the local cluster's build caches its kubectl (tools/cluster/lib/common.sh decides). */
export function cachedKubectl(root: string, env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync('bash', ['-c', 'source tools/cluster/lib/common.sh && printf %s "$K8S_BIN_DIR/kubectl"'], {
    cwd: root,
    env,
    encoding: 'utf8',
  });
  if (r.status !== 0 || !r.stdout) throw new Error(`could not read the kubectl cache path from tools/cluster/lib/common.sh: ${r.stderr}`);
  return r.stdout;
}

/** The target of this process's environment: KUBECONFIG's cluster when it is set, else the local one. */
export function kubeTarget(root: string, env: NodeJS.ProcessEnv = process.env): KubeTarget {
  const kubeconfig = env['KUBECONFIG'];
  if (!kubeconfig) {
    return { source: 'local', kubeconfig: localKubeconfig(root, env), kubectl: cachedKubectl(root, env) };
  }
  const files = kubeconfig.split(delimiter).filter(Boolean);
  if (!files.some((f) => existsSync(f))) throw new MissingKubeconfigError(`KUBECONFIG names no file that exists: ${kubeconfig}`);
  const kubectl = env['KUBECTL'] || findOnPath('kubectl', env['PATH']) || existing(cachedKubectl(root, env));
  if (!kubectl) {
    throw new NoKubectlError(
      'KUBECONFIG is set but there is no kubectl: install one (https://kubernetes.io/docs/tasks/tools/), put it on PATH or name it in KUBECTL',
    );
  }
  return { source: 'kubeconfig', kubeconfig, kubectl };
}

/** The local cluster's kubeconfig (it exists once the cluster was started). */
export function localKubeconfig(root: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(env['TOFU_OPERATOR_CLUSTER_DIR'] || join(root, '.cluster'), 'kubeconfig');
}

function existing(path: string): string | undefined {
  return existsSync(path) ? path : undefined;
}

/** Runs kubectl against the target; returns its stdout when captured, throws KubectlError on failure. */
export function kubectl(target: KubeTarget, args: string[], opts: { capture?: boolean; input?: string; cwd?: string } = {}): string {
  const r = spawnSync(target.kubectl, args, {
    cwd: opts.cwd,
    env: { ...process.env, KUBECONFIG: target.kubeconfig },
    encoding: 'utf8',
    input: opts.input,
    stdio: [opts.input === undefined ? 'inherit' : 'pipe', opts.capture ? 'pipe' : 'inherit', 'inherit'],
  });
  if (r.error) throw new KubectlError(`could not run ${target.kubectl}: ${r.error.message}`, { cause: r.error });
  if (r.status !== 0) throw new KubectlError(`kubectl ${args.join(' ')} failed with exit code ${r.status ?? 'none'}`);
  return r.stdout ?? '';
}

/** One line naming the cluster, for the user: its API server and, with KUBECONFIG, the context. */
export function describeTarget(target: KubeTarget): string {
  const view = (path: string) => kubectl(target, ['config', 'view', '--minify', '-o', `jsonpath=${path}`], { capture: true }).trim();
  const server = view('{.clusters[0].cluster.server}');
  return target.source === 'local'
    ? `${server} (the local cluster)`
    : `${server} (KUBECONFIG, context ${view('{.current-context}') || '(none)'}; ${target.kubectl})`;
}
