import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  API_GROUP_VERSION,
  Labels,
  MIN_TTL_SECONDS_AFTER_FINISHED,
  type ExecutionTemplate,
  type Source,
  type TofuExecution,
} from '@tofu-operator/api-types';
import type { Container, Job } from '@tofu-operator/reconcile-runtime';
import {
  buildJob,
  GIT_CREDENTIALS_DIR,
  PLUGIN_CACHE_DIR,
  PROVIDER_MIRROR_CA_DIR,
  runnerLabels,
  runnerSecretNameFor,
  runOf,
  RUNNER_TOKEN_KEY,
  RUNNER_UID,
  type JobTemplateOptions,
} from './job-template.js';
import { jobNameFor } from '../execution/naming.js';
import { RUNNER_CONTAINER } from '../execution/runner-pod.js';

const OPTS: JobTemplateOptions = { runnerImage: 'runner:1.0' };
const SOURCE: Source = { repository: 'https://git.example.com/infra.git', revision: 'main', workdir: 'envs/prod' };

function execution(
  overrides: { name?: string; spec?: Partial<TofuExecution['spec']>; status?: TofuExecution['status'] } = {},
): TofuExecution {
  return {
    apiVersion: API_GROUP_VERSION,
    kind: 'TofuExecution',
    metadata: { name: overrides.name ?? 'web-abcdefghij', namespace: 'team-a', uid: 'uid-123', generation: 1 },
    spec: { action: 'plan', moduleRef: { name: 'web' }, source: SOURCE, ...overrides.spec },
    ...(overrides.status ? { status: overrides.status } : {}),
  };
}

function build(
  template: ExecutionTemplate = {},
  source: Source = SOURCE,
  opts: JobTemplateOptions = OPTS,
  ex: TofuExecution = execution(),
): Job {
  return buildJob(ex, { source, template }, opts);
}

function runner(job: Job): Container {
  const c = job.spec?.template.spec.containers.find((x) => x.name === RUNNER_CONTAINER);
  assert.ok(c, 'the Job has a runner container');
  return c;
}

function envOf(job: Job): Record<string, string | undefined> {
  return Object.fromEntries((runner(job).env ?? []).map((e) => [e.name, e.value]));
}

