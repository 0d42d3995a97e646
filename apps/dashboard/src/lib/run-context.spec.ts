import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TofuExecution } from '@tofu-operator/api-types';
import { commitUrl, displayRepository, previousTrigger, runCommit, runSteps, runTrigger, shortSha, stepDuration } from './run-context.ts';

const SHA = '0123456789abcdef0123456789abcdef01234567';

function exec(name: string, annotations: Record<string, string>, spec: Partial<TofuExecution['spec']> = {}): TofuExecution {
  return {
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuExecution',
    metadata: { name, namespace: 'ns', annotations },
    spec: { action: 'plan', moduleRef: { name: 'web' }, ...spec },
  };
}

describe('shortSha', () => {
  it('cuts a SHA to 7', () => assert.equal(shortSha(SHA), '0123456'));
  it('keeps a branch name', () => assert.equal(shortSha('main'), 'main'));
});

describe('commitUrl', () => {
  for (const [repo, want] of [
    ['https://github.com/acme/infra.git', `https://github.com/acme/infra/commit/${SHA}`],
    ['https://github.com/acme/infra/', `https://github.com/acme/infra/commit/${SHA}`],
    ['https://gitlab.com/group/sub/infra.git', `https://gitlab.com/group/sub/infra/commit/${SHA}`],
    ['https://gitea.example.org/acme/infra', `https://gitea.example.org/acme/infra/commit/${SHA}`],
    ['https://user:secret@github.com/acme/infra.git', `https://github.com/acme/infra/commit/${SHA}`],
    ['http://github.com/acme/infra.git', undefined],
    ['git@github.com:acme/infra.git', undefined],
    ['https://git.example.com/acme/infra.git', undefined],
    ['http://git-server.tofu-e2e.svc/infra.git', undefined],
    ['https://github.com/acme', undefined],
    ['not a url', undefined],
  ] as const)
    it(`${repo} -> ${want ?? 'no link'}`, () => assert.equal(commitUrl(repo, SHA), want));
  it('no link for a branch name', () => assert.equal(commitUrl('https://github.com/acme/infra', 'main'), undefined));
  it('never leaks credentials', () => assert.doesNotMatch(commitUrl('https://u:p@github.com/a/b', SHA) ?? '', /u:p|@/));
});

describe('displayRepository', () => {
  it('hides credentials', () =>
    assert.equal(displayRepository('https://u:tok@git.example.com/a.git'), 'https://***@git.example.com/a.git'));
  it('keeps a plain URL', () => assert.equal(displayRepository('https://github.com/a/b.git'), 'https://github.com/a/b.git'));
  it('keeps an scp-like ssh address', () => assert.equal(displayRepository('git@github.com:a/b.git'), 'git@github.com:a/b.git'));
});

describe('runCommit', () => {
  it("a plan's recorded commit", () => {
    const e = exec('p', {});
    e.status = { plan: { commit: SHA } };
    assert.equal(runCommit(e, []), SHA);
  });
  it("an apply's pinned revision", () => {
    const e = exec('a', {}, { action: 'apply', planRef: { name: 'p', digest: 'sha256:x' }, source: { repository: 'r', revision: SHA } });
    assert.equal(runCommit(e, []), SHA);
  });
  it("a failed run's reported commit (status.commit), without its log", () => {
    const e = exec('p', {});
    e.status = { phase: 'Failed', commit: SHA };
    assert.equal(runCommit(e, []), SHA);
  });
  it("the runner's checked-out line for a failed plan", () => {
    assert.equal(runCommit(exec('p', {}), ['==> cloning x at main', `==> checked out ${SHA}`, '==> tofu init']), SHA);
  });
  it('nothing before the clone', () =>
    assert.equal(runCommit(exec('p', {}, { source: { repository: 'r', revision: 'main' } }), []), undefined));
});

describe('runTrigger', () => {
  const t = (trigger: string, previous?: string) => runTrigger(exec('p', { 'tofu-operator.io/trigger': trigger }), previous);
  it('creation', () => assert.deepEqual(t('g1'), { label: 'Created', detail: 'generation 1', raw: 'g1' }));
  it('spec change without history', () => assert.equal(t('g3').label, 'Spec change'));
  it('spec change against the previous plan', () =>
    assert.equal(t('g2/r2025-01-01T00:00:00Z', 'g1/r2025-01-01T00:00:00Z').label, 'Spec change'));
  it('re-plan request', () => {
    const got = t('g2/r2025-01-02T00:00:00Z', 'g2');
    assert.equal(got.label, 'Re-plan request');
    assert.equal(got.detail, 'requested at 2025-01-02T00:00:00Z');
  });
  it('module change of a stack', () => assert.equal(t('g1/m3', 'g1/m2').label, 'Module change'));
  it('inputs change', () => assert.equal(t('g1/iabc', 'g1/idef').label, 'Inputs change'));
  it('destroy request', () => assert.equal(t('destroy/d2025-01-03T00:00:00Z').label, 'Destroy request'));
  it('deletion', () => assert.equal(t('destroy').label, 'Deletion'));
  it('hand-made', () => assert.equal(runTrigger(exec('p', {})).label, 'Created by hand'));
  it('apply names the approver', () => {
    const e = exec('a', { 'tofu-operator.io/approved-by': 'alice' }, { action: 'apply', planRef: { name: 'p', digest: 'd' } });
    assert.deepEqual(runTrigger(e), { label: 'Apply of approved plan', detail: 'approved by alice' });
  });
  it('autoApply apply', () => {
    const e = exec('a', {}, { action: 'destroy', planRef: { name: 'p', digest: 'd' } });
    assert.deepEqual(runTrigger(e), { label: 'Destroy of approved plan', detail: 'approved automatically (autoApply)' });
  });
});

