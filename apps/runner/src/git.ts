import { mkdir, rm } from 'node:fs/promises';
import { FailureCategory, refusedCredentials, refusedHostKey } from '@tofu-operator/api-types';
import { RunnerError } from './errors.js';
import { runCommand, describeExit, type LineSink, type RunResult } from './process.js';
import { redactUrls, type Redactor } from './redact.js';

/** A full commit id (SHA-1, or SHA-256 for repositories in that format). */
const FULL_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;
/** What may be an abbreviated commit id. */
const SHORT_SHA = /^[0-9a-f]{4,63}$/i;

/** How the runner gets a revision, decided from the remote's refs. */
export type CheckoutPlan =
  /** The remote's default branch (its HEAD): a shallow clone. */
  | { kind: 'default' }
  /** A branch or tag: a shallow clone with --branch. */
  | { kind: 'branch'; name: string }
  /** A full commit id or a full ref name: fetched by itself, shallow, then checked out. */
  | { kind: 'fetch'; ref: string }
  /** Maybe an abbreviated commit id: every branch and tag is fetched, then the id is looked up. */
  | { kind: 'search'; rev: string };

/** Parses `git ls-remote` output into ref name -> object id. */
export function parseLsRemote(stdout: string): Map<string, string> {
  const refs = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab > 0) refs.set(line.slice(tab + 1).trim(), line.slice(0, tab).trim());
  }
  return refs;
}

/**
 * Decides how to check out `revision` given the remote's refs (from `git ls-remote <repo> HEAD
 * <revision>`). Throws RevisionNotFound when no branch, tag or ref of that name exists and it cannot
 * be a commit id.
 */
export function planCheckout(revision: string, refs: ReadonlyMap<string, string>, repository: string): CheckoutPlan {
  if (revision === '' || revision === 'HEAD') {
    if (!refs.has('HEAD')) {
      throw new RunnerError(
        FailureCategory.RevisionNotFound,
        `the repository ${redactUrls(repository)} has no default branch (no HEAD; is it empty?); set a revision`,
      );
    }
    return { kind: 'default' };
  }
  if (FULL_SHA.test(revision)) return { kind: 'fetch', ref: revision.toLowerCase() };
  if (refs.has(`refs/heads/${revision}`) || refs.has(`refs/tags/${revision}`)) return { kind: 'branch', name: revision };
  if (revision.startsWith('refs/') && refs.has(revision)) return { kind: 'fetch', ref: revision };
  if (SHORT_SHA.test(revision)) return { kind: 'search', rev: revision };
  throw new RunnerError(
    FailureCategory.RevisionNotFound,
    `revision "${revision}" not found: ${redactUrls(repository)} has no branch or tag of that name`,
  );
}

/** Lines of git's stderr that say what went wrong (progress and hints left out), at most `max`. */
export function gitErrorText(stderr: string, max = 12): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trimEnd())
    .filter(
      (l) => l && !/^(Cloning into|hint:|remote: (Enumerating|Counting|Compressing|Total)|Receiving objects|Resolving deltas)/.test(l),
    );
  const picked = lines.length > max ? lines.slice(-max) : lines;
  return picked.join('\n');
}

/** Failure categories git's stderr can tell. */
export type GitFailureCategory = 'RevisionNotFound' | 'RepositoryUnreachable' | 'GitAuthFailed' | 'UnknownHostKey' | 'Internal';

/** What a git failure means, from its stderr (git runs with LC_ALL=C, so its messages are English). */
export function classifyGitFailure(stderr: string): GitFailureCategory {
  // ssh checks the host key before it authenticates, so a host key message comes first.
  if (refusedHostKey(stderr)) return FailureCategory.UnknownHostKey;
  if (refusedCredentials(stderr)) return FailureCategory.GitAuthFailed;
  const revisionPatterns = [
    /Remote branch .* not found in upstream/i,
    /Could not find remote branch/i,
    /couldn't find remote ref/i,
    /\bnot our ref\b/i,
    /unadvertised object/i,
    /did not match any file\(s\) known to git/i,
    /unknown revision or path not in the working tree/i,
    /\binvalid reference:/i,
    /not a valid object name/i,
    /reference is not a tree/i,
    /\bbad object\b/i,
    /Needed a single revision/i,
  ];
  if (revisionPatterns.some((p) => p.test(stderr))) return FailureCategory.RevisionNotFound;
  const localPatterns = [/No space left on device/i, /Read-only file system/i, /could not create work tree dir/i, /unable to write/i];
  if (localPatterns.some((p) => p.test(stderr))) return FailureCategory.Internal;
  return FailureCategory.RepositoryUnreachable;
}

/** The category of a failed `git ls-remote`: access problems as such, anything else unreachable. */
export function classifyLsRemoteFailure(stderr: string): GitFailureCategory {
  const category = classifyGitFailure(stderr);
  return category === FailureCategory.GitAuthFailed || category === FailureCategory.UnknownHostKey
    ? category
    : FailureCategory.RepositoryUnreachable;
}

export interface CloneOptions {
  repository: string;
  /** Branch, tag, commit id or full ref; empty for the remote's default branch. */
  revision: string;
  /** Where to check out; replaced if it exists. */
  dest: string;
  /** Environment for git (the runner adds its own settings). */
  env: NodeJS.ProcessEnv;
  /** Authentication variables (GIT_ASKPASS, GIT_SSH_COMMAND). */
  authEnv?: Record<string, string>;
  redact: Redactor;
  /** git's own output lines (already redacted). */
  log: LineSink;
  signal?: AbortSignal;
}

export interface CloneResult {
  /** The checked-out commit (git rev-parse HEAD). */
  commit: string;
  plan: CheckoutPlan;
}