describe('buildJob', () => {
  describe('identity', () => {
    it('is deterministic', () => {
      assert.deepEqual(build({ env: [{ name: 'A', value: '1' }] }), build({ env: [{ name: 'A', value: '1' }] }));
    });

    it('is named after the execution, in its namespace', () => {
      const job = build();
      assert.equal(job.apiVersion, 'batch/v1');
      assert.equal(job.kind, 'Job');
      assert.equal(job.metadata?.name, 'web-abcdefghij');
      assert.equal(job.metadata?.namespace, 'team-a');
    });

    it('shortens the name of an execution with a name too long for a label', () => {
      const longName = `${'x'.repeat(70)}-abcdefghij`;
      const job = build({}, SOURCE, OPTS, execution({ name: longName }));
      assert.equal(job.metadata?.name, jobNameFor(longName));
      assert.ok((job.metadata?.name ?? '').length <= 63);
    });

    it('is controlled by the execution', () => {
      assert.deepEqual(build().metadata?.ownerReferences, [
        {
          apiVersion: API_GROUP_VERSION,
          kind: 'TofuExecution',
          name: 'web-abcdefghij',
          uid: 'uid-123',
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
    });
  });

  describe('labels', () => {
    it('labels the Job with the execution and its module', () => {
      assert.deepEqual(build().metadata?.labels, {
        [Labels.name]: 'tofu-runner',
        [Labels.component]: 'runner',
        [Labels.managedBy]: 'tofu-operator',
        [Labels.partOf]: 'tofu-operator',
        [Labels.instance]: 'web-abcdefghij',
        [Labels.execution]: 'web-abcdefghij',
        [Labels.module]: 'web',
      });
    });

    it('adds the stack label for a stack execution', () => {
      const labels = runnerLabels(execution({ spec: { stackRef: { name: 'web-prod' } } }));
      assert.equal(labels[Labels.stack], 'web-prod');
      assert.equal(labels[Labels.module], 'web');
    });

    it('puts the template pod labels on the pod, the operator labels winning', () => {
      const job = build({ podLabels: { team: 'a', [Labels.execution]: 'forged' }, podAnnotations: { note: 'x' } });
      const meta = job.spec?.template.metadata;
      assert.equal(meta?.labels?.team, 'a');
      assert.equal(meta?.labels?.[Labels.execution], 'web-abcdefghij');
      assert.deepEqual(meta?.annotations, { note: 'x' });
    });
  });

  describe('Job spec', () => {
    it('never retries: backoffLimit 0', () => {
      assert.equal(build().spec?.backoffLimit, 0);
      assert.equal(build().spec?.template.spec.restartPolicy, 'Never');
    });

    const deadlines: { template: ExecutionTemplate; expected: number }[] = [
      { template: {}, expected: 3600 },
      { template: { activeDeadlineSeconds: 120 }, expected: 120 },
    ];
    for (const { template, expected } of deadlines) {
      it(`sets activeDeadlineSeconds ${expected} for template ${JSON.stringify(template)}`, () => {
        assert.equal(build(template).spec?.activeDeadlineSeconds, expected);
      });
    }

    it('sets ttlSecondsAfterFinished only when the template does', () => {
      assert.equal(build().spec?.ttlSecondsAfterFinished, undefined);
      assert.equal(build({ ttlSecondsAfterFinished: 600 }).spec?.ttlSecondsAfterFinished, 600);
      assert.equal(build({ ttlSecondsAfterFinished: 60 }).spec?.ttlSecondsAfterFinished, 60);
    });

    // 0 let the Job controller delete the Job before the operator read its result: a succeeded run was
    // recorded Failed/JobDeleted. The schema refuses it now; objects stored before keep it.
    it('raises a stored ttlSecondsAfterFinished below the minimum to 60', () => {
      assert.equal(MIN_TTL_SECONDS_AFTER_FINISHED, 60);
      for (const ttl of [0, 1, 59]) assert.equal(build({ ttlSecondsAfterFinished: ttl }).spec?.ttlSecondsAfterFinished, 60);
    });

    it('contains no undefined fields', () => {
      const job = build();
      assert.deepEqual(job, JSON.parse(JSON.stringify(job)));
      const pod = job.spec?.template.spec;
      assert.ok(pod && !('serviceAccountName' in pod) && !('nodeSelector' in pod) && !('tolerations' in pod));
    });

    it('passes scheduling settings of the template through', () => {
      const template: ExecutionTemplate = {
        serviceAccountName: 'runner',
        nodeSelector: { zone: 'a' },
        tolerations: [{ key: 'k', operator: 'Exists' }],
        affinity: { nodeAffinity: {} },
        priorityClassName: 'low',
        imagePullSecrets: [{ name: 'pull' }],
        resources: { limits: { memory: '1Gi' } },
      };
      const job = build(template);
      const pod = job.spec?.template.spec;
      assert.equal(pod?.serviceAccountName, 'runner');
      assert.deepEqual(pod?.nodeSelector, { zone: 'a' });
      assert.deepEqual(pod?.tolerations, [{ key: 'k', operator: 'Exists' }]);
      assert.deepEqual(pod?.affinity, { nodeAffinity: {} });
      assert.equal(pod?.priorityClassName, 'low');
      assert.deepEqual(pod?.imagePullSecrets, [{ name: 'pull' }]);
      assert.deepEqual(runner(job).resources, { limits: { memory: '1Gi' } });
    });
  });

  describe('security', () => {
    it('runs the pod as the non-root runner user with RuntimeDefault seccomp', () => {
      assert.deepEqual(build().spec?.template.spec.securityContext, {
        runAsNonRoot: true,
        runAsUser: RUNNER_UID,
        runAsGroup: RUNNER_UID,
        fsGroup: RUNNER_UID,
        seccompProfile: { type: 'RuntimeDefault' },
      });
    });

    it('restricts the runner container', () => {
      assert.deepEqual(runner(build()).securityContext, {
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
    });

    it('gives the read-only root filesystem emptyDirs for /workspace, /tmp and /home/runner', () => {
      const job = build();
      const volumes = job.spec?.template.spec.volumes ?? [];
      const mounts = runner(job).volumeMounts ?? [];
      for (const path of ['/workspace', '/tmp', '/home/runner']) {
        const mount = mounts.find((m) => m.mountPath === path);
        assert.ok(mount, `${path} is mounted`);
        assert.deepEqual(volumes.find((v) => v.name === mount.name)?.emptyDir, {}, `${path} is an emptyDir`);
      }
      assert.equal(runner(job).workingDir, '/workspace');
    });

    const tokens: { template: ExecutionTemplate; expected: boolean }[] = [
      { template: {}, expected: false },
      { template: { automountServiceAccountToken: true }, expected: true },
      { template: { automountServiceAccountToken: false }, expected: false },
    ];
    for (const { template, expected } of tokens) {
      it(`automountServiceAccountToken is ${expected} for template ${JSON.stringify(template)}`, () => {
        assert.equal(build(template).spec?.template.spec.automountServiceAccountToken, expected);
      });
    }

    it('does not enable service links', () => {
      assert.equal(build().spec?.template.spec.enableServiceLinks, false);
    });
  });

  describe('git credentials', () => {
    it('mounts no credentials without credentialsSecretRef', () => {
      const job = build();
      assert.equal(
        job.spec?.template.spec.volumes?.some((v) => v.secret),
        false,
      );
      assert.equal(
        runner(job).volumeMounts?.some((m) => m.mountPath === GIT_CREDENTIALS_DIR),
        false,
      );
      assert.equal(envOf(job).TOFU_OPERATOR_GIT_CREDENTIALS_DIR, undefined);
    });

    it('mounts the credentials Secret read-only when credentialsSecretRef is set', () => {
      const job = build({}, { ...SOURCE, credentialsSecretRef: { name: 'git-creds' } });
      const volume = job.spec?.template.spec.volumes?.find((v) => v.secret);
      assert.deepEqual(volume, { name: 'git-credentials', secret: { secretName: 'git-creds', defaultMode: 0o440 } });
      assert.deepEqual(
        runner(job).volumeMounts?.find((m) => m.name === 'git-credentials'),
        { name: 'git-credentials', mountPath: GIT_CREDENTIALS_DIR, readOnly: true },
      );
      assert.equal(envOf(job).TOFU_OPERATOR_GIT_CREDENTIALS_DIR, GIT_CREDENTIALS_DIR);
    });

    it('passes insecureSkipHostKeyVerification to the runner only when it is set', () => {
      assert.equal(envOf(build({}, SOURCE)).TOFU_OPERATOR_SSH_INSECURE_SKIP_HOST_KEY, undefined);
      const job = build({}, { ...SOURCE, repository: 'ssh://git@git.example.com/infra.git', insecureSkipHostKeyVerification: true });
      assert.equal(envOf(job).TOFU_OPERATOR_SSH_INSECURE_SKIP_HOST_KEY, 'true');
    });
  });

  describe('environment', () => {
    it('describes the run to the runner', () => {
      const env = envOf(build({}, SOURCE, { ...OPTS, noColor: true }));
      assert.deepEqual(
        {
          action: env.TOFU_OPERATOR_ACTION,
          execution: env.TOFU_OPERATOR_EXECUTION,
          repository: env.TOFU_OPERATOR_REPOSITORY,
          revision: env.TOFU_OPERATOR_REVISION,
          workdir: env.TOFU_OPERATOR_WORKDIR,
          workspace: env.TOFU_OPERATOR_WORKSPACE,
          noColor: env.TOFU_OPERATOR_NO_COLOR,
          home: env.HOME,
          tmp: env.TMPDIR,
        },
        {
          action: 'plan',
          execution: 'web-abcdefghij',
          repository: 'https://git.example.com/infra.git',
          revision: 'main',
          workdir: 'envs/prod',
          workspace: '/workspace',
          noColor: 'true',
          home: '/home/runner',
          tmp: '/tmp',
        },
      );
    });

    it("defaults the workdir to '.', the revision to empty and colours on", () => {
      const env = envOf(build({}, { repository: 'https://git.example.com/infra.git' }));
      assert.equal(env.TOFU_OPERATOR_WORKDIR, '.');
      assert.equal(env.TOFU_OPERATOR_REVISION, '');
      assert.equal(env.TOFU_OPERATOR_NO_COLOR, 'false');
    });

    it('checks out spec.commit exactly when the operator resolved one (the execution keeps the branch)', () => {
      const commit = 'a'.repeat(40);
      const ex = execution({ spec: { commit } });
      assert.equal(envOf(build({}, SOURCE, OPTS, ex)).TOFU_OPERATOR_REVISION, commit);
      assert.equal(ex.spec.source?.revision, 'main');
    });

    it('appends template variables after the operator ones', () => {
      const job = build({
        env: [
          { name: 'TF_VAR_region', value: 'eu' },
          { name: 'SECRET', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
        ],
      });
      const env = runner(job).env ?? [];
      assert.deepEqual(env.slice(-2), [
        { name: 'TF_VAR_region', value: 'eu' },
        { name: 'SECRET', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
      ]);
    });

    const reserved = [
      'TOFU_OPERATOR_REPOSITORY',
      'TOFU_OPERATOR_REVISION',
      'TOFU_OPERATOR_WORKDIR',
      'TOFU_OPERATOR_ACTION',
      'TOFU_OPERATOR_EXECUTION',
      'TOFU_OPERATOR_WORKSPACE',
      'TOFU_OPERATOR_NO_COLOR',
      'HOME',
      'TMPDIR',
    ];
    for (const name of reserved) {
      it(`does not let the template override ${name}`, () => {
        const job = build({ env: [{ name, value: 'forged' }] });
        const matching = (runner(job).env ?? []).filter((e) => e.name === name);
        assert.equal(matching.length, 1, `${name} appears once`);
        assert.notEqual(matching[0]?.value, 'forged');
      });
    }

    it('does not let the template override TOFU_OPERATOR_GIT_CREDENTIALS_DIR', () => {
      const job = build(
        { env: [{ name: 'TOFU_OPERATOR_GIT_CREDENTIALS_DIR', value: '/etc' }] },
        { ...SOURCE, credentialsSecretRef: { name: 'c' } },
      );
      const matching = (runner(job).env ?? []).filter((e) => e.name === 'TOFU_OPERATOR_GIT_CREDENTIALS_DIR');
      assert.deepEqual(matching, [{ name: 'TOFU_OPERATOR_GIT_CREDENTIALS_DIR', value: GIT_CREDENTIALS_DIR }]);
    });

    it('drops every TOFU_OPERATOR_* variable of a template, also those the operator does not set itself', () => {
      const job = build({
        env: [
          { name: 'TOFU_OPERATOR_GIT_CREDENTIALS_DIR', value: '/etc' },
          { name: 'TOFU_OPERATOR_TERMINATION_LOG', value: '/tmp/elsewhere' },
          { name: 'TF_VAR_region', value: 'eu' },
        ],
      });
      const names = (runner(job).env ?? []).map((e) => e.name);
      assert.ok(!names.includes('TOFU_OPERATOR_GIT_CREDENTIALS_DIR') && !names.includes('TOFU_OPERATOR_TERMINATION_LOG'), names.join());
      assert.equal(names.at(-1), 'TF_VAR_region');
    });
  });

  describe('image', () => {
    const images: { template: ExecutionTemplate; opts: JobTemplateOptions; image: string; policy: string }[] = [
      { template: {}, opts: OPTS, image: 'runner:1.0', policy: 'IfNotPresent' },
      { template: {}, opts: { runnerImage: 'r:2', imagePullPolicy: 'Never' }, image: 'r:2', policy: 'Never' },
      {
        template: { image: 'custom:3', imagePullPolicy: 'Always' },
        opts: { runnerImage: 'r:2', imagePullPolicy: 'Never' },
        image: 'custom:3',
        policy: 'Always',
      },
    ];
    for (const { template, opts, image, policy } of images) {
      it(`uses ${image} with pull policy ${policy}`, () => {
        const c = runner(build(template, SOURCE, opts));
        assert.equal(c.image, image);
        assert.equal(c.imagePullPolicy, policy);
      });
    }
  });
});

describe('runOf', () => {
  const resolvedSource: Source = { repository: 'https://git.example.com/resolved.git' };
  const table: { name: string; ex: TofuExecution; expected: ReturnType<typeof runOf> }[] = [
    {
      name: 'prefers the spec snapshot over status.resolved',
      ex: execution({
        spec: { source: SOURCE, executionTemplate: { image: 'spec' } },
        status: { resolved: { source: resolvedSource, executionTemplate: { image: 'resolved' } } },
      }),
      expected: { source: SOURCE, template: { image: 'spec' } },
    },
    {
      name: 'uses an empty template with a spec source and no template',
      ex: execution({ spec: { source: SOURCE } }),
      expected: { source: SOURCE, template: {} },
    },
    {
      name: 'falls back to status.resolved without a spec source',
      ex: execution({
        spec: { source: undefined, executionTemplate: { image: 'ignored' } },
        status: { resolved: { source: resolvedSource, executionTemplate: { image: 'resolved' } } },
      }),
      expected: { source: resolvedSource, template: { image: 'resolved' } },
    },
    {
      name: 'uses an empty template with a resolved source and no template',
      ex: execution({ spec: { source: undefined }, status: { resolved: { source: resolvedSource } } }),
      expected: { source: resolvedSource, template: {} },
    },
    { name: 'is undefined when nothing is resolved yet', ex: execution({ spec: { source: undefined } }), expected: undefined },
    {
      name: 'is undefined when resolved has no source',
      ex: execution({ spec: { source: undefined }, status: { resolved: {} } }),
      expected: undefined,
    },
  ];
  for (const { name, ex, expected } of table) {
    it(name, () => {
      assert.deepEqual(runOf(ex), expected);
    });
  }
});

describe('buildJob with the runner API', () => {
  const DIGEST = `sha256:${'f'.repeat(64)}`;
  const settings = { owner: { kind: 'stack' as const, name: 'web' }, backend: 'Operator' as const };
  const withApi = { ...OPTS, runnerApiUrl: 'http://10.88.0.1:8082' };

  it('passes the URL, namespace, owner and backend, and the token as a reference to <execution>-runner', () => {
    const job = buildJob(execution(), { source: SOURCE, template: {}, settings }, withApi);
    const env = envOf(job);
    assert.equal(env['TOFU_OPERATOR_RUNNER_API_URL'], 'http://10.88.0.1:8082');
    assert.equal(env['TOFU_OPERATOR_NAMESPACE'], 'team-a');
    assert.equal(env['TOFU_OPERATOR_OWNER_KIND'], 'stack');
    assert.equal(env['TOFU_OPERATOR_OWNER_NAME'], 'web');
    assert.equal(env['TOFU_OPERATOR_BACKEND'], 'Operator');
    const token = runner(job).env?.find((e) => e.name === 'TOFU_OPERATOR_RUNNER_TOKEN');
    assert.deepEqual(token, {
      name: 'TOFU_OPERATOR_RUNNER_TOKEN',
      valueFrom: { secretKeyRef: { name: 'web-abcdefghij-runner', key: RUNNER_TOKEN_KEY } },
    });
    assert.equal(runnerSecretNameFor(execution()), 'web-abcdefghij-runner');
  });

  it("passes the owner's encryption passphrase as a Secret reference, never a value", () => {
    const keySecretRef = { name: 'state-key', key: 'passphrase' };
    const job = buildJob(
      execution(),
      { source: SOURCE, template: {}, settings: { ...settings, stateEncryption: { keySecretRef } } },
      withApi,
    );
    const pass = runner(job).env?.find((e) => e.name === 'TOFU_OPERATOR_STATE_PASSPHRASE');
    assert.deepEqual(pass, { name: 'TOFU_OPERATOR_STATE_PASSPHRASE', valueFrom: { secretKeyRef: keySecretRef } });
  });

  it('passes an apply its plan and a destroy plan its flag', () => {
    const apply = execution({ spec: { action: 'apply', planRef: { name: 'web-abc', digest: DIGEST } } });
    const env = envOf(buildJob(apply, { source: SOURCE, template: {}, settings }, withApi));
    assert.equal(env['TOFU_OPERATOR_ACTION'], 'apply');
    assert.equal(env['TOFU_OPERATOR_PLAN_NAME'], 'web-abc');
    assert.equal(env['TOFU_OPERATOR_PLAN_DIGEST'], DIGEST);
    const destroy = envOf(buildJob(execution({ spec: { destroy: true } }), { source: SOURCE, template: {}, settings }, withApi));
    assert.equal(destroy['TOFU_OPERATOR_DESTROY'], 'true');
  });

  it('without a runner API URL passes no state settings and no token', () => {
    const env = envOf(buildJob(execution(), { source: SOURCE, template: {}, settings }, OPTS));
    for (const name of ['TOFU_OPERATOR_RUNNER_API_URL', 'TOFU_OPERATOR_OWNER_KIND', 'TOFU_OPERATOR_BACKEND', 'TOFU_OPERATOR_RUNNER_TOKEN'])
      assert.equal(name in env, false, name);
  });
});

describe('buildJob with a provider mirror', () => {
  const mirror = { url: 'https://10.88.0.1:8443/', caConfigMap: { name: 'kube-root-ca.crt', key: 'ca.crt' } };

  it('passes the mirror URL and mounts the CA key of the ConfigMap read-only, optional, as the runner’s CA file', () => {
    const job = build({}, SOURCE, { ...OPTS, providerMirror: mirror });
    const env = envOf(job);
    assert.equal(env.TOFU_OPERATOR_PROVIDER_MIRROR_URL, 'https://10.88.0.1:8443/');
    assert.equal(env.TOFU_OPERATOR_PROVIDER_MIRROR_CA_FILE, `${PROVIDER_MIRROR_CA_DIR}/ca.crt`);
    assert.deepEqual(
      job.spec?.template.spec.volumes?.find((v) => v.name === 'provider-mirror-ca'),
      {
        name: 'provider-mirror-ca',
        configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }], defaultMode: 0o444, optional: true },
      },
    );
    assert.deepEqual(
      runner(job).volumeMounts?.find((m) => m.name === 'provider-mirror-ca'),
      { name: 'provider-mirror-ca', mountPath: PROVIDER_MIRROR_CA_DIR, readOnly: true },
    );
  });

  it('maps any key to ca.crt, so the runner’s file name never depends on the key', () => {
    const job = build({}, SOURCE, { ...OPTS, providerMirror: { url: mirror.url, caConfigMap: { name: 'mirror-ca', key: 'root.pem' } } });
    const volume = job.spec?.template.spec.volumes?.find((v) => v.name === 'provider-mirror-ca');
    assert.deepEqual(volume?.configMap?.items, [{ key: 'root.pem', path: 'ca.crt' }]);
    assert.equal(volume?.configMap?.name, 'mirror-ca');
  });

  it('passes the URL alone, with no volume, when the mirror needs no CA', () => {
    const job = build({}, SOURCE, { ...OPTS, providerMirror: { url: mirror.url } });
    assert.equal(envOf(job).TOFU_OPERATOR_PROVIDER_MIRROR_URL, mirror.url);
    assert.equal('TOFU_OPERATOR_PROVIDER_MIRROR_CA_FILE' in envOf(job), false);
    assert.equal(
      job.spec?.template.spec.volumes?.some((v) => v.name === 'provider-mirror-ca'),
      false,
    );
  });

  it('sets nothing about providers without a mirror', () => {
    const job = build();
    assert.equal(
      Object.keys(envOf(job)).some((k) => k.startsWith('TOFU_OPERATOR_PROVIDER_MIRROR')),
      false,
    );
    assert.equal(
      job.spec?.template.spec.volumes?.some((v) => v.name === 'provider-mirror-ca'),
      false,
    );
  });

  it('does not let a template override the mirror', () => {
    const job = build({ env: [{ name: 'TOFU_OPERATOR_PROVIDER_MIRROR_URL', value: 'https://evil.example/' }] }, SOURCE, {
      ...OPTS,
      providerMirror: mirror,
    });
    assert.deepEqual(
      (runner(job).env ?? []).filter((e) => e.name === 'TOFU_OPERATOR_PROVIDER_MIRROR_URL').map((e) => e.value),
      [mirror.url],
    );
  });
});

describe('buildJob with a shared plugin cache', () => {
  it('mounts the claim read-write at the cache directory and tells the runner where it is', () => {
    const job = build({}, SOURCE, { ...OPTS, pluginCacheClaim: 'tofu-plugins' });
    assert.equal(envOf(job).TOFU_OPERATOR_PLUGIN_CACHE_DIR, PLUGIN_CACHE_DIR);
    assert.equal(PLUGIN_CACHE_DIR, '/var/cache/tofu-plugins');
    assert.deepEqual(
      job.spec?.template.spec.volumes?.find((v) => v.name === 'plugin-cache'),
      { name: 'plugin-cache', persistentVolumeClaim: { claimName: 'tofu-plugins' } },
    );
    assert.deepEqual(
      runner(job).volumeMounts?.find((m) => m.name === 'plugin-cache'),
      { name: 'plugin-cache', mountPath: PLUGIN_CACHE_DIR },
    );
  });

  it('mounts nothing and sets no cache without a claim (unset, or none in the namespace)', () => {
    const job = build();
    assert.equal('TOFU_OPERATOR_PLUGIN_CACHE_DIR' in envOf(job), false);
    assert.equal(
      job.spec?.template.spec.volumes?.some((v) => v.persistentVolumeClaim),
      false,
    );
  });

  it('does not let a template point the runner at another cache', () => {
    const job = build({ env: [{ name: 'TOFU_OPERATOR_PLUGIN_CACHE_DIR', value: '/tmp/evil' }] }, SOURCE, OPTS);
    assert.equal('TOFU_OPERATOR_PLUGIN_CACHE_DIR' in envOf(job), false);
  });
});
