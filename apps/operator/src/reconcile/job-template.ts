import {
  API_GROUP_VERSION,
  controllerRef,
  Defaults,
  encodeRunnerInput,
  isReservedEnvName,
  Labels,
  MANAGED_BY,
  nameOf,
  type ExecutionTemplate,
  type RunnerSecretRefs,
  type Source,
  type TofuExecution,
} from '@tofu-operator/api-types';
import type { Container, EnvVar, Job, Volume } from '@tofu-operator/reconcile-runtime';
import { withSafeJobTtl } from '../execution/job-ttl.js';
import { jobNameFor, labelValueFor, suffixedNameFor } from '../execution/naming.js';
import { RUNNER_CONTAINER } from '../execution/runner-pod.js';
import type { RunSettings } from './run-resolver.js';

/** UID and GID of the runner image's non-root user. */
export const RUNNER_UID = 65532;
/** Where the git credentials Secret is mounted in the runner. */
export const GIT_CREDENTIALS_DIR = '/var/run/secrets/tofu-operator/git';
/** Where the execution's inputs Secret (variable files and their manifest) is mounted in the runner. */
export const INPUTS_DIR = '/var/run/secrets/tofu-operator/inputs';
/** Where the provider mirror's CA (one key of a ConfigMap) is mounted in the runner. */
export const PROVIDER_MIRROR_CA_DIR = '/var/run/tofu-operator/provider-mirror-ca';
/** Where the shared provider cache (a PersistentVolumeClaim of the run's namespace) is mounted in the runner. */
export const PLUGIN_CACHE_DIR = '/var/cache/tofu-plugins';
export const WORKSPACE_DIR = '/workspace';
export const HOME_DIR = '/home/runner';

/** Settings of the operator that shape runner Jobs. */
export interface JobTemplateOptions {
  /** Runner image when the template names none. */
  runnerImage: string;
  /** Pull policy when the template names none. */
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  /** Plain-text tofu output (no ANSI colours) when true. */
  noColor?: boolean;
  /** Where runner pods reach the runner API; unset, runs keep no state and store no plan. */
  runnerApiUrl?: string;
  /** The network mirror runners install providers from, and the ConfigMap key (run's namespace) with its CA. */
  providerMirror?: { url: string; caConfigMap?: { name: string; key: string } };
  /** A PersistentVolumeClaim of the run's namespace to mount as the shared provider cache (the preparer checked it exists). */
  pluginCacheClaim?: string;
}

/** The key of the runner token in the execution's runner Secret. */
export const RUNNER_TOKEN_KEY = 'token';

/**
 * The Secret that holds an execution's runner token (ADR 0007): `<execution>-runner`, or a
 * truncation plus a hash past 63 characters. Owned by the execution, so it goes with it.
 */
export function runnerSecretNameFor(execution: Pick<TofuExecution, 'metadata'>): string {
  return suffixedNameFor(nameOf(execution), 'runner');
}

/** What a Job runs: the source and template, and (with the runner API) where its state lives. */
export interface JobRun {
  source: Source;
  template: ExecutionTemplate;
  settings?: RunSettings;
  /** The execution's inputs Secret (inputs-secret.ts) and spec.varFiles, when it has inputs. */
  inputs?: { secretName: string; varFiles: string[] };
}

/** The run an execution describes: its spec snapshot, or what the operator resolved into status. */
export function runOf(execution: TofuExecution): { source: Source; template: ExecutionTemplate } | undefined {
  if (execution.spec.source) return { source: execution.spec.source, template: execution.spec.executionTemplate ?? {} };
  const resolved = execution.status?.resolved;
  if (resolved?.source) return { source: resolved.source, template: resolved.executionTemplate ?? {} };
  return undefined;
}

