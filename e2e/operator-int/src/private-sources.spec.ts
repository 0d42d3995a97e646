// Private git sources on the local node, nothing simulated: the cluster's own OpenSSH server (key
// auth) and git http-backend behind TLS (basic auth with a token, certificate of the cluster CA),
// both started by `cluster up` (tools/cluster/lib/git-servers.sh), serve a module to real runner
// pods through credentials Secrets. Each refusal (wrong key, wrong token, unknown host key, no
// known_hosts) has its own failure category in the execution's status, and no credential leaks.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TofuExecution, TofuModule } from '@tofu-operator/api-types';
import {
  admin,
  deleteNamespace,
  installCrdsAndRbac,
  kubeconfigPath,
  listExecutions,
  newNamespace,
  operatorKubeconfig,
  OperatorProcess,
  repoRoot,
  serveRepo,
  TofuModules,
  waitFor,
} from './harness.js';
const Secrets = { group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true } as const;

/** What `cluster up` writes about its private git servers (git_servers_info). */
interface GitServersInfo {
  ssh: { urlPrefix: string; identityFile: string; knownHostsFile: string };
  https: { urlPrefix: string; tokenFile: string; caFile: string };
}

const twoResources = `
resource "terraform_data" "a" { input = "a" }
resource "terraform_data" "b" { input = "b" }
`;

/** An ed25519 key pair made here: [private key, public key line]. */
function keyPair(dir: string, name: string): [string, string] {
  const file = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', file]);
  return [readFileSync(file, 'utf8'), readFileSync(`${file}.pub`, 'utf8').trim()];
}

/** The base64 body of a private key: what must never be printed, whatever the framing. */
function keyBody(privateKey: string): string {
  return privateKey
    .split('\n')
    .filter((l) => l && !l.startsWith('-----'))
    .join('');
}

