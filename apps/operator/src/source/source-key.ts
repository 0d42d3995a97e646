// What one poll is about (repository, revision, credentials) and how the answer of `git ls-remote`
// resolves the revision, the way the runner decides what to check out (apps/runner/src/git.ts).
import type { Source } from '@tofu-operator/api-types';

/** A full commit id (SHA-1, or SHA-256 for repositories in that format). */
export const FULL_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;
/** What may be an abbreviated commit id. */
const SHORT_SHA = /^[0-9a-f]{4,63}$/i;

/** The source of one poll: owners whose sources agree on all of these share it. */
export interface SourceTarget {
  repository: string;
  /** Empty for the remote's default branch (HEAD). */
  revision: string;
  /** Namespace of the credentials Secret (only meaningful with `secretName`). */
  namespace: string;
  /** spec.source.credentialsSecretRef.name, if any. */
  secretName?: string;
  insecureSkipHostKey: boolean;
}

/** The target of an owner's source in `namespace`. */
export function targetOf(namespace: string, source: Source): SourceTarget {
  const revision = (source.revision ?? '').trim();
  return {
    repository: source.repository.trim(),
    revision: revision === 'HEAD' ? '' : revision,
    namespace,
    secretName: source.credentialsSecretRef?.name || undefined,
    insecureSkipHostKey: source.insecureSkipHostKeyVerification === true,
  };
}

/**
 * The key of a target. Without a credentials Secret the namespace is not part of it: the same public
 * repository and revision is one poll for the whole cluster; with one, the Secret (namespace/name)
 * is, so no namespace's poll ever uses another's credentials.
 */
export function keyOf(t: SourceTarget): string {
  const credentials = t.secretName ? `${t.namespace}/${t.secretName}` : '';
  return JSON.stringify([t.repository, t.revision, credentials, t.insecureSkipHostKey]);
}

/** The ls-remote arguments of a target: `--` keeps the URL and revision from being read as options. */
export function lsRemoteArgs(t: SourceTarget): string[] {
  const args = ['ls-remote', '--', t.repository];
  if (!t.revision) args.push('HEAD');
  else if (t.revision.startsWith('refs/')) args.push(t.revision);
  else args.push(`refs/heads/${t.revision}`, `refs/tags/${t.revision}`, `refs/tags/${t.revision}^{}`);
  return args;
}

/** Parses `git ls-remote` output into ref name -> object id. */
export function parseLsRemote(stdout: string): Map<string, string> {
  const refs = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab > 0) refs.set(line.slice(tab + 1).trim(), line.slice(0, tab).trim().toLowerCase());
  }
  return refs;
}

/** What a revision resolved to. */
export type Resolution =
  /** The commit the revision names now. */
  | { kind: 'commit'; commit: string }
  /** No branch, tag or ref of that name, and it cannot be a commit id. */
  | { kind: 'notFound'; message: string }
  /**
   * Maybe an abbreviated commit id (no branch or tag of that name): fixed content the runner looks up
   * when it clones; nothing to follow.
   */
  | { kind: 'pinned' };

/** A full commit id needs no poll: it is the commit. */
export function fixedCommit(revision: string): string | undefined {
  return FULL_SHA.test(revision) ? revision.toLowerCase() : undefined;
}

/**
 * Resolves a target's revision from the remote's refs: empty = HEAD; a branch before a tag of the
 * same name (as `git clone --branch` does); an annotated tag to the commit it points at (`^{}`).
 */
export function resolveRevision(t: SourceTarget, refs: ReadonlyMap<string, string>): Resolution {
  const fixed = fixedCommit(t.revision);
  if (fixed) return { kind: 'commit', commit: fixed };
  if (!t.revision) {
    const head = refs.get('HEAD');
    if (head) return { kind: 'commit', commit: head };
    return { kind: 'notFound', message: `the repository ${displayUrl(t.repository)} has no default branch (no HEAD; is it empty?)` };
  }
  const candidates = t.revision.startsWith('refs/')
    ? [`${t.revision}^{}`, t.revision]
    : [`refs/heads/${t.revision}`, `refs/tags/${t.revision}^{}`, `refs/tags/${t.revision}`];
  for (const ref of candidates) {
    const id = refs.get(ref);
    if (id) return { kind: 'commit', commit: id };
  }
  if (SHORT_SHA.test(t.revision)) return { kind: 'pinned' };
  return {
    kind: 'notFound',
    message: `revision "${t.revision}" not found: ${displayUrl(t.repository)} has no branch or tag of that name`,
  };
}

/** A repository URL fit for a message: any user name or password in it replaced by "***". */
export function displayUrl(repository: string): string {
  return repository.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1***@');
}