/** The environment git runs with: never prompts, English messages, authentication of the run. */
export function gitEnv(base: NodeJS.ProcessEnv, authEnv: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', LANGUAGE: 'C', ...authEnv };
  // Whatever the image or the template set: only the run's own credentials are used.
  if (!authEnv.GIT_ASKPASS) delete env.GIT_ASKPASS;
  delete env.SSH_ASKPASS;
  return env;
}

/**
 * Clones `repository` at `revision` into `dest`: a shallow clone for the default branch, a branch or
 * a tag; a shallow fetch of the one commit for a full commit id (every branch and tag when the server
 * refuses that); then verifies what was checked out. Throws RunnerError with RepositoryUnreachable,
 * GitAuthFailed, UnknownHostKey, RevisionNotFound or Internal.
 */
export async function cloneRepository(opts: CloneOptions): Promise<CloneResult> {
  const { repository, revision, dest, redact, signal } = opts;
  const env = gitEnv(opts.env, opts.authEnv);
  const shown = redactUrls(repository);

  const git = async (args: string[], cwd?: string, quiet = false): Promise<RunResult> =>
    runCommand('git', args, {
      cwd,
      env,
      signal,
      onStderr: quiet ? undefined : (line) => opts.log(redact(line)),
      stderrLimit: 64 * 1024,
    }).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') throw new RunnerError(FailureCategory.Internal, 'git is not installed in the runner image (not on PATH)');
      throw err;
    });
  const fail = (what: string, result: RunResult, category = classifyGitFailure(result.stderr)): never => {
    const detail = redact(gitErrorText(result.stderr)) || describeExit(result);
    if (category === FailureCategory.RevisionNotFound) {
      throw new RunnerError(category, `revision "${revision}" not found in ${shown}: ${detail}`);
    }
    if (category === FailureCategory.RepositoryUnreachable) {
      throw new RunnerError(category, `cannot reach repository ${shown} (${what}): ${detail}`);
    }
    if (category === FailureCategory.GitAuthFailed) {
      throw new RunnerError(
        category,
        `the git server of ${shown} refused the credentials (${what}); check the Secret of spec.source.credentialsSecretRef ` +
          `("identity" for ssh, "username"/"password" for https): ${detail}`,
      );
    }
    if (category === FailureCategory.UnknownHostKey) {
      throw new RunnerError(
        category,
        `the ssh host key of ${shown} is not one known_hosts lists for it (${what}); put the server's current key in the ` +
          `"known_hosts" key of the credentials Secret: ${detail}`,
      );
    }
    throw new RunnerError(category, `${what} failed: ${detail}`);
  };

  // One round trip that tells an unreachable repository from a missing revision, and what the
  // revision is. `--` keeps the URL and revision from being read as options.
  const lsArgs = ['ls-remote', '--', repository, 'HEAD'];
  if (revision && revision !== 'HEAD') lsArgs.push(revision);
  const ls = await git(lsArgs, undefined, true);
  if (ls.code !== 0) fail('git ls-remote', ls, classifyLsRemoteFailure(ls.stderr));
  const plan = planCheckout(revision, parseLsRemote(ls.stdout), repository);

  await rm(dest, { recursive: true, force: true });
  switch (plan.kind) {
    case 'default':
    case 'branch': {
      const args = ['-c', 'advice.detachedHead=false', 'clone', '--depth', '1', '--no-tags'];
      if (plan.kind === 'branch') args.push(`--branch=${plan.name}`);
      args.push('--', repository, dest);
      const clone = await git(args);
      if (clone.code !== 0) fail('git clone', clone);
      break;
    }
    case 'fetch':
    case 'search': {
      await mkdir(dest, { recursive: true });
      const init = await git(['init', '--quiet', '--', dest]);
      if (init.code !== 0) fail('git init', init, FailureCategory.Internal);
      let target = 'FETCH_HEAD';
      let fetched = false;
      if (plan.kind === 'fetch') {
        const one = await git(['fetch', '--depth', '1', '--no-tags', '--', repository, plan.ref], dest);
        if (one.code === 0) fetched = true;
        else if (classifyGitFailure(one.stderr) !== FailureCategory.RevisionNotFound || !FULL_SHA.test(plan.ref)) fail('git fetch', one);
        else opts.log('==> the server does not serve single commits; fetching every branch and tag');
      }
      if (!fetched) {
        const all = await git(
          ['fetch', '--no-tags', '--', repository, '+refs/heads/*:refs/remotes/origin/*', '+refs/tags/*:refs/tags/*'],
          dest,
        );
        if (all.code !== 0) fail('git fetch', all);
        const rev = plan.kind === 'fetch' ? plan.ref : plan.rev;
        const resolved = await git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`], dest, true);
        if (resolved.code !== 0) {
          throw new RunnerError(
            FailureCategory.RevisionNotFound,
            `revision "${revision}" not found in ${shown}: no branch, tag or commit of that name`,
          );
        }
        target = resolved.stdout.trim();
      }
      const checkout = await git(['-c', 'advice.detachedHead=false', 'checkout', '--quiet', '--detach', target], dest);
      if (checkout.code !== 0) fail('git checkout', checkout);
      break;
    }
  }

  const head = await git(['rev-parse', '--verify', 'HEAD'], dest, true);
  const commit = head.stdout.trim();
  if (head.code !== 0 || !FULL_SHA.test(commit)) fail('git rev-parse HEAD', head, FailureCategory.Internal);
  if (plan.kind === 'fetch' && FULL_SHA.test(plan.ref) && commit !== plan.ref) {
    throw new RunnerError(FailureCategory.Internal, `checked out ${commit}, expected ${plan.ref}`);
  }
  return { commit, plan };
}