/** Labels that identify an execution's Job and Pod (also the selector of the operator's informers). */
export function runnerLabels(execution: TofuExecution): Record<string, string> {
  const labels: Record<string, string> = {
    [Labels.name]: 'tofu-runner',
    [Labels.component]: 'runner',
    [Labels.managedBy]: MANAGED_BY,
    [Labels.partOf]: 'tofu-operator',
    [Labels.instance]: labelValueFor(nameOf(execution)),
    [Labels.execution]: labelValueFor(nameOf(execution)),
  };
  if (execution.spec.moduleRef) labels[Labels.module] = labelValueFor(execution.spec.moduleRef.name);
  if (execution.spec.stackRef) labels[Labels.stack] = labelValueFor(execution.spec.stackRef.name);
  return labels;
}

/**
 * Builds the one Job of an execution. Pure: the same execution and options give the same Job.
 * The pod meets the Pod Security Standards "restricted" profile: non-root, no privilege escalation,
 * no capabilities, RuntimeDefault seccomp, read-only root filesystem with emptyDirs for the
 * workspace, /tmp and HOME, and no ServiceAccount token unless the template asks for one.
 */
export function buildJob(execution: TofuExecution, run: JobRun, opts: JobTemplateOptions): Job {
  const { source, template, settings, inputs } = run;
  const name = nameOf(execution);
  const labels = runnerLabels(execution);
  const { destroy, planRef } = execution.spec;
  // The state and saved plans go through the runner API: its URL, the owner of the state, the
  // backend, and the token and passphrase as Secret references (never literal values in the Job).
  const api = opts.runnerApiUrl && settings ? { url: opts.runnerApiUrl, settings } : undefined;
  const secrets: RunnerSecretRefs = {};
  if (api) secrets.runnerToken = { name: runnerSecretNameFor(execution), key: RUNNER_TOKEN_KEY };
  if (settings?.stateEncryption) secrets.statePassphrase = settings.stateEncryption.keySecretRef;
  const mirror = opts.providerMirror;
  const env: EnvVar[] = encodeRunnerInput(
    {
      action: execution.spec.action,
      execution: name,
      repository: source.repository,
      // A commit the operator resolved (spec.commit) is checked out exactly; the execution keeps
      // source.revision, the branch, for people.
      revision: execution.spec.commit ?? source.revision ?? '',
      workdir: source.workdir ?? Defaults.workdir,
      workspace: WORKSPACE_DIR,
      noColor: opts.noColor ?? false,
      home: HOME_DIR,
      tmpDir: '/tmp',
      ...(source.credentialsSecretRef ? { gitCredentialsDir: GIT_CREDENTIALS_DIR } : {}),
      ...(source.insecureSkipHostKeyVerification ? { sshInsecureSkipHostKey: true } : {}),
      ...(api
        ? { runnerApiUrl: api.url, namespace: execution.metadata.namespace, owner: api.settings.owner, backend: api.settings.backend }
        : {}),
      ...(destroy ? { destroy } : {}),
      ...(inputs ? { inputsDir: INPUTS_DIR, ...(inputs.varFiles.length > 0 ? { varFiles: inputs.varFiles } : {}) } : {}),
      ...(planRef ? { planRef: { name: planRef.name, digest: planRef.digest } } : {}),
      ...(mirror
        ? { providerMirror: { url: mirror.url, ...(mirror.caConfigMap ? { caFile: `${PROVIDER_MIRROR_CA_DIR}/ca.crt` } : {}) } }
        : {}),
      ...(opts.pluginCacheClaim ? { pluginCacheDir: PLUGIN_CACHE_DIR } : {}),
    },
    secrets,
  );
  const volumes: Volume[] = [
    { name: 'workspace', emptyDir: {} },
    { name: 'tmp', emptyDir: {} },
    { name: 'home', emptyDir: {} },
  ];
  const mounts: NonNullable<Container['volumeMounts']> = [
    { name: 'workspace', mountPath: WORKSPACE_DIR },
    { name: 'tmp', mountPath: '/tmp' },
    { name: 'home', mountPath: HOME_DIR },
  ];
  if (source.credentialsSecretRef) {
    volumes.push({ name: 'git-credentials', secret: { secretName: source.credentialsSecretRef.name, defaultMode: 0o440 } });
    mounts.push({ name: 'git-credentials', mountPath: GIT_CREDENTIALS_DIR, readOnly: true });
  }
  if (mirror?.caConfigMap) {
    // Optional: a missing ConfigMap or key leaves the file absent and the runner fails naming it,
    // instead of a pod that never starts.
    const { name: cm, key } = mirror.caConfigMap;
    volumes.push({
      name: 'provider-mirror-ca',
      configMap: { name: cm, items: [{ key, path: 'ca.crt' }], defaultMode: 0o444, optional: true },
    });
    mounts.push({ name: 'provider-mirror-ca', mountPath: PROVIDER_MIRROR_CA_DIR, readOnly: true });
  }
  if (opts.pluginCacheClaim) {
    // Read-write: tofu adds what it downloads, under a lock file per provider version.
    volumes.push({ name: 'plugin-cache', persistentVolumeClaim: { claimName: opts.pluginCacheClaim } });
    mounts.push({ name: 'plugin-cache', mountPath: PLUGIN_CACHE_DIR });
  }
  if (inputs) {
    volumes.push({ name: 'inputs', secret: { secretName: inputs.secretName, defaultMode: 0o440 } });
    mounts.push({ name: 'inputs', mountPath: INPUTS_DIR, readOnly: true });
  }
  // Reserved names (the runner's input, HOME, TMPDIR) are refused at admission; an object stored
  // before that rule still reaches here, and its variable is dropped so a template can never point
  // the runner at another repository than the one the spec names.
  for (const e of template.env ?? []) if (!isReservedEnvName(e.name)) env.push(e);

  const container: Container = {
    name: RUNNER_CONTAINER,
    image: template.image ?? opts.runnerImage,
    imagePullPolicy: template.imagePullPolicy ?? opts.imagePullPolicy ?? 'IfNotPresent',
    env,
    volumeMounts: mounts,
    workingDir: WORKSPACE_DIR,
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
  };
  if (template.resources) container.resources = template.resources as NonNullable<Container['resources']>;

  const job: Job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobNameFor(name),
      namespace: execution.metadata.namespace,
      labels,
      ownerReferences: [controllerRef(API_GROUP_VERSION, 'TofuExecution', execution)],
    },
    spec: {
      // Retrying is the operator's decision, never the Job controller's: a plan is not re-run behind
      // the user's back, and an apply must never be.
      backoffLimit: 0,
      activeDeadlineSeconds: template.activeDeadlineSeconds ?? Defaults.activeDeadlineSeconds,
      podReplacementPolicy: 'Failed',
      template: {
        metadata: { labels: { ...(template.podLabels ?? {}), ...labels }, annotations: template.podAnnotations ?? {} },
        spec: {
          restartPolicy: 'Never',
          serviceAccountName: template.serviceAccountName,
          automountServiceAccountToken: template.automountServiceAccountToken ?? false,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: 30,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: RUNNER_UID,
            runAsGroup: RUNNER_UID,
            fsGroup: RUNNER_UID,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [container],
          volumes,
          nodeSelector: template.nodeSelector,
          tolerations: template.tolerations as Record<string, unknown>[] | undefined,
          affinity: template.affinity,
          priorityClassName: template.priorityClassName,
          imagePullSecrets: template.imagePullSecrets,
        },
      },
    },
  };
  // Clamped: an object stored before the schema's minimum may hold 0, and the Job must outlive our reading of it.
  const ttl = withSafeJobTtl(template).ttlSecondsAfterFinished;
  if (ttl !== undefined) job.spec!.ttlSecondsAfterFinished = ttl;
  return dropUndefined(job);
}

/** Removes undefined fields so the object compares equal to what the API server returns. */
function dropUndefined<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
