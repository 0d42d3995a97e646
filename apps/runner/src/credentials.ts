import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FailureCategory } from '@tofu-operator/api-types';
import { InvalidInputError, RunnerError } from './errors.js';
import { redactUrls } from './redact.js';

/** What git needs to authenticate, and what must never be printed. */
export interface GitAuth {
  /** Variables to add to git's environment. */
  env: Record<string, string>;
  /** Values to redact from every output. */
  secrets: string[];
  /** For the log: "https token", "ssh key", "https token and CA certificate", ... or "none". */
  kind: string;
  /** Lines for the run's log (host key checking turned off). */
  warnings?: string[];
}

export const NO_AUTH: GitAuth = { env: {}, secrets: [], kind: 'none' };

/** Quotes a word for POSIX sh (GIT_SSH_COMMAND is run through a shell). */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The ssh command git should use: only the given key, never a prompt, and host keys checked against
 * `knownHosts` (StrictHostKeyChecking=yes); `strict: false` (the opt-out) accepts any host key into
 * that file, which must then be the run's own.
 */
export function sshCommand(opts: { identity?: string; knownHosts: string; strict: boolean }): string {
  const words = ['ssh'];
  if (opts.identity) words.push('-i', opts.identity, '-o', 'IdentitiesOnly=yes');
  words.push('-o', 'BatchMode=yes', '-o', `UserKnownHostsFile=${opts.knownHosts}`);
  words.push('-o', `StrictHostKeyChecking=${opts.strict ? 'yes' : 'no'}`);
  return words.map(shellQuote).join(' ');
}

