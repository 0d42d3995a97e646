import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { API_GROUP_VERSION, parseRunnerInput, type TofuExecution } from '@tofu-operator/api-types';
import { buildJob, INPUTS_DIR } from './job-template.js';
import { inputsSecretNameFor } from './inputs-secret.js';

const execution: TofuExecution = {
  apiVersion: API_GROUP_VERSION,
  kind: 'TofuExecution',
  metadata: { name: 'web-abcdefghij', namespace: 'team-a', uid: 'uid-1', generation: 1 },
  spec: { action: 'plan', moduleRef: { name: 'web' }, source: { repository: 'https://git.example.com/infra.git', workdir: '.' } },
};
const OPTS = { runnerImage: 'runner:1.0' };

describe('buildJob with inputs', () => {
  it('mounts the inputs Secret read-only and passes its directory and the var files to the runner', () => {
    const job = buildJob(
      execution,
      {
        ...execution.spec,
        source: execution.spec.source!,
        template: {},
        inputs: { secretName: 'web-abcdefghij-inputs', varFiles: ['env/a.tfvars'] },
      },
      OPTS,
    );
    const pod = job.spec!.template.spec;
    assert.deepEqual(
      pod.volumes?.find((v) => v.name === 'inputs'),
      { name: 'inputs', secret: { secretName: 'web-abcdefghij-inputs', defaultMode: 0o440 } },
    );
    const container = pod.containers[0]!;
    assert.deepEqual(
      container.volumeMounts?.find((m) => m.name === 'inputs'),
      { name: 'inputs', mountPath: INPUTS_DIR, readOnly: true },
    );
    const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value]));
    const input = parseRunnerInput(env);
    assert.equal(input.inputsDir, INPUTS_DIR);
    assert.deepEqual(input.varFiles, ['env/a.tfvars']);
  });

  it('has no inputs volume, directory or var files without inputs', () => {
    const job = buildJob(execution, { source: execution.spec.source!, template: {} }, OPTS);
    assert.equal(
      job.spec!.template.spec.volumes?.some((v) => v.name === 'inputs'),
      false,
    );
    const env = Object.fromEntries((job.spec!.template.spec.containers[0]!.env ?? []).map((e) => [e.name, e.value]));
    const input = parseRunnerInput(env);
    assert.equal(input.inputsDir, undefined);
    assert.equal(input.varFiles, undefined);
  });

  it('names the inputs Secret <execution>-inputs, within 63 characters for long names', () => {
    assert.equal(inputsSecretNameFor(execution), 'web-abcdefghij-inputs');
    const long = inputsSecretNameFor({ metadata: { name: 'x'.repeat(60) } });
    assert.ok(long.length <= 63 && long.endsWith('-inputs'));
  });
});