describe('previousTrigger', () => {
  const at = (name: string, when: string, trigger: string, stack?: string) =>
    exec(name, { 'tofu-operator.io/created-at': when, 'tofu-operator.io/trigger': trigger }, stack ? { stackRef: { name: stack } } : {});
  const a = at('a', '2025-01-01T00:00:00Z', 'g1');
  const b = at('b', '2025-01-01T00:01:00Z', 'g2');
  const c = at('c', '2025-01-01T00:02:00Z', 'g3');
  const other = at('s', '2025-01-01T00:01:30Z', 'g9', 'stack');
  it('the newest plan before', () => assert.equal(previousTrigger(c, [a, b, c, other]), 'g2'));
  it('none for the first', () => assert.equal(previousTrigger(a, [a, b, c]), undefined));
  it('only the same owner', () => assert.equal(previousTrigger(other, [a, b, c, other]), undefined));
});

describe('runSteps', () => {
  const log = [
    `==> cloning http://git/infra at main`,
    `==> checked out ${SHA}`,
    'x',
    '==> tofu init',
    'y',
    '==> tofu plan',
    'Plan: 1 to add',
  ];
  it('all done when succeeded', () =>
    assert.deepEqual(
      runSteps(log, 'Succeeded').map((s) => `${s.name}:${s.state}`),
      ['clone:done', 'init:done', 'plan:done'],
    ));
  it('the last one runs while running', () => assert.equal(runSteps(log.slice(0, 4), 'Running').at(-1)?.state, 'running'));
  it('the last one failed', () =>
    assert.deepEqual(runSteps(log.slice(0, 4), 'Failed').at(-1), { name: 'init', line: 'tofu init', state: 'failed' }));
  it('apply steps', () =>
    assert.deepEqual(
      runSteps(['==> fetching plan p', '==> cloning r', '==> tofu init', '==> tofu apply p', '==> tofu output -json'], 'Succeeded').map(
        (s) => s.name,
      ),
      ['clone', 'init', 'apply', 'outputs'],
    ));
  it('a destroy plan', () => assert.equal(runSteps(['==> tofu plan -destroy'], 'Running')[0]?.name, 'plan'));
  it('no markers, no steps', () => assert.deepEqual(runSteps(['hello'], 'Running'), []));
});

describe("step durations from the markers' times", () => {
  const at = (s: number) => `2026-11-30T10:00:${String(s).padStart(2, '0')}.000Z`;
  const log = [
    `==> cloning http://git/infra at main @ ${at(0)}`,
    `==> checked out ${SHA}`,
    `==> tofu init @ ${at(2)}`,
    'y',
    `==> tofu plan @ ${at(7)}`,
  ];
  const t = (s: number) => Date.parse(at(s));
  it('each step ends where the next begins; the last at the completion', () => {
    const steps = runSteps(log, 'Succeeded', at(19));
    assert.deepEqual(
      steps.map((s) => [s.name, s.startedAt, s.endedAt]),
      [
        ['clone', t(0), t(2)],
        ['init', t(2), t(7)],
        ['plan', t(7), t(19)],
      ],
    );
    assert.deepEqual(
      steps.map((s) => stepDuration(s, 0)),
      ['2s', '5s', '12s'],
    );
  });
  it('the line is shown without its time', () => assert.equal(runSteps(log, 'Running')[0]?.line, 'cloning http://git/infra at main'));
  it('the running step: running for …, counted to now', () => {
    const steps = runSteps(log, 'Running');
    assert.equal(steps.at(-1)?.endedAt, undefined);
    assert.equal(stepDuration(steps.at(-1)!, t(7) + 65_000), 'running for 1m 05s');
    assert.equal(stepDuration(steps[0]!, t(60)), '2s');
  });
  it('a failed run: the failed step ends at the completion', () => {
    const steps = runSteps(log.slice(0, 3), 'Failed', at(4));
    assert.equal(steps.at(-1)?.state, 'failed');
    assert.equal(stepDuration(steps.at(-1)!, 0), '2s');
  });
  it('markers of an older runner (no times): no durations', () => {
    const steps = runSteps(['==> tofu init', '==> tofu plan'], 'Succeeded', at(9));
    assert.deepEqual(
      steps.map((s) => stepDuration(s, t(30))),
      [undefined, undefined],
    );
  });
  it('a finished run without a completion time: the last step has no duration', () =>
    assert.equal(stepDuration(runSteps(log, 'Succeeded').at(-1)!, t(30)), undefined));
  it('a time that is not one is part of the line', () =>
    assert.deepEqual(runSteps(['==> tofu init @ yesterday'], 'Running')[0], {
      name: 'init',
      line: 'tofu init @ yesterday',
      state: 'running',
    }));
});