/** Whether git reaches `repository` over ssh: ssh:// (git+ssh://, ssh+git://) or scp-like [user@]host:path. */
export function isSshRepository(repository: string): boolean {
  if (/^(?:ssh|git\+ssh|ssh\+git):\/\//i.test(repository)) return true;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(repository)) return false;
  return /^[^/:\s]+:/.test(repository);
}

/** The ssh-keyscan command that prints the host key lines of an ssh repository's server (for messages). */
export function keyscanHint(repository: string): string {
  const url = /^[a-z+]+:\/\//i.test(repository) ? URL.parse(repository.replace(/^[a-z+]+:/i, 'ssh:')) : undefined;
  if (url?.hostname) return `ssh-keyscan ${url.port ? `-p ${url.port} ` : ''}${url.hostname.replace(/^\[|\]$/g, '')}`;
  const host = /^(?:[^@/:]+@)?([^/:]+):/.exec(repository)?.[1];
  return `ssh-keyscan ${host ?? '<host>'}`;
}

/**
 * A GIT_ASKPASS program: prints the user name or the password, read from the mounted Secret files
 * when git asks, so the token is never copied, put in a URL, an argument or the environment. It is
 * a Node script (the runner image has node; it may have no shell) started through its #! line.
 */
export function askpassScript(nodePath: string, usernameFile: string, passwordFile: string): string {
  return [
    `#!${nodePath}`,
    `'use strict';`,
    `const fs = require('node:fs');`,
    `const prompt = String(process.argv[2] || '');`,
    `const file = /^username/i.test(prompt) ? ${JSON.stringify(usernameFile)} : ${JSON.stringify(passwordFile)};`,
    `process.stdout.write(fs.readFileSync(file, 'utf8').replace(/[\\r\\n]+$/, '') + '\\n');`,
    '',
  ].join('\n');
}

async function readOptional(file: string): Promise<string | undefined> {
  try {
    if (!(await stat(file)).isFile()) return undefined;
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Trailing line breaks are not part of a credential (kubectl --from-file keeps them). */
function chomp(value: string): string {
  return value.replace(/[\r\n]+$/, '');
}

/** What prepareGitAuth needs to know about the run besides the Secret. */
export interface GitAuthOptions {
  /** The repository URL: an ssh repository needs known_hosts unless `insecureSkipHostKey`. */
  repository: string;
  /** spec.source.insecureSkipHostKeyVerification: accept any ssh host key. */
  insecureSkipHostKey?: boolean;
  /** The node program the askpass script runs with. */
  nodePath?: string;
}

/**
 * Prepares git authentication from a mounted Secret directory: keys "username" and "password" (an
 * https token, answered through GIT_ASKPASS) with an optional "ca.crt" (the CA of a private https
 * server), or "identity" and "known_hosts" (ssh). An ssh repository without known_hosts fails with
 * HostKeyMissing unless host key checking is turned off. Helper files go to `tmpDir` (private to the run).
 */
export async function prepareGitAuth(dir: string | undefined, tmpDir: string, opts: GitAuthOptions): Promise<GitAuth> {
  const ssh = isSshRepository(opts.repository);
  if (!dir) return ssh ? sshWithoutKnownHosts(undefined, tmpDir, opts) : NO_AUTH;
  try {
    if (!(await stat(dir)).isDirectory()) throw new InvalidInputError(`the git credentials path ${dir} is not a directory`);
  } catch (err) {
    if (err instanceof InvalidInputError) throw err;
    throw new InvalidInputError(`the git credentials directory ${dir} cannot be read: ${(err as Error).message}`);
  }
  const usernameFile = path.join(dir, 'username');
  const passwordFile = path.join(dir, 'password');
  const [username, password, identity, knownHosts, caCert] = await Promise.all([
    readOptional(usernameFile),
    readOptional(passwordFile),
    readOptional(path.join(dir, 'identity')),
    readOptional(path.join(dir, 'known_hosts')),
    readOptional(path.join(dir, 'ca.crt')),
  ]);

  const env: Record<string, string> = {};
  const secrets: string[] = [];
  const kinds: string[] = [];
  const warnings: string[] = [];

  if (username !== undefined || password !== undefined) {
    if (username === undefined || password === undefined) {
      throw new InvalidInputError('the git credentials Secret must have both "username" and "password" (or "identity" for ssh)');
    }
    const secret = chomp(password);
    if (!secret) throw new InvalidInputError('the "password" key of the git credentials Secret is empty');
    const askpass = path.join(tmpDir, 'git-askpass.cjs');
    await writeFile(askpass, askpassScript(opts.nodePath ?? process.execPath, usernameFile, passwordFile), { mode: 0o700 });
    await chmod(askpass, 0o700);
    env.GIT_ASKPASS = askpass;
    secrets.push(secret);
    kinds.push('https token');
  }

  if (caCert !== undefined) {
    if (!/-----BEGIN CERTIFICATE-----/.test(caCert)) {
      throw new InvalidInputError('the "ca.crt" key of the git credentials Secret is not a PEM certificate (-----BEGIN CERTIFICATE-----)');
    }
    env.GIT_SSL_CAINFO = path.join(dir, 'ca.crt');
    kinds.push('CA certificate');
  }

  let identityCopy: string | undefined;
  if (identity !== undefined) {
    // ssh refuses a key that others can read; the mounted Secret file's mode is not ours to choose.
    identityCopy = path.join(tmpDir, 'identity');
    await writeFile(identityCopy, identity.endsWith('\n') ? identity : `${identity}\n`, { mode: 0o600 });
    await chmod(identityCopy, 0o600);
    kinds.push('ssh key');
  }
  if (knownHosts !== undefined) {
    env.GIT_SSH_COMMAND = sshCommand({ identity: identityCopy, knownHosts: path.join(dir, 'known_hosts'), strict: true });
    if (identity === undefined) kinds.push('ssh known_hosts');
  } else if (ssh) {
    const off = await sshWithoutKnownHosts(identityCopy, tmpDir, opts);
    env.GIT_SSH_COMMAND = off.env.GIT_SSH_COMMAND ?? '';
    warnings.push(...(off.warnings ?? []));
  } else if (identityCopy) {
    // Not an ssh repository: the key is not used for it, and no host is trusted without known_hosts.
    env.GIT_SSH_COMMAND = sshCommand({ identity: identityCopy, knownHosts: path.join(tmpDir, 'known_hosts'), strict: true });
  }

  if (kinds.length === 0) {
    throw new InvalidInputError(
      'the git credentials Secret has none of the keys "username"/"password" (https), "ca.crt" or "identity"/"known_hosts" (ssh)',
    );
  }
  return { env, secrets, kind: kinds.join(' and '), warnings };
}

/**
 * ssh without known_hosts: refused with HostKeyMissing, unless host key checking is turned off; then
 * any host key is accepted into a file of the run's own, with a warning for the log.
 */
async function sshWithoutKnownHosts(identity: string | undefined, tmpDir: string, opts: GitAuthOptions): Promise<GitAuth> {
  const shown = redactUrls(opts.repository);
  if (!opts.insecureSkipHostKey) {
    throw new RunnerError(
      FailureCategory.HostKeyMissing,
      `the repository ${shown} is reached over ssh, but no known_hosts was given to check its host key: add the key ` +
        `"known_hosts" (lines from \`${keyscanHint(opts.repository)}\`, checked out of band) to the Secret of ` +
        'spec.source.credentialsSecretRef, or set spec.source.insecureSkipHostKeyVerification: true to accept any host key',
    );
  }
  const knownHosts = path.join(tmpDir, 'known_hosts');
  await writeFile(knownHosts, '', { mode: 0o600 });
  return {
    env: { GIT_SSH_COMMAND: sshCommand({ identity, knownHosts, strict: false }) },
    secrets: [],
    kind: identity ? 'ssh key' : 'no',
    warnings: [
      `warning: ssh host key checking is off (spec.source.insecureSkipHostKeyVerification): whoever answers for ${shown} is trusted`,
    ],
  };
}
