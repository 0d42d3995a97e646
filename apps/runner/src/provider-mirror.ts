// Providers from a network mirror (RunnerInput.providerMirror): a CLI configuration that installs
// every provider from the mirror and nowhere else, and, when the mirror's CA is given, a CA bundle
// that adds it to the image's roots, both in the run's private directory.
import { access, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FailureCategory, type RunnerInput } from '@tofu-operator/api-types';
import { hclString } from './encryption.js';
import { RunnerError } from './errors.js';

type ProviderMirror = NonNullable<RunnerInput['providerMirror']>;

/** Where Debian (the runner image), Fedora and Alpine keep the system's CA bundle, in that order. */
export const SYSTEM_CA_BUNDLES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/cert.pem'];

/** The CLI configuration: every provider from the network mirror at url. Pure. */
export function providerMirrorCliConfig(url: string): string {
  return ['provider_installation {', '  network_mirror {', `    url = ${hclString(url)}`, '  }', '}', ''].join('\n');
}

/** The first readable file of candidates, or undefined. */
async function firstReadable(candidates: readonly string[]): Promise<string | undefined> {
  for (const file of candidates) {
    try {
      return await readFile(file, 'utf8');
    } catch {
      // the next candidate
    }
  }
  return undefined;
}

/** Joins PEM texts with exactly one newline between them. Pure. */
export function joinPem(parts: readonly string[]): string {
  return parts
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => `${p}\n`)
    .join('');
}

export interface ProviderMirrorOptions {
  /** The run's private directory, where the files go. */
  tmp: string;
  /** The CA bundles to start from (default SYSTEM_CA_BUNDLES; SSL_CERT_FILE of env comes first). */
  systemBundles?: readonly string[];
}

/**
 * The environment of tofu with the mirror: TF_CLI_CONFIG_FILE pointing at a configuration written in
 * tmp (it replaces one the template set: the mirror is the only source of providers), and with
 * caFile SSL_CERT_FILE pointing at the system roots plus that CA. Without a mirror, env as it is.
 * Throws RunnerError (InvalidInput) when caFile cannot be read or holds no certificate.
 */
export async function providerMirrorEnv(
  env: NodeJS.ProcessEnv,
  mirror: ProviderMirror | undefined,
  opts: ProviderMirrorOptions,
): Promise<NodeJS.ProcessEnv> {
  if (!mirror) return env;
  const out: NodeJS.ProcessEnv = { ...env };
  const config = path.join(opts.tmp, 'provider-mirror.tfrc');
  await writeFile(config, providerMirrorCliConfig(mirror.url), { mode: 0o600 });
  out.TF_CLI_CONFIG_FILE = config;
  if (mirror.caFile) {
    let ca: string;
    try {
      ca = await readFile(mirror.caFile, 'utf8');
    } catch (err) {
      throw new RunnerError(
        FailureCategory.InvalidInput,
        `cannot read the provider mirror's CA file ${mirror.caFile}: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) {
      throw new RunnerError(FailureCategory.InvalidInput, `the provider mirror's CA file ${mirror.caFile} holds no PEM certificate`);
    }
    const candidates = [...(env.SSL_CERT_FILE ? [env.SSL_CERT_FILE] : []), ...(opts.systemBundles ?? SYSTEM_CA_BUNDLES)];
    const system = (await firstReadable(candidates)) ?? '';
    const bundle = path.join(opts.tmp, 'provider-mirror-ca.pem');
    await writeFile(bundle, joinPem([system, ca]), { mode: 0o600 });
    out.SSL_CERT_FILE = bundle;
  }
  return out;
}

/** The dependency lock file tofu reads from a module's directory. */
export const LOCK_FILE = '.terraform.lock.hcl';

/**
 * The environment of tofu with a shared provider cache (RunnerInput.pluginCacheDir, a volume every
 * runner of the namespace mounts): TF_PLUGIN_CACHE_DIR, and, when the module commits no lock file,
 * TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE=true. Without it OpenTofu (1.12) takes a cached
 * provider only when the lock file lists its checksum, so a module without one would download on
 * every run; with a lock file the checksums stay verified against it. Without a cache, env as it is.
 */
export async function pluginCacheEnv(env: NodeJS.ProcessEnv, cacheDir: string | undefined, moduleDir: string): Promise<NodeJS.ProcessEnv> {
  if (!cacheDir) return env;
  const out: NodeJS.ProcessEnv = { ...env, TF_PLUGIN_CACHE_DIR: cacheDir };
  delete out.TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE;
  if (!(await exists(path.join(moduleDir, LOCK_FILE)))) out.TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE = 'true';
  return out;
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
