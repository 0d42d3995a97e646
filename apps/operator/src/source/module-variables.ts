// The variables a module declares at a commit, read by the operator before a run (issue 12: "a
// variable the module does not declare, a value of the wrong type" are answered in the owner's
// condition, not by a failed Job). A shallow fetch of the one commit into a private temporary bare
// repository, its workdir's *.tf and *.tf.json files read with `git cat-file`, then removed; only the
// declarations are kept, cached by repository, commit, workdir and credentials (a commit never changes).
import { Injectable } from '@nestjs/common';
import { KubeClient } from '@tofu-operator/reconcile-runtime';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { declaredVariables, type VariableDeclaration } from '@tofu-operator/api-types';
import { readCredentials } from './credentials-secret.js';
import { preparePollAuth } from './git-credentials.js';
import { pollEnv, runGit } from './ls-remote.js';
import { FULL_SHA, type SourceTarget } from './source-key.js';

/** Bigger files are not OpenTofu code worth reading here: the module is then not checked. */
const MAX_FILE_BYTES = 1024 * 1024;
const MAX_TOTAL_BYTES = 8 * 1024 * 1024;
const MAX_FILES = 500;
/** Declarations of this many (repository, commit, workdir) are remembered. */
const CACHE_ENTRIES = 512;
/** Fetches at once (each is a git process and a temporary directory). */
const MAX_FETCHES = 2;
const FETCH_TIMEOUT_MS = 20_000;
/** How long what a branch or tag held, or a failure, is remembered (a commit's declarations for good). */
const REVISION_MEMO_MS = 30_000;

/** What was learnt: the declarations, or why they are unknown (the run is then not checked). */
export type ModuleDeclarations = { declared: Map<string, VariableDeclaration> } | { unknown: string };

/** One `ls-tree -l` entry of a blob: its id, size and name. */
export function parseLsTree(stdout: string): { id: string; size: number; name: string }[] {
  const out: { id: string; size: number; name: string }[] = [];
  for (const entry of stdout.split('\0')) {
    const m = /^\d+ blob ([0-9a-f]+)\s+(\d+)\t(.+)$/su.exec(entry);
    if (m) out.push({ id: m[1] as string, size: Number(m[2]), name: m[3] as string });
  }
  return out;
}

/** The tree-ish of the workdir at a commit (`<commit>` for the root, `<commit>:<dir>` below it). */
export function workdirTree(commit: string, workdir: string): string {
  const dir = workdir.replace(/^\.\/?/u, '').replace(/\/+$/u, '');
  return dir === '' ? commit : `${commit}:${dir}`;
}

@Injectable()
export class ModuleVariables {
  private readonly cache = new Map<string, Promise<ModuleDeclarations>>();
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly client: KubeClient) {}

  /**
   * The declarations of `workdir` at `ref` of the target's repository: a full commit id (remembered
   * for good) or a branch or tag ("" for the remote's HEAD; remembered for a short while). The
   * credentials Secret is read only when the code is fetched. Never throws.
   */
  declarations(target: SourceTarget, ref: string, workdir: string): Promise<ModuleDeclarations> {
    const commit = ref || 'HEAD';
    const fixed = FULL_SHA.test(commit);
    // The credentials are part of the key: what one namespace may read never answers another's.
    const credentialsKey = target.secretName ? `${target.namespace}/${target.secretName}` : '';
    const key = JSON.stringify([target.repository, commit, workdir, credentialsKey]);
    const hit = this.cache.get(key);
    if (hit) {
      // Most recently used last.
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const pending = this.limited(() => this.read(target, commit, workdir));
    this.cache.set(key, pending);
    // What a branch held, and a failure (an unreachable server must not be asked at every
    // reconcile), are remembered for a short while only.
    void pending.then((r) => {
      if ('unknown' in r || !fixed) setTimeout(() => this.cache.get(key) === pending && this.cache.delete(key), REVISION_MEMO_MS).unref();
    });
    while (this.cache.size > CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value as string);
    return pending;
  }

  private async limited<T>(fn: () => Promise<T>): Promise<T> {
    while (this.running >= MAX_FETCHES) await new Promise<void>((r) => this.waiting.push(r));
    this.running++;
    try {
      return await fn();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }

  private async read(target: SourceTarget, commit: string, workdir: string): Promise<ModuleDeclarations> {
    let auth;
    try {
      // A missing or unreadable Secret: the poll and the runner report it.
      const credentials = target.secretName ? await readCredentials(this.client, target.namespace, target.secretName) : undefined;
      auth = await preparePollAuth(target.repository, credentials, target.insecureSkipHostKey, target.secretName);
    } catch (err) {
      return { unknown: (err as Error).message };
    }
    const dir = await mkdtemp(path.join(tmpdir(), 'tofu-module-'));
    try {
      const env = pollEnv(auth.env);
      const git = (args: string[]) => runGit([`--git-dir=${dir}`, ...args], env, FETCH_TIMEOUT_MS);
      const init = await git(['init', '--bare', '--quiet']);
      if (init.code !== 0) return { unknown: 'git init failed' };
      const fetched = await git(['fetch', '--depth=1', '--no-tags', '--quiet', '--', target.repository, commit]);
      if (fetched.code !== 0) return { unknown: `the commit could not be fetched${fetched.timedOut ? ' in time' : ''}` };
      const tree = await git([
        'ls-tree',
        '-z',
        '-l',
        '--end-of-options',
        workdirTree(FULL_SHA.test(commit) ? commit : 'FETCH_HEAD', workdir),
      ]);
      if (tree.code !== 0) return { unknown: `the workdir "${workdir}" is not a directory at ${commit.slice(0, 12)}` };
      const entries = parseLsTree(tree.stdout).filter((e) => e.name.endsWith('.tf') || e.name.endsWith('.tf.json'));
      const total = entries.reduce((n, e) => n + e.size, 0);
      if (entries.length > MAX_FILES || total > MAX_TOTAL_BYTES || entries.some((e) => e.size > MAX_FILE_BYTES)) {
        return { unknown: 'the module is too large to read here' };
      }
      const files: { name: string; text: string }[] = [];
      for (const e of entries) {
        const blob = await git(['cat-file', 'blob', e.id]);
        if (blob.code !== 0) return { unknown: `cannot read ${e.name}` };
        files.push({ name: e.name, text: blob.stdout });
      }
      return { declared: declaredVariables(files) };
    } catch (err) {
      return { unknown: (err as Error).message };
    } finally {
      await rm(dir, { recursive: true, force: true });
      await auth.dispose();
    }
  }
}
