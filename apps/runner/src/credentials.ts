import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InvalidInputError } from './errors.js';

/** What git needs to authenticate, and what must never be printed. */
export interface GitAuth {
  /** Variables to add to git's environment. */
  env: Record<string, string>;
  /** Values to redact from every output. */
  secrets: string[];
  /** For the log: "https token", "ssh key", "https token and ssh key" or "none". */
  kind: string;
}

export const NO_AUTH: GitAuth = { env: {}, secrets: [], kind: 'none' };

/** Quotes a word for POSIX sh (GIT_SSH_COMMAND is run through a shell). */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The ssh command git should use: only the given key, never a prompt, and host keys checked
 * against known_hosts when given (StrictHostKeyChecking=yes), else accepted on first use into a
 * file of the runner's own.
 */
export function sshCommand(opts: { identity?: string; knownHosts?: string; acceptNewHostsFile: string }): string {
  const words = ['ssh'];
  if (opts.identity) words.push('-i', opts.identity, '-o', 'IdentitiesOnly=yes');
  words.push('-o', 'BatchMode=yes');
  if (opts.knownHosts) words.push('-o', `UserKnownHostsFile=${opts.knownHosts}`, '-o', 'StrictHostKeyChecking=yes');
  else words.push('-o', `UserKnownHostsFile=${opts.acceptNewHostsFile}`, '-o', 'StrictHostKeyChecking=accept-new');
  return words.map(shellQuote).join(' ');
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

/**
 * Prepares git authentication from a mounted Secret directory: keys "username" and "password" (an
 * https token, answered through GIT_ASKPASS), or "identity" and optionally "known_hosts" (ssh).
 * Helper files go to `tmpDir` (private to the run).
 */
export async function prepareGitAuth(dir: string | undefined, tmpDir: string, nodePath = process.execPath): Promise<GitAuth> {
  if (!dir) return NO_AUTH;
  try {
    if (!(await stat(dir)).isDirectory()) throw new InvalidInputError(`the git credentials path ${dir} is not a directory`);
  } catch (err) {
    if (err instanceof InvalidInputError) throw err;
    throw new InvalidInputError(`the git credentials directory ${dir} cannot be read: ${(err as Error).message}`);
  }
  const usernameFile = path.join(dir, 'username');
  const passwordFile = path.join(dir, 'password');
  const [username, password, identity, knownHosts] = await Promise.all([
    readOptional(usernameFile),
    readOptional(passwordFile),
    readOptional(path.join(dir, 'identity')),
    readOptional(path.join(dir, 'known_hosts')),
  ]);

  const env: Record<string, string> = {};
  const secrets: string[] = [];
  const kinds: string[] = [];

  if (username !== undefined || password !== undefined) {
    if (username === undefined || password === undefined) {
      throw new InvalidInputError('the git credentials Secret must have both "username" and "password" (or "identity" for ssh)');
    }
    const secret = chomp(password);
    if (!secret) throw new InvalidInputError('the "password" key of the git credentials Secret is empty');
    const askpass = path.join(tmpDir, 'git-askpass.cjs');
    await writeFile(askpass, askpassScript(nodePath, usernameFile, passwordFile), { mode: 0o700 });
    await chmod(askpass, 0o700);
    env.GIT_ASKPASS = askpass;
    secrets.push(secret);
    kinds.push('https token');
  }

  if (identity !== undefined || knownHosts !== undefined) {
    let identityCopy: string | undefined;
    if (identity !== undefined) {
      // ssh refuses a key that others can read; the mounted Secret file's mode is not ours to choose.
      identityCopy = path.join(tmpDir, 'identity');
      await writeFile(identityCopy, identity.endsWith('\n') ? identity : `${identity}\n`, { mode: 0o600 });
      await chmod(identityCopy, 0o600);
    }
    env.GIT_SSH_COMMAND = sshCommand({
      identity: identityCopy,
      knownHosts: knownHosts !== undefined ? path.join(dir, 'known_hosts') : undefined,
      acceptNewHostsFile: path.join(tmpDir, 'known_hosts'),
    });
    kinds.push(identity !== undefined ? 'ssh key' : 'ssh known_hosts');
  }

  if (kinds.length === 0) {
    throw new InvalidInputError('the git credentials Secret has none of the keys "username"/"password" (https) or "identity" (ssh)');
  }
  return { env, secrets, kind: kinds.join(' and ') };
}
