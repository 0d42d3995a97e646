// Helpers of the runner's tests: temporary directories, real git repositories, the real tofu binary.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { RunnerIo } from '../runner.js';

/** The OpenTofu version tools/cluster builds (tools/cluster/lib/build.sh). */
export const TOFU_VERSION = 'v1.12.6';

/**
 * The tofu binary for integration tests: TOFU_BINARY, else the one tools/cluster/lib/build.sh
 * (tofu_build) puts in the cache. Fails the test (never skips) when it is missing.
 */
export function tofuBinary(): string {
  const cache =
    process.env.TOFU_OPERATOR_CACHE || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'tofu-operator');
  const binary = process.env.TOFU_BINARY || path.join(cache, 'opentofu', TOFU_VERSION, 'bin', 'tofu');
  try {
    accessSync(binary, constants.X_OK);
  } catch {
    assert.fail(
      `the tofu binary is missing or not executable at ${binary}: build OpenTofu ${TOFU_VERSION} with tofu_build ` +
        `(tools/cluster/lib/build.sh) or set TOFU_BINARY to a tofu executable`,
    );
  }
  return binary;
}

/** A temporary directory, removed by the returned cleanup. */
export async function tempDir(prefix = 'runner-test-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Environment for git and tofu in tests: no user or system git config, no CLI config of this machine. */
export function cleanEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, CHECKPOINT_DISABLE: '1', ...extra };
  for (const name of Object.keys(env)) {
    if (/^(TF_|TOFU_OPERATOR_|GIT_)/.test(name) && !(name in extra)) delete env[name];
  }
  env.GIT_CONFIG_NOSYSTEM = '1';
  return env;
}

/** A real git repository built commit by commit. */
export class GitRepo {
  private constructor(
    readonly dir: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  static async create(dir: string, home: string, branch = 'main'): Promise<GitRepo> {
    await mkdir(dir, { recursive: true });
    const env = cleanEnv(home, {
      GIT_AUTHOR_NAME: 'Test',
      GIT_AUTHOR_EMAIL: 'test@example.com',
      GIT_COMMITTER_NAME: 'Test',
      GIT_COMMITTER_EMAIL: 'test@example.com',
    });
    const repo = new GitRepo(dir, env);
    repo.git('init', '--quiet', `--initial-branch=${branch}`);
    return repo;
  }

  /** file:// URL of the repository (shallow clones need a URL, not a path). */
  get url(): string {
    return `file://${this.dir}`;
  }

  git(...args: string[]): string {
    return execFileSync('git', args, { cwd: this.dir, env: this.env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  }

  /** Replaces the files of the working tree given (path -> content; null removes) and commits. Returns the commit id. */
  async commit(files: Record<string, string | null>, message = 'change'): Promise<string> {
    for (const [name, content] of Object.entries(files)) {
      const file = path.join(this.dir, name);
      if (content === null) {
        await rm(file, { recursive: true, force: true });
      } else {
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(file, content);
      }
    }
    this.git('add', '--all');
    this.git('commit', '--quiet', '--allow-empty', '-m', message);
    return this.head();
  }

  head(): string {
    return this.git('rev-parse', 'HEAD');
  }
}

/** Runner output collected in memory. */
export interface CapturedIo extends RunnerIo {
  stdout: string[];
  stderr: string[];
  /** Everything printed, stdout then stderr. */
  all(): string;
}

export function captureIo(): CapturedIo {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (line) => stdout.push(line),
    err: (line) => stderr.push(line),
    all: () => [...stdout, ...stderr].join('\n'),
  };
}

/** OpenTofu code used by the tests. */
export const Modules = {
  /** Two built-in terraform_data resources: no provider to download. */
  twoResources: `
resource "terraform_data" "one" {
  input = "one"
}

resource "terraform_data" "two" {
  input = "two"
}
`,
  oneResource: `
resource "terraform_data" "only" {
  input = "only"
}
`,
  /** Outputs from locals and no resources: the plan changes outputs only. */
  outputsOnly: `
locals {
  greeting = "hello"
}

output "greeting" {
  value = local.greeting
}
`,
  /** Locals only: nothing to change. */
  localsOnly: `
locals {
  unused = "nothing"
}
`,
  /** A syntax error: tofu init refuses it. */
  invalidHcl: `
resource "terraform_data" "broken" {
  input =
}
`,
  /** Valid syntax, invalid reference: tofu init passes, tofu plan fails. */
  badReference: `
output "missing" {
  value = terraform_data.missing.id
}
`,
};
