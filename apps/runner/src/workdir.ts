import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { FailureCategory } from '@tofu-operator/api-types';
import { InvalidInputError, RunnerError } from './errors.js';

/** Whether `target` is `root` or below it (both absolute and normalized). Pure. */
export function isInside(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/**
 * Checks a workdir as written (before looking at the disk): relative, no NUL, and not above the
 * checkout once "." and ".." are applied. Returns the absolute path. Pure.
 */
export function lexicalWorkdir(checkout: string, workdir: string): string {
  const wd = workdir === '' ? '.' : workdir;
  if (wd.includes('\0')) throw new InvalidInputError('the workdir contains a NUL character');
  if (path.isAbsolute(wd)) throw new InvalidInputError(`the workdir "${workdir}" must be relative to the repository root`);
  const target = path.resolve(checkout, wd);
  if (!isInside(path.resolve(checkout), target)) throw new InvalidInputError(`the workdir "${workdir}" is outside the repository`);
  return target;
}

/**
 * Resolves the workdir under the checkout, following symlinks: InvalidInput when it leaves the
 * checkout (as written or through a symlink), WorkdirNotFound when it does not exist or is not a
 * directory. Returns the real path.
 */
export async function resolveWorkdir(checkout: string, workdir: string): Promise<string> {
  const target = lexicalWorkdir(checkout, workdir);
  const root = await realpath(checkout);
  let real: string;
  try {
    real = await realpath(target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new RunnerError(FailureCategory.WorkdirNotFound, `the workdir "${workdir}" does not exist in the repository`);
    }
    if (code === 'ELOOP') throw new InvalidInputError(`the workdir "${workdir}" is a symlink loop`);
    throw err;
  }
  if (!isInside(root, real)) {
    throw new InvalidInputError(`the workdir "${workdir}" leads outside the repository through a symlink`);
  }
  if (!(await stat(real)).isDirectory()) {
    throw new RunnerError(FailureCategory.WorkdirNotFound, `the workdir "${workdir}" is not a directory`);
  }
  return real;
}
