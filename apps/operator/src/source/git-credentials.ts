// Git authentication of one poll from the credentials Secret's keys, as the runner does it
// (apps/runner/src/credentials.ts): "username"/"password" answered through GIT_ASKPASS from files,
// "ca.crt" through GIT_SSL_CAINFO, "identity"/"known_hosts" through GIT_SSH_COMMAND. Every value
// goes to a file of a private temporary directory (0700, files 0600) removed after the poll: never
// into an argument (visible in `ps`), the environment or a log.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { displayUrl } from './source-key.js';

/** A credentials problem found before git runs (the owner sees SourceAuthFailed with this message). */
export class CredentialsError extends Error {
  override readonly name = 'CredentialsError';
}

/** What git needs for one poll; `dispose` removes the files. */
export interface PollAuth {
  env: Record<string, string>;
  /** Values to redact from git's output. */
  secrets: string[];
  dispose(): Promise<void>;
}

/** Quotes a word for POSIX sh (GIT_SSH_COMMAND is run through a shell). */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Whether git reaches `repository` over ssh: ssh:// (git+ssh://, ssh+git://) or scp-like [user@]host:path. */
export function isSshRepository(repository: string): boolean {
  if (/^(?:ssh|git\+ssh|ssh\+git):\/\//i.test(repository)) return true;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(repository)) return false;
  return /^[^/:\s]+:/.test(repository);
}

/** The ssh command: only the given key, never a prompt, host keys from `knownHosts`, a connect timeout. */
export function sshCommand(opts: { identity?: string; knownHosts: string; strict: boolean }): string {
  const words = ['ssh'];
  if (opts.identity) words.push('-i', opts.identity, '-o', 'IdentitiesOnly=yes');
  words.push('-o', 'BatchMode=yes', '-o', 'ConnectTimeout=15', '-o', `UserKnownHostsFile=${opts.knownHosts}`);
  words.push('-o', `StrictHostKeyChecking=${opts.strict ? 'yes' : 'no'}`);
  return words.map(shellQuote).join(' ');
}

/** The GIT_ASKPASS program: prints the user name or the password from the poll's files when git asks. */
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

const chomp = (v: string) => v.replace(/[\r\n]+$/, '');

/**
 * Prepares the authentication of a poll of `repository` from the decoded keys of the credentials
 * Secret (undefined: no Secret). Throws CredentialsError for an incomplete Secret, or an ssh
 * repository without "known_hosts" unless host key checking is off.
 */
export async function preparePollAuth(
  repository: string,
  data: Record<string, string> | undefined,
  insecureSkipHostKey: boolean,
  secretName = '',
): Promise<PollAuth> {
  const ssh = isSshRepository(repository);
  const shown = displayUrl(repository);
  const keys = data ?? {};
  const { username, password, identity } = keys;
  const knownHosts = keys.known_hosts;
  const caCert = keys['ca.crt'];
  if ((username === undefined) !== (password === undefined)) {
    throw new CredentialsError(`the credentials Secret ${secretName} must have both "username" and "password"`);
  }
  if (password !== undefined && !chomp(password))
    throw new CredentialsError(`the "password" key of the credentials Secret ${secretName} is empty`);
  if (caCert !== undefined && !/-----BEGIN CERTIFICATE-----/.test(caCert)) {
    throw new CredentialsError(`the "ca.crt" key of the credentials Secret ${secretName} is not a PEM certificate`);
  }
  if (ssh && knownHosts === undefined && !insecureSkipHostKey) {
    throw new CredentialsError(
      `the repository ${shown} is reached over ssh, but no "known_hosts" was given to check its host key ` +
        '(add it to the credentials Secret, or set spec.source.insecureSkipHostKeyVerification: true)',
    );
  }
  const env: Record<string, string> = {};
  const secrets: string[] = [];
  if (data === undefined && !ssh) return { env, secrets, dispose: async () => {} };

  const dir = await mkdtemp(path.join(tmpdir(), 'tofu-poll-'));
  await chmod(dir, 0o700);
  const file = async (name: string, content: string, mode = 0o600): Promise<string> => {
    const p = path.join(dir, name);
    await writeFile(p, content, { mode });
    await chmod(p, mode);
    return p;
  };
  try {
    if (username !== undefined && password !== undefined) {
      const u = await file('username', chomp(username));
      const p = await file('password', chomp(password));
      env.GIT_ASKPASS = await file('askpass.cjs', askpassScript(process.execPath, u, p), 0o700);
      secrets.push(chomp(password));
    }
    if (caCert !== undefined) env.GIT_SSL_CAINFO = await file('ca.crt', caCert);
    if (ssh || identity !== undefined) {
      const id = identity !== undefined ? await file('identity', identity.endsWith('\n') ? identity : `${identity}\n`) : undefined;
      const hosts = await file('known_hosts', knownHosts ?? '');
      env.GIT_SSH_COMMAND = sshCommand({ identity: id, knownHosts: hosts, strict: knownHosts !== undefined || !insecureSkipHostKey });
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return { env, secrets, dispose: () => rm(dir, { recursive: true, force: true }) };
}
