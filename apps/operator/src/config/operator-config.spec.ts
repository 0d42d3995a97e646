import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { ConfigError, loadConfig, type OperatorConfig } from './operator-config.js';

/** The named fields of a config, to compare without the random identity suffix. */
function pick<K extends keyof OperatorConfig>(config: OperatorConfig, keys: readonly K[]): Pick<OperatorConfig, K> {
  return Object.fromEntries(keys.map((k) => [k, config[k]])) as Pick<OperatorConfig, K>;
}

describe('loadConfig', () => {
  it('uses the defaults for an empty environment', () => {
    const defaults = {
      role: 'all',
      port: 8080,
      runnerPort: 8082,
      runnerApiUrl: 'http://tofu-operator.tofu-operator-system.svc:8082',
      runnerImage: 'tofu-operator-runner:0.1.0',
      runnerImagePullPolicy: 'IfNotPresent',
      runnerNoColor: false,
      concurrency: 48,
      maxConcurrentRuns: 16,
      maxConcurrentRunsPerNamespace: undefined,
      leaderElection: true,
      leaseNamespace: 'tofu-operator-system',
      leaseName: 'tofu-operator-leader',
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
      kubeQps: 50,
      kubeBurst: 100,
      kubeLowPriorityBusyPercent: 0,
      reviewQps: 20,
      reviewBurst: 40,
      watchNamespace: undefined,
      cacheTransform: true,
      host: '0.0.0.0',
      allowedOrigins: [],
      insecureNoAuth: false,
      accessRecheckMs: 5_000,
      wsConnectionsPerUser: 64,
      wsConnectionsPerAddress: 1024,
      logMaxBytes: 64 * 2 ** 20,
      logNamespaceMaxChunks: 4096,
      logNamespaceMaxBytes: 256 * 2 ** 20,
      providerMirror: undefined,
      pluginCacheClaim: undefined,
    } as const;
    const config = loadConfig({});
    assert.deepEqual(pick(config, Object.keys(defaults) as (keyof typeof defaults)[]), defaults);
  });

  it('treats empty variables as unset', () => {
    const env = {
      TOFU_OPERATOR_ROLE: '',
      PORT: '',
      TOFU_OPERATOR_RUNNER_IMAGE: '',
      TOFU_OPERATOR_RUNNER_NO_COLOR: '',
      TOFU_OPERATOR_CONCURRENCY: '',
      TOFU_OPERATOR_WATCH_NAMESPACE: '',
    };
    const config = loadConfig(env);
    assert.equal(config.role, 'all');
    assert.equal(config.port, 8080);
    assert.equal(config.runnerImage, 'tofu-operator-runner:0.1.0');
    assert.equal(config.runnerNoColor, false);
    assert.equal(config.concurrency, 48);
    assert.equal(config.watchNamespace, undefined);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      TOFU_OPERATOR_ROLE: 'api',
      PORT: '9090',
      TOFU_OPERATOR_RUNNER_PORT: '9092',
      TOFU_OPERATOR_RUNNER_API_URL: 'http://10.88.0.1:9092',
      TOFU_OPERATOR_RUNNER_IMAGE: 'registry.example.com/runner:2',
      TOFU_OPERATOR_RUNNER_PULL_POLICY: 'Always',
      TOFU_OPERATOR_RUNNER_NO_COLOR: 'true',
      TOFU_OPERATOR_PROVIDER_MIRROR_URL: 'https://10.88.0.1:8443',
      TOFU_OPERATOR_PROVIDER_MIRROR_CA_CONFIGMAP: 'kube-root-ca.crt/ca.crt',
      TOFU_OPERATOR_PLUGIN_CACHE_CLAIM: 'tofu-plugins',
      TOFU_OPERATOR_CONCURRENCY: '2',
      TOFU_OPERATOR_MAX_CONCURRENT_RUNS: '40',
      TOFU_OPERATOR_MAX_CONCURRENT_RUNS_PER_NAMESPACE: '4',
      TOFU_OPERATOR_LEADER_ELECTION: 'false',
      TOFU_OPERATOR_LEASE_NAMESPACE: 'lease-ns',
      TOFU_OPERATOR_LEASE_NAME: 'my-lease',
      TOFU_OPERATOR_LEASE_DURATION_MS: '30000',
      TOFU_OPERATOR_RENEW_DEADLINE_MS: '20000',
      TOFU_OPERATOR_RETRY_PERIOD_MS: '5000',
      POD_NAME: 'operator-0',
      TOFU_OPERATOR_KUBE_QPS: '20',
      TOFU_OPERATOR_KUBE_BURST: '40',
      TOFU_OPERATOR_KUBE_LOW_PRIORITY_BUSY_PERCENT: '50',
      TOFU_OPERATOR_REVIEW_QPS: '5',
      TOFU_OPERATOR_REVIEW_BURST: '10',
      TOFU_OPERATOR_WATCH_NAMESPACE: 'team-a',
      TOFU_OPERATOR_CACHE_TRANSFORM: 'false',
      HOST: '127.0.0.1',
      TOFU_OPERATOR_ALLOWED_ORIGINS: 'https://tofu.example.com',
      TOFU_OPERATOR_INSECURE_NO_AUTH: 'true',
      TOFU_OPERATOR_ACCESS_RECHECK_MS: '2000',
      TOFU_OPERATOR_WS_CONNECTIONS_PER_USER: '8',
      TOFU_OPERATOR_WS_CONNECTIONS_PER_ADDRESS: '100',
      TOFU_OPERATOR_NOTIFY_ALLOW_LOOPBACK: 'true',
      TOFU_OPERATOR_DASHBOARD_URL: 'https://tofu.example.com/ui',
      TOFU_OPERATOR_LOG_MAX_BYTES: '1048576',
      TOFU_OPERATOR_LOG_NAMESPACE_MAX_CHUNKS: '100',
      TOFU_OPERATOR_LOG_NAMESPACE_MAX_BYTES: '10485760',
    });
    assert.deepEqual(
      { ...config, identity: config.identity.replace(/_[0-9a-f]{8}$/, '_<random>') },
      {
        role: 'api',
        port: 9090,
        runnerPort: 9092,
        runnerApiUrl: 'http://10.88.0.1:9092',
        runnerImage: 'registry.example.com/runner:2',
        runnerImagePullPolicy: 'Always',
        runnerNoColor: true,
        providerMirror: { url: 'https://10.88.0.1:8443/', caConfigMap: { name: 'kube-root-ca.crt', key: 'ca.crt' } },
        pluginCacheClaim: 'tofu-plugins',
        concurrency: 2,
        maxConcurrentRuns: 40,
        maxConcurrentRunsPerNamespace: 4,
        leaderElection: false,
        leaseNamespace: 'lease-ns',
        leaseName: 'my-lease',
        leaseDurationMs: 30_000,
        renewDeadlineMs: 20_000,
        retryPeriodMs: 5_000,
        identity: 'operator-0_<random>',
        kubeQps: 20,
        kubeBurst: 40,
        kubeLowPriorityBusyPercent: 50,
        reviewQps: 5,
        reviewBurst: 10,
        watchNamespace: 'team-a',
        cacheTransform: false,
        host: '127.0.0.1',
        allowedOrigins: ['https://tofu.example.com'],
        insecureNoAuth: true,
        accessRecheckMs: 2_000,
        wsConnectionsPerUser: 8,
        wsConnectionsPerAddress: 100,
        notifyAllowLoopback: true,
        dashboardUrl: 'https://tofu.example.com/ui',
        logMaxBytes: 1_048_576,
        logNamespaceMaxChunks: 100,
        logNamespaceMaxBytes: 10_485_760,
      },
    );
  });

  it('points runners at the Service of the operator namespace unless told, and at nothing with the runner API off', () => {
    assert.equal(loadConfig({ POD_NAMESPACE: 'ops', TOFU_OPERATOR_RUNNER_PORT: '9000' }).runnerApiUrl, 'http://tofu-operator.ops.svc:9000');
    assert.equal(loadConfig({ TOFU_OPERATOR_RUNNER_PORT: '0' }).runnerApiUrl, undefined);
    assert.equal(loadConfig({ TOFU_OPERATOR_RUNNER_API_URL: 'https://runner.example.com/' }).runnerApiUrl, 'https://runner.example.com');
  });

  it('allows PORT 0 and 65535', () => {
    assert.equal(loadConfig({ PORT: '65535' }).port, 65535);
    assert.equal(loadConfig({ PORT: '0' }).port, 0);
  });

  const bools: { raw: string; value: boolean }[] = [
    { raw: 'true', value: true },
    { raw: '1', value: true },
    { raw: 'yes', value: true },
    { raw: 'false', value: false },
    { raw: '0', value: false },
    { raw: 'no', value: false },
  ];
  for (const { raw, value } of bools) {
    it(`reads boolean "${raw}" as ${value}`, () => {
      assert.equal(loadConfig({ TOFU_OPERATOR_LEADER_ELECTION: raw }).leaderElection, value);
      assert.equal(loadConfig({ TOFU_OPERATOR_RUNNER_NO_COLOR: raw }).runnerNoColor, value);
    });
  }

  it('takes the lease namespace from POD_NAMESPACE when not set explicitly', () => {
    assert.equal(loadConfig({ POD_NAMESPACE: 'operator-ns' }).leaseNamespace, 'operator-ns');
    assert.equal(loadConfig({ POD_NAMESPACE: 'operator-ns', TOFU_OPERATOR_LEASE_NAMESPACE: 'explicit' }).leaseNamespace, 'explicit');
  });

  it('makes an identity from the pod name or host name plus a random suffix', () => {
    const a = loadConfig({ POD_NAME: 'operator-0' }).identity;
    const b = loadConfig({ POD_NAME: 'operator-0' }).identity;
    assert.match(a, /^operator-0_[0-9a-f]{8}$/);
    assert.notEqual(a, b, 'two processes of the same pod get different identities');
    assert.ok(loadConfig({}).identity.startsWith(`${hostname()}_`));
  });

  const bad: { name: string; value: string }[] = [
    { name: 'TOFU_OPERATOR_ROLE', value: 'worker' },
    { name: 'TOFU_OPERATOR_ROLE', value: 'ALL' },
    { name: 'PORT', value: 'http' },
    { name: 'PORT', value: '-1' },
    { name: 'PORT', value: '80.5' },
    { name: 'PORT', value: '65536' },
    { name: 'PORT', value: '0x10' },
    { name: 'TOFU_OPERATOR_RUNNER_PORT', value: '65536' },
    { name: 'TOFU_OPERATOR_RUNNER_PORT', value: 'off' },
    { name: 'TOFU_OPERATOR_RUNNER_API_URL', value: '10.88.0.1:8082' },
    { name: 'TOFU_OPERATOR_RUNNER_API_URL', value: 'http://10.88.0.1:8082/api' },
    { name: 'TOFU_OPERATOR_RUNNER_API_URL', value: 'ftp://10.88.0.1' },
    { name: 'PORT', value: ' 8 ' },
    { name: 'TOFU_OPERATOR_CONCURRENCY', value: '1e3' },
    { name: 'TOFU_OPERATOR_RUNNER_PULL_POLICY', value: 'always' },
    { name: 'TOFU_OPERATOR_RUNNER_NO_COLOR', value: 'maybe' },
    { name: 'TOFU_OPERATOR_CONCURRENCY', value: '0' },
    { name: 'TOFU_OPERATOR_CONCURRENCY', value: 'many' },
    { name: 'TOFU_OPERATOR_LEADER_ELECTION', value: 'on' },
    { name: 'TOFU_OPERATOR_LEASE_DURATION_MS', value: '15s' },
    { name: 'TOFU_OPERATOR_RENEW_DEADLINE_MS', value: '0' },
    { name: 'TOFU_OPERATOR_RETRY_PERIOD_MS', value: '-2000' },
    { name: 'TOFU_OPERATOR_KUBE_QPS', value: '0' },
    { name: 'TOFU_OPERATOR_KUBE_QPS', value: '1.5' },
    { name: 'TOFU_OPERATOR_KUBE_BURST', value: 'lots' },
    { name: 'TOFU_OPERATOR_KUBE_LOW_PRIORITY_BUSY_PERCENT', value: '101' },
    { name: 'TOFU_OPERATOR_REVIEW_QPS', value: '0' },
    { name: 'TOFU_OPERATOR_PROVIDER_MIRROR_URL', value: 'http://10.88.0.1:8443/' },
    { name: 'TOFU_OPERATOR_PROVIDER_MIRROR_CA_CONFIGMAP', value: 'kube-root-ca.crt/ca.crt' },
    { name: 'TOFU_OPERATOR_PLUGIN_CACHE_CLAIM', value: 'Tofu_Plugins' },
  ];
  for (const { name, value } of bad) {
    it(`rejects ${name}="${value}" with a ConfigError naming the variable`, () => {
      assert.throws(
        () => loadConfig({ [name]: value }),
        (err: unknown) => {
          assert.ok(err instanceof ConfigError, `${String(err)} is a ConfigError`);
          assert.ok(err.message.includes(name), `"${err.message}" names ${name}`);
          assert.ok(err.message.includes(`"${value}"`), `"${err.message}" quotes the value`);
          return true;
        },
      );
    });
  }

  const badTimings: { name: string; env: Record<string, string> }[] = [
    { name: 'lease duration below the renew deadline', env: { TOFU_OPERATOR_LEASE_DURATION_MS: '5000' } },
    { name: 'renew deadline equal to the lease duration', env: { TOFU_OPERATOR_RENEW_DEADLINE_MS: '15000' } },
    { name: 'retry period above the renew deadline', env: { TOFU_OPERATOR_RETRY_PERIOD_MS: '12000' } },
    { name: 'retry period equal to the renew deadline', env: { TOFU_OPERATOR_RETRY_PERIOD_MS: '10000' } },
  ];
  for (const { name, env } of badTimings) {
    it(`rejects lease timings with the ${name}`, () => {
      assert.throws(
        () => loadConfig(env),
        (err: unknown) => {
          assert.ok(err instanceof ConfigError);
          for (const v of Object.keys(env)) assert.ok(err.message.includes(v), `"${err.message}" names ${v}`);
          return true;
        },
      );
    });
  }

  it('reads the allowed websocket origins', () => {
    const config = loadConfig({ TOFU_OPERATOR_ALLOWED_ORIGINS: 'https://tofu.example.com, http://localhost:3000' });
    assert.deepEqual(config.allowedOrigins, ['https://tofu.example.com', 'http://localhost:3000']);
  });

  for (const bad of ['tofu.example.com', 'https://tofu.example.com/path', 'ftp://x.example.com']) {
    it(`refuses the origin ${bad}`, () =>
      assert.throws(
        () => loadConfig({ TOFU_OPERATOR_ALLOWED_ORIGINS: bad }),
        (e: unknown) => e instanceof ConfigError && /ORIGINS/.test(e.message),
      ));
  }

  it('reads the dashboard URL without a trailing slash, and refuses what is no base URL', () => {
    assert.equal(loadConfig({}).dashboardUrl, undefined);
    assert.equal(loadConfig({}).notifyAllowLoopback, false);
    assert.equal(loadConfig({ TOFU_OPERATOR_DASHBOARD_URL: 'https://tofu.example.com/' }).dashboardUrl, 'https://tofu.example.com');
    for (const bad of ['tofu.example.com', 'ftp://tofu.example.com', 'https://tofu.example.com/?a=1', 'https://u:p@tofu.example.com'])
      assert.throws(
        () => loadConfig({ TOFU_OPERATOR_DASHBOARD_URL: bad }),
        (e: unknown) => e instanceof ConfigError && e.message.startsWith('TOFU_OPERATOR_DASHBOARD_URL'),
        bad,
      );
  });

  it('allows running without auth only on a loopback address', () => {
    assert.equal(loadConfig({ TOFU_OPERATOR_INSECURE_NO_AUTH: 'true', HOST: '127.0.0.1' }).insecureNoAuth, true);
    assert.throws(
      () => loadConfig({ TOFU_OPERATOR_INSECURE_NO_AUTH: 'true' }),
      (e: unknown) => e instanceof ConfigError && /loopback/.test(e.message),
    );
    assert.throws(() => loadConfig({ TOFU_OPERATOR_INSECURE_NO_AUTH: 'true', HOST: '10.0.0.1' }), ConfigError);
  });
});