describe('private git sources over real ssh and https servers', { timeout: 600_000 }, () => {
  let operator: OperatorProcess;
  let ns: string;
  let scratch: string;
  let info: GitServersInfo;
  let sshUrl: string;
  let httpsUrl: string;
  let identity: string;
  let knownHosts: string;
  let token: string;
  let ca: string;
  let wrongKey: string;
  let otherHostKeyLine: string;
  const wrongToken = `wrong-${Date.now()}-token-value`;
  const done = new Map<string, TofuExecution>();

  async function secret(name: string, data: Record<string, string>): Promise<void> {
    await admin.create(Secrets, ns, { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: ns }, stringData: data });
  }

  async function moduleOf(name: string, source: TofuModule['spec']['source']): Promise<void> {
    await admin.create<TofuModule>(TofuModules, ns, {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuModule',
      metadata: { name, namespace: ns },
      spec: { source, executionTemplate: {} },
    });
  }

  async function finished(module: string): Promise<TofuExecution> {
    const known = done.get(module);
    if (known) return known;
    const exec = await waitFor(
      `the execution of ${ns}/${module} to finish`,
      async () => {
        const e = (await listExecutions(ns)).find((x) => x.spec.moduleRef?.name === module);
        return e?.status?.phase === 'Succeeded' || e?.status?.phase === 'Failed' ? e : undefined;
      },
      300_000,
      1000,
    );
    done.set(module, exec);
    return exec;
  }

  /** The runner container's log of an execution's pod (kubectl, as a user would read it). */
  function podLog(exec: TofuExecution): string {
    const pod = exec.status?.podName ?? assert.fail(`${exec.metadata.name} has no pod in its status`);
    return execFileSync('kubectl', ['--kubeconfig', kubeconfigPath, 'logs', '-n', ns, pod, '-c', 'runner'], { encoding: 'utf8' });
  }

  function assertFailed(exec: TofuExecution, category: string, message: RegExp): void {
    assert.equal(exec.status?.phase, 'Failed', exec.status?.message);
    assert.equal(exec.status?.failureCategory, category, exec.status?.message);
    assert.match(exec.status?.message ?? '', message);
    const ready = exec.status?.conditions?.find((c) => c.type === 'Ready');
    assert.equal(ready?.status, 'False');
    assert.equal(ready?.reason, 'RunnerFailed');
    assert.match(ready?.message ?? '', message);
  }

  before(async () => {
    const infoFile = join(process.env['TOFU_OPERATOR_CLUSTER_DIR'] || join(repoRoot, '.cluster'), 'git-servers.json');
    if (!existsSync(infoFile)) assert.fail(`${infoFile} is missing: the private git servers run after \`npm run cluster -- up\``);
    info = JSON.parse(readFileSync(infoFile, 'utf8')) as GitServersInfo;
    await installCrdsAndRbac();
    // Published under the same name the ssh and https servers serve (the git daemon's directory).
    const gitUrl = serveRepo('e2e-private', { 'main.tf': twoResources });
    const name = gitUrl.split('/').pop() ?? '';
    assert.equal(name, 'e2e-private', gitUrl);
    sshUrl = `${info.ssh.urlPrefix}${name}`;
    httpsUrl = `${info.https.urlPrefix}${name}`;
    identity = readFileSync(info.ssh.identityFile, 'utf8');
    knownHosts = readFileSync(info.ssh.knownHostsFile, 'utf8');
    token = readFileSync(info.https.tokenFile, 'utf8').trim();
    ca = readFileSync(info.https.caFile, 'utf8');
    scratch = mkdtempSync(join(tmpdir(), 'private-sources-'));
    [wrongKey] = keyPair(scratch, 'wrong-client');
    const [, otherHostPub] = keyPair(scratch, 'other-host');
    // The server's own name in known_hosts, with a key that is not the server's.
    const hostField = knownHosts.split(' ')[0] ?? assert.fail('empty known_hosts');
    otherHostKeyLine = `${hostField} ${otherHostPub.split(' ').slice(0, 2).join(' ')}\n`;

    operator = new OperatorProcess(await operatorKubeconfig());
    operator.start();
    await operator.waitUntilLeading();
    ns = await newNamespace('private'); // enforces the restricted Pod Security Standard

    await secret('ssh-good', { identity, known_hosts: knownHosts });
    await secret('ssh-wrong-key', { identity: wrongKey, known_hosts: knownHosts });
    await secret('ssh-other-host', { identity, known_hosts: otherHostKeyLine });
    await secret('ssh-no-known-hosts', { identity });
    await secret('https-good', { username: 'git', password: token, 'ca.crt': ca });
    await secret('https-wrong', { username: 'git', password: wrongToken, 'ca.crt': ca });
    // Every module at once: the runs share the node and finish in any order.
    const ref = (n: string) => ({ credentialsSecretRef: { name: n } });
    await moduleOf('ssh-ok', { repository: sshUrl, ...ref('ssh-good') });
    await moduleOf('https-ok', { repository: httpsUrl, revision: 'main', ...ref('https-good') });
    await moduleOf('ssh-wrong-key', { repository: sshUrl, ...ref('ssh-wrong-key') });
    await moduleOf('https-wrong-token', { repository: httpsUrl, ...ref('https-wrong') });
    await moduleOf('ssh-unknown-host', { repository: sshUrl, ...ref('ssh-other-host') });
    await moduleOf('ssh-no-known-hosts', { repository: sshUrl, ...ref('ssh-no-known-hosts') });
    await moduleOf('ssh-insecure', { repository: sshUrl, insecureSkipHostKeyVerification: true, ...ref('ssh-no-known-hosts') });
  });

  after(async () => {
    await operator?.stop();
    if (ns) await deleteNamespace(ns);
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('plans a module cloned over ssh with identity and known_hosts', async () => {
    const exec = await finished('ssh-ok');
    assert.equal(exec.status?.phase, 'Succeeded', exec.status?.message);
    assert.equal(exec.status?.summary?.text, 'Plan: 2 to add, 0 to change, 0 to destroy.');
    assert.match(podLog(exec), /==> cloning ssh:\/\/git@10\.88\.0\.1:2222\/e2e-private at the default branch \(with ssh key credentials\)/);
  });

  it('plans a module cloned over https with a token and the private CA', async () => {
    const exec = await finished('https-ok');
    assert.equal(exec.status?.phase, 'Succeeded', exec.status?.message);
    assert.equal(exec.status?.summary?.text, 'Plan: 2 to add, 0 to change, 0 to destroy.');
    assert.match(podLog(exec), /\(with https token and CA certificate credentials\)/);
  });

  it('fails a wrong ssh key with GitAuthFailed', async () => {
    assertFailed(await finished('ssh-wrong-key'), 'GitAuthFailed', /refused the credentials[\s\S]*Permission denied \(publickey\)/);
  });

  it('fails a wrong token with GitAuthFailed', async () => {
    assertFailed(await finished('https-wrong-token'), 'GitAuthFailed', /refused the credentials[\s\S]*Authentication failed/);
  });

  it('fails a host key known_hosts does not list with UnknownHostKey', async () => {
    assertFailed(await finished('ssh-unknown-host'), 'UnknownHostKey', /known_hosts[\s\S]*Host key verification failed/);
  });

  it('fails ssh without known_hosts with HostKeyMissing, before cloning', async () => {
    const exec = await finished('ssh-no-known-hosts');
    assertFailed(exec, 'HostKeyMissing', /no known_hosts[\s\S]*ssh-keyscan -p 2222 10\.88\.0\.1[\s\S]*insecureSkipHostKeyVerification/);
    assert.doesNotMatch(podLog(exec), /==> cloning/);
  });

  it('accepts any host key with insecureSkipHostKeyVerification, saying so in the log', async () => {
    const exec = await finished('ssh-insecure');
    assert.equal(exec.status?.phase, 'Succeeded', exec.status?.message);
    assert.equal(exec.status?.summary?.text, 'Plan: 2 to add, 0 to change, 0 to destroy.');
    assert.match(podLog(exec), /==> warning: ssh host key checking is off \(spec\.source\.insecureSkipHostKeyVerification\)/);
  });

  it('never shows a token or key in statuses, run logs or the operator log', async () => {
    const modules = ['ssh-ok', 'https-ok', 'ssh-wrong-key', 'https-wrong-token', 'ssh-unknown-host', 'ssh-no-known-hosts', 'ssh-insecure'];
    const execs = await Promise.all(modules.map((m) => finished(m)));
    const moduleStatuses = await Promise.all(modules.map((m) => admin.get<TofuModule>(TofuModules, ns, m)));
    const channels: [string, string][] = [
      ['execution statuses', JSON.stringify(execs.map((e) => e.status))],
      ['module statuses', JSON.stringify(moduleStatuses.map((m) => m.status))],
      ['run logs', execs.map(podLog).join('\n')],
      ['operator log', operator.log()],
    ];
    const secrets: [string, string][] = [
      ['the token', token],
      ['the wrong token', wrongToken],
      ['the ssh key', keyBody(identity)],
      ['the wrong ssh key', keyBody(wrongKey)],
    ];
    for (const [channel, text] of channels) {
      assert.ok(text.length > 0, `${channel} is empty`);
      for (const [what, value] of secrets) {
        assert.ok(value.length >= 16, `${what} is too short to search for`);
        assert.ok(!text.includes(value), `${what} appears in the ${channel}`);
        // Also its first line: a key is printed in lines of 70 characters.
        assert.ok(!text.includes(value.slice(0, 40)), `part of ${what} appears in the ${channel}`);
      }
    }
  });
});
