import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { parseProviderMirror, type ProviderMirrorSettings } from './provider-mirror-config.js';

/** Settings of the operator service, from environment variables (12-factor; see docs/operations.md). */
export interface OperatorConfig {
  /** "all" runs reconcilers and the API; "api" serves only the API (scale-out replicas). */
  role: 'all' | 'api';
  port: number;
  /** Port of the runner API (state and saved plans for runner pods); 0 turns it off. */
  runnerPort: number;
  /**
   * Base URL at which runner pods reach the runner API (http(s)://host:port, no path); undefined when
   * the runner API is off. Default: the in-cluster Service `tofu-operator` of the operator's namespace.
   */
  runnerApiUrl: string | undefined;
  runnerImage: string;
  runnerImagePullPolicy: 'Always' | 'IfNotPresent' | 'Never';
  runnerNoColor: boolean;
  /** The network mirror every runner installs providers from (provider-mirror-config.ts); undefined: tofu's defaults. */
  providerMirror: ProviderMirrorSettings | undefined;
  /** A PersistentVolumeClaim runners mount as a shared provider cache, where the run's namespace has one. */
  pluginCacheClaim: string | undefined;
  /** Parallel reconciles per kind. */
  concurrency: number;
  /** Runs (executions with a Job not finished) at once in the whole operator; more wait in the run queue. */
  maxConcurrentRuns: number;
  /** Runs at once per namespace where the Namespace has no tofu-operator.io/max-concurrent-runs annotation; undefined: no cap. */
  maxConcurrentRunsPerNamespace: number | undefined;
  leaderElection: boolean;
  leaseNamespace: string;
  leaseName: string;
  /** Lease timings (controller-runtime defaults 15 s / 10 s / 2 s). */
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  identity: string;
  kubeQps: number;
  kubeBurst: number;
  /**
   * Status writes and Events (low priority) wait while the other requests use more than this percent
   * of kubeQps over about the last second: a burst of creates goes first, whole. 0: off.
   */
  kubeLowPriorityBusyPercent: number;
  /**
   * The rate limit of the separate client that makes the API's TokenReviews and SubjectAccessReviews,
   * so callers of the API never take the reconcilers' or leader election's budget.
   */
  reviewQps: number;
  reviewBurst: number;
  /** Only watch this namespace (all when empty). */
  watchNamespace: string | undefined;
  /** Trim cached objects to what the operator reads (kube/cache-transforms.ts); false keeps them whole. */
  cacheTransform: boolean;
  /** Address the HTTP server binds to. */
  host: string;
  /**
   * Browser origins allowed to open the websocket besides the service's own (e.g. the dashboard's
   * when it is served from elsewhere). Connections without an Origin header (non-browser) are allowed.
   */
  allowedOrigins: string[];
  /**
   * Development only: serve the API without authentication, as an all-powerful user. Refused unless
   * the server binds to a loopback address; logged loudly.
   */
  insecureNoAuth: boolean;
  /**
   * How often live websocket subscriptions and REST log follows check their caller's access again
   * (SubjectAccessReview answers no older than this): a revoked RoleBinding ends them within twice this.
   */
  accessRecheckMs: number;
  /** Websocket connections one user may hold open at once (per replica). */
  wsConnectionsPerUser: number;
  /** Websocket connections one client address may hold open at once (per replica; the dashboard's proxy is one address). */
  wsConnectionsPerAddress: number;
  /**
   * Send webhook notifications to loopback addresses too (127.0.0.0/8, ::1): for tests and development
   * only. Link-local and cloud metadata addresses are refused whatever this says.
   */
  notifyAllowLoopback: boolean;
  /** The dashboard's base URL (https://host[/path]): notifications link to a run's page there. */
  dashboardUrl: string | undefined;
  /** Bytes of one run's log the operator stores and serves; a truncation marker line ends a longer log. */
  logMaxBytes: number;
  /** Stored log chunks (TofuLogChunks) per namespace; at the cap a log ends with a marker line. */
  logNamespaceMaxChunks: number;
  /** Stored log bytes (encoded, as etcd holds them) per namespace; at the cap a log ends with a marker line. */
  logNamespaceMaxBytes: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  // Plain decimal digits only: Number() would also take "0x10", "1e3" and " 8 ".
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return n;
}

