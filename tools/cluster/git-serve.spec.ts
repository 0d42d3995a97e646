// serve-git's publishing (lib/git-serve.sh's git_publish) on a scratch cluster directory: no cluster
// or git daemon needed, only git.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const lib = resolve(dirname(fileURLToPath(import.meta.url)), 'lib');
const scratch = mkdtempSync(join(tmpdir(), 'git-serve-spec-'));
const clusterDir = join(scratch, 'cluster');
const identity = ['-c', 'user.name=someone', '-c', 'user.email=someone@example.com'];

/** Runs git_publish as `cluster.sh serve-git` does; returns its exit code, stdout and stderr. */
function publish(dir: string, name: string, env: NodeJS.ProcessEnv = {}): { code: number | null; out: string; err: string } {
  const script = `set -euo pipefail; source ${lib}/common.sh; NODE_IP=10.88.0.1; source ${lib}/git-serve.sh; git_publish "$1" "$2"`;
  const r = spawnSync('bash', ['-c', script, 'publish', dir, name], {
    encoding: 'utf8',
    env: { ...process.env, TOFU_CLUSTER_GIT_PORT: '', TOFU_OPERATOR_CLUSTER_DIR: clusterDir, ...env },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function served(name: string, ...args: string[]): string {
  return execFileSync('git', ['--git-dir', join(clusterDir, 'git', name), ...args], { encoding: 'utf8' }).trim();
}

function files(root: string, tree: Record<string, string>): string {
  for (const [path, text] of Object.entries(tree)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('serve-git publishing', () => {
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('a name served from another directory takes a git checkout with its own history: main is the checkout as it is now', () => {
    const plain = files(join(scratch, 'plain'), { 'main.tf': 'plain\n', 'old.tf': 'old\n' });
    const first = publish(plain, 'mod');
    assert.equal(first.code, 0, first.err);
    assert.equal(first.out.trim(), 'git://10.88.0.1/mod');
    const before = served('mod', 'rev-parse', 'main');

    // A checkout with a history of its own, a provider cache and an uncommitted change.
    const checkout = files(join(scratch, 'checkout'), { 'main.tf': 'committed\n', 'sub/vars.tf': 'v\n' });
    execFileSync('git', ['init', '-q', '-b', 'main', checkout]);
    execFileSync('git', ['-C', checkout, 'add', '.']);
    execFileSync('git', ['-C', checkout, ...identity, 'commit', '-qm', 'its own history']);
    files(checkout, { 'main.tf': 'edited\n', '.terraform/providers/p': 'binary\n', 'sub/.terraform/x': 'x\n' });
    const checkoutHead = execFileSync('git', ['-C', checkout, 'rev-parse', 'HEAD'], { encoding: 'utf8' });

    const second = publish(checkout, 'mod');
    assert.equal(second.code, 0, second.err);
    assert.match(second.err, /mod now serves the current files of .*checkout/);
    assert.deepEqual(served('mod', 'ls-tree', '-r', '--name-only', 'main').split('\n'), ['main.tf', 'sub/vars.tf']);
    assert.equal(served('mod', 'show', 'main:main.tf'), 'edited');
    // Clones see a new commit on top of what they had, not a replaced history.
    assert.equal(served('mod', 'rev-parse', 'main~1'), before);
    // The checkout itself is untouched.
    assert.equal(execFileSync('git', ['-C', checkout, 'rev-parse', 'HEAD'], { encoding: 'utf8' }), checkoutHead);

    // Unchanged: no new commit. Changed: files removed from the directory leave main too.
    const head = served('mod', 'rev-parse', 'main');
    assert.equal(publish(checkout, 'mod').code, 0);
    assert.equal(served('mod', 'rev-parse', 'main'), head);
    rmSync(join(checkout, 'sub'), { recursive: true });
    assert.equal(publish(checkout, 'mod').code, 0);
    assert.deepEqual(served('mod', 'ls-tree', '-r', '--name-only', 'main').split('\n'), ['main.tf']);
  });

  it('names the git port in the URL when it is not the default', () => {
    const r = publish(join(scratch, 'plain'), 'ported', { TOFU_CLUSTER_GIT_PORT: '9419' });
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out.trim(), 'git://10.88.0.1:9419/ported');
  });

  it('refuses a name git daemon could not serve', () => {
    const r = publish(join(scratch, 'plain'), '../escape');
    assert.equal(r.code, 1);
    assert.match(r.err, /name must be letters, digits/);
  });
});
