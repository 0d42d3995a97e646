// Starts the whole stack once: CRDs and RBAC on the local cluster, a namespace with an editor and a
// read-only ServiceAccount, the operator (with its own ServiceAccount's token) and the dashboard.
import { mkdirSync, rmSync } from 'node:fs';
import {
  deleteNamespace,
  freePort,
  installCrdsAndRbac,
  newNamespace,
  operatorKubeconfig,
  outputDir,
  serviceAccountToken,
} from './cluster.ts';
import { writeEnv } from './env.ts';
import { dashboardProcess, operatorProcess } from './processes.ts';
import { ServiceExits } from './service-exits.ts';

export default async function globalSetup(): Promise<() => Promise<void>> {
  rmSync(outputDir, { recursive: true, force: true });
  mkdirSync(outputDir, { recursive: true });
  installCrdsAndRbac();
  const namespace = newNamespace('dash');
  const editorToken = serviceAccountToken(namespace, 'editor', ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete']);
  const viewerToken = serviceAccountToken(namespace, 'viewer', ['get', 'list', 'watch']);

  const apiPort = await freePort();
  // Runner pods store their plans (and state) through the runner API: served on all addresses, reached
  // at the node's bridge, on a port of this run's own (HOST binds both servers).
  const runnerPort = await freePort();
  const operator = operatorProcess(operatorKubeconfig(), apiPort, {
    TOFU_OPERATOR_WATCH_NAMESPACE: namespace,
    HOST: '0.0.0.0',
    TOFU_OPERATOR_RUNNER_PORT: String(runnerPort),
    TOFU_OPERATOR_RUNNER_API_URL: `http://10.88.0.1:${runnerPort}`,
  });
  operator.restartOnExit = true;
  operator.start();
  const dashPort = await freePort();
  const dashboard = dashboardProcess(dashPort, `http://127.0.0.1:${apiPort}`);
  const stop = async () => {
    await Promise.all([dashboard.stop(), operator.stop()]);
    if (!process.env['KEEP_NAMESPACE']) deleteNamespace(namespace);
  };
  const teardown = async () => {
    await stop();
    // Also fails the run when a crash fell between tests (the per-test check names the test).
    new ServiceExits(outputDir).assertNoneSince(0, 'a service of the stack exited during the run');
  };
  try {
    await operator.waitHealthy(`http://127.0.0.1:${apiPort}/readyz`);
    dashboard.start();
    await dashboard.waitHealthy(`http://127.0.0.1:${dashPort}/sign-in`);
  } catch (err) {
    await stop();
    throw err;
  }
  writeEnv({
    baseURL: `http://127.0.0.1:${dashPort}`,
    apiURL: `http://127.0.0.1:${apiPort}`,
    namespace,
    editorToken,
    viewerToken,
    operatorPid: operator.pid ?? 0,
    dashboardPid: dashboard.pid ?? 0,
  });
  return teardown;
}