function bool(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['true', '1', 'yes'].includes(raw)) return true;
  if (['false', '0', 'no'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

function oneOf<T extends string>(env: NodeJS.ProcessEnv, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  return raw as T;
}

function origins(env: NodeJS.ProcessEnv, name: string): string[] {
  const raw = env[name];
  if (!raw) return [];
  return raw.split(',').map((o) => {
    const origin = o.trim();
    let parsed: URL;
    try {
      parsed = new URL(origin);
    } catch {
      throw new ConfigError(`${name} must be a comma-separated list of origins like https://tofu.example.com, got "${origin}"`);
    }
    if (!['http:', 'https:'].includes(parsed.protocol) || parsed.origin !== origin) {
      throw new ConfigError(`${name}: "${origin}" is not an origin (scheme://host[:port], no path), e.g. https://tofu.example.com`);
    }
    return origin;
  });
}

/**
 * The runner API's URL for runner pods: the variable when set (checked), else the in-cluster Service
 * of the operator's namespace; undefined when the runner API is off (port 0). A runner cannot reach
 * an operator run outside the cluster through the Service: such an operator sets the variable.
 */
function runnerApiUrl(env: NodeJS.ProcessEnv, name: string, port: number, namespace: string): string | undefined {
  if (port === 0) return undefined;
  const raw = env[name];
  if (!raw) return `http://tofu-operator.${namespace}.svc:${port}`;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch (err) {
    throw new ConfigError(`${name} must be a URL like http://10.88.0.1:8082, got "${raw}"`, { cause: err });
  }
  if (!['http:', 'https:'].includes(parsed.protocol) || parsed.origin !== raw.replace(/\/$/, '')) {
    throw new ConfigError(`${name}: "${raw}" must be scheme://host[:port] (http or https, no path), e.g. http://10.88.0.1:8082`);
  }
  return parsed.origin;
}

/** Whether a bind address only accepts connections from this machine. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Every environment variable the operator's configuration reads, by setting. The list is exported so
 * a misspelt TOFU_OPERATOR_* variable can be warned about (see unknown-variables.ts) and a docs check
 * can compare it with docs/operations.md.
 */
export const ConfigVariables = {
  role: 'TOFU_OPERATOR_ROLE',
  port: 'PORT',
  runnerPort: 'TOFU_OPERATOR_RUNNER_PORT',
  runnerApiUrl: 'TOFU_OPERATOR_RUNNER_API_URL',
  runnerImage: 'TOFU_OPERATOR_RUNNER_IMAGE',
  runnerImagePullPolicy: 'TOFU_OPERATOR_RUNNER_PULL_POLICY',
  runnerNoColor: 'TOFU_OPERATOR_RUNNER_NO_COLOR',
  providerMirrorUrl: 'TOFU_OPERATOR_PROVIDER_MIRROR_URL',
  providerMirrorCa: 'TOFU_OPERATOR_PROVIDER_MIRROR_CA_CONFIGMAP',
  pluginCacheClaim: 'TOFU_OPERATOR_PLUGIN_CACHE_CLAIM',
  concurrency: 'TOFU_OPERATOR_CONCURRENCY',
  maxConcurrentRuns: 'TOFU_OPERATOR_MAX_CONCURRENT_RUNS',
  maxConcurrentRunsPerNamespace: 'TOFU_OPERATOR_MAX_CONCURRENT_RUNS_PER_NAMESPACE',
  leaderElection: 'TOFU_OPERATOR_LEADER_ELECTION',
  leaseNamespace: 'TOFU_OPERATOR_LEASE_NAMESPACE',
  podNamespace: 'POD_NAMESPACE',
  leaseName: 'TOFU_OPERATOR_LEASE_NAME',
  leaseDurationMs: 'TOFU_OPERATOR_LEASE_DURATION_MS',
  renewDeadlineMs: 'TOFU_OPERATOR_RENEW_DEADLINE_MS',
  retryPeriodMs: 'TOFU_OPERATOR_RETRY_PERIOD_MS',
  podName: 'POD_NAME',
  kubeQps: 'TOFU_OPERATOR_KUBE_QPS',
  kubeBurst: 'TOFU_OPERATOR_KUBE_BURST',
  kubeLowPriorityBusyPercent: 'TOFU_OPERATOR_KUBE_LOW_PRIORITY_BUSY_PERCENT',
  reviewQps: 'TOFU_OPERATOR_REVIEW_QPS',
  reviewBurst: 'TOFU_OPERATOR_REVIEW_BURST',
  watchNamespace: 'TOFU_OPERATOR_WATCH_NAMESPACE',
  cacheTransform: 'TOFU_OPERATOR_CACHE_TRANSFORM',
  host: 'HOST',
  allowedOrigins: 'TOFU_OPERATOR_ALLOWED_ORIGINS',
  insecureNoAuth: 'TOFU_OPERATOR_INSECURE_NO_AUTH',
  accessRecheckMs: 'TOFU_OPERATOR_ACCESS_RECHECK_MS',
  wsConnectionsPerUser: 'TOFU_OPERATOR_WS_CONNECTIONS_PER_USER',
  wsConnectionsPerAddress: 'TOFU_OPERATOR_WS_CONNECTIONS_PER_ADDRESS',
  notifyAllowLoopback: 'TOFU_OPERATOR_NOTIFY_ALLOW_LOOPBACK',
  dashboardUrl: 'TOFU_OPERATOR_DASHBOARD_URL',
  logMaxBytes: 'TOFU_OPERATOR_LOG_MAX_BYTES',
  logNamespaceMaxChunks: 'TOFU_OPERATOR_LOG_NAMESPACE_MAX_CHUNKS',
  logNamespaceMaxBytes: 'TOFU_OPERATOR_LOG_NAMESPACE_MAX_BYTES',
} as const;

/** The TOFU_OPERATOR_* variables the operator reads: what docs/operations.md must document, no more, no less. */
export const OPERATOR_VARIABLES: readonly string[] = Object.values(ConfigVariables).filter((v) => v.startsWith('TOFU_OPERATOR_'));

/** Reads and validates the configuration; throws ConfigError naming the bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): OperatorConfig {
  const V = ConfigVariables;
  const runnerPort = int(env, V.runnerPort, 8082, 0, 65535);
  const leaseNamespace = env[V.leaseNamespace] || env[V.podNamespace] || 'tofu-operator-system';
  const config: OperatorConfig = {
    role: oneOf(env, V.role, ['all', 'api'] as const, 'all'),
    port: int(env, V.port, 8080, 0, 65535),
    runnerPort,
    runnerApiUrl: runnerApiUrl(env, V.runnerApiUrl, runnerPort, leaseNamespace),
    runnerImage: env[V.runnerImage] || 'tofu-operator-runner:0.1.0',
    runnerImagePullPolicy: oneOf(env, V.runnerImagePullPolicy, ['Always', 'IfNotPresent', 'Never'] as const, 'IfNotPresent'),
    runnerNoColor: bool(env, V.runnerNoColor, false),
    providerMirror: parseProviderMirror(
      env[V.providerMirrorUrl],
      env[V.providerMirrorCa],
      { url: V.providerMirrorUrl, ca: V.providerMirrorCa },
      (message) => new ConfigError(message),
    ),
    pluginCacheClaim: claimName(env, V.pluginCacheClaim),
    concurrency: int(env, V.concurrency, 48),
    maxConcurrentRuns: int(env, V.maxConcurrentRuns, 16),
    maxConcurrentRunsPerNamespace: env[V.maxConcurrentRunsPerNamespace] ? int(env, V.maxConcurrentRunsPerNamespace, 0) : undefined,
    leaderElection: bool(env, V.leaderElection, true),
    leaseNamespace,
    leaseName: env[V.leaseName] || 'tofu-operator-leader',
    leaseDurationMs: int(env, V.leaseDurationMs, 15_000),
    renewDeadlineMs: int(env, V.renewDeadlineMs, 10_000),
    retryPeriodMs: int(env, V.retryPeriodMs, 2_000),
    identity: `${env[V.podName] || hostname()}_${randomBytes(4).toString('hex')}`,
    kubeQps: int(env, V.kubeQps, 50),
    kubeBurst: int(env, V.kubeBurst, 100),
    kubeLowPriorityBusyPercent: int(env, V.kubeLowPriorityBusyPercent, 0, 0, 100),
    reviewQps: int(env, V.reviewQps, 20),
    reviewBurst: int(env, V.reviewBurst, 40),
    watchNamespace: env[V.watchNamespace] || undefined,
    cacheTransform: bool(env, V.cacheTransform, true),
    host: env[V.host] || '0.0.0.0',
    allowedOrigins: origins(env, V.allowedOrigins),
    insecureNoAuth: bool(env, V.insecureNoAuth, false),
    accessRecheckMs: int(env, V.accessRecheckMs, 5_000, 1_000, 600_000),
    wsConnectionsPerUser: int(env, V.wsConnectionsPerUser, 64),
    wsConnectionsPerAddress: int(env, V.wsConnectionsPerAddress, 1024),
    notifyAllowLoopback: bool(env, V.notifyAllowLoopback, false),
    dashboardUrl: dashboardUrl(env, V.dashboardUrl),
    logMaxBytes: int(env, V.logMaxBytes, 64 * 2 ** 20, 64 * 1024),
    logNamespaceMaxChunks: int(env, V.logNamespaceMaxChunks, 4096),
    logNamespaceMaxBytes: int(env, V.logNamespaceMaxBytes, 256 * 2 ** 20, 2 ** 20),
  };
  if (config.insecureNoAuth && !isLoopback(config.host)) {
    throw new ConfigError(
      `${V.insecureNoAuth}=true is allowed only with ${V.host} set to a loopback address (127.0.0.1, ::1 or localhost), got ${V.host}="${config.host}"`,
    );
  }
  if (!(config.retryPeriodMs < config.renewDeadlineMs && config.renewDeadlineMs < config.leaseDurationMs)) {
    throw new ConfigError(`lease timings must satisfy ${V.retryPeriodMs} < ${V.renewDeadlineMs} < ${V.leaseDurationMs}`);
  }
  return config;
}

/** A PersistentVolumeClaim name (DNS subdomain), or undefined when unset. */
function claimName(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  if (!value) return undefined;
  if (value.length > 253 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(value))
    throw new ConfigError(`${name} must be the name of a PersistentVolumeClaim (lower-case DNS subdomain), got "${value}"`);
  return value;
}

/** The dashboard's base URL (http or https, a path allowed, no query), without a trailing slash. */
function dashboardUrl(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name];
  if (!raw) return undefined;
  let parsed: URL | undefined;
  try {
    parsed = new URL(raw);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || parsed.search || parsed.hash || parsed.username)
    throw new ConfigError(`${name} must be the dashboard's URL like https://tofu.example.com, got "${raw}"`);
  return `${parsed.origin}${parsed.pathname}`.replace(/\/$/, '');
}
