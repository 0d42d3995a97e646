import { KubeConfig } from '@kubernetes/client-node';
import { existsSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

/** Where the kubelet mounts a pod's ServiceAccount token, CA bundle and namespace. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** No usable Kubernetes configuration: says which sources were tried and what to set. */
export class KubeConfigError extends Error {
  override name = 'KubeConfigError';
}

/** Where loadKubeConfig looks; the defaults are the process's own (tests point them elsewhere). */
export interface KubeConfigSources {
  env?: NodeJS.ProcessEnv;
  /** Home directory holding .kube/config. Default: os.homedir(). */
  homeDir?: string;
  /** Default: SERVICE_ACCOUNT_DIR. */
  serviceAccountDir?: string;
}

/**
 * Loads the Kubernetes client configuration, first match wins:
 * 1. KUBECONFIG (a path list, merged in order, as kubectl does);
 * 2. ~/.kube/config;
 * 3. in a pod: the ServiceAccount token file (re-read every minute by the client, so rotated bound
 *    tokens are picked up), its CA bundle, and KUBERNETES_SERVICE_HOST / KUBERNETES_SERVICE_PORT.
 * Unlike KubeConfig.loadFromDefault it never falls back to http://localhost:8080: with none of
 * these it throws KubeConfigError, which names what to set.
 */
export function loadKubeConfig(sources: KubeConfigSources = {}): KubeConfig {
  const env = sources.env ?? process.env;
  const kc = new KubeConfig();

  const files = (env['KUBECONFIG'] ?? '').split(delimiter).filter((f) => f !== '');
  if (files.length > 0) {
    files.forEach((file, i) => {
      const next = i === 0 ? kc : new KubeConfig();
      try {
        next.loadFromFile(file);
      } catch (err) {
        throw new KubeConfigError(`KUBECONFIG: cannot load ${file}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
      if (next !== kc) kc.mergeConfig(next);
    });
    return kc;
  }

  const home = sources.homeDir ?? homedir();
  const homeConfig = join(home, '.kube', 'config');
  if (home && existsSync(homeConfig)) {
    try {
      kc.loadFromFile(homeConfig);
    } catch (err) {
      throw new KubeConfigError(`cannot load ${homeConfig}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    return kc;
  }

  const saDir = sources.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  const tokenFile = join(saDir, 'token');
  if (existsSync(tokenFile)) {
    const host = env['KUBERNETES_SERVICE_HOST'];
    const port = env['KUBERNETES_SERVICE_PORT'];
    if (!host || !port) {
      throw new KubeConfigError(
        `in-cluster configuration: ${tokenFile} exists but KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not both set (the kubelet sets them in every pod)`,
      );
    }
    const server = `https://${isIPv6(host) ? `[${host}]` : host}:${port}`;
    kc.loadFromOptions({
      clusters: [{ name: 'in-cluster', server, caFile: join(saDir, 'ca.crt'), skipTLSVerify: false }],
      // The client's tokenFile provider re-reads the file every 60 s (client-go does the same).
      users: [{ name: 'in-cluster', authProvider: { name: 'tokenFile', config: { tokenFile } } }],
      contexts: [{ name: 'in-cluster', cluster: 'in-cluster', user: 'in-cluster' }],
      currentContext: 'in-cluster',
    });
    return kc;
  }

  throw new KubeConfigError(
    `no Kubernetes configuration: set KUBECONFIG to a kubeconfig file, create ${homeConfig}, or run in a pod with a ServiceAccount token (${tokenFile})`,
  );
}
