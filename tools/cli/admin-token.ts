// The sign-in ServiceAccount of development clusters (deploy/local/dashboard-admin.yaml) and a token
// for it, on the target cluster.
import { join } from 'node:path';
import { root } from './cli-common.ts';
import { kubectl, type KubeTarget } from './kube-target.ts';

/** The ServiceAccount whose token `token` prints: may do everything with our kinds, cluster-wide. */
export const ADMIN_SA = { namespace: 'tofu-operator-system', name: 'tofu-operator-dashboard-admin' };

/** Ensures the sign-in ServiceAccount and its binding exist on the target; returns a token for it. */
export function adminToken(target: KubeTarget, duration: string): string {
  const manifest = join(root, 'deploy/local/dashboard-admin.yaml');
  kubectl(target, ['apply', '--server-side', '--force-conflicts', '-f', manifest], { capture: true });
  return kubectl(target, ['create', 'token', ADMIN_SA.name, '-n', ADMIN_SA.namespace, '--duration', duration], {
    capture: true,
  }).trim();
}
