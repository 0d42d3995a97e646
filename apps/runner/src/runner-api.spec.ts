import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { FailureCategory } from '@tofu-operator/api-types';
import { RunnerError } from './errors.js';
import { RunnerApi } from './runner-api.js';
import { FakeRunnerApi } from './testing/runner-api-server.js';

const TOKEN = 'tok_en-123';

describe('RunnerApi (against a fake runner API)', () => {
  const server = new FakeRunnerApi();
  before(async () => {
    await server.start();
    server.tokens.set('web-plan-1', TOKEN);
  });
  after(() => server.stop());

  const client = (over: Partial<ConstructorParameters<typeof RunnerApi>[0]> = {}) =>
    new RunnerApi({ baseUrl: server.url, namespace: 'team-a', execution: 'web-plan-1', token: TOKEN, retryDelayMs: 10, ...over });
  const failsWith = (category: string, message: RegExp) => (err: unknown) => {
    assert.ok(err instanceof RunnerError, String(err));
    assert.equal(err.category, category);
    assert.match(err.message, message);
    assert.ok(!err.message.includes(TOKEN), 'the token is never in a message');
    return true;
  };

  it('stores a plan and its diff once, answering the digest', async () => {
    const plan = Buffer.from('PK plan bytes');
    const digest = `sha256:${createHash('sha256').update(plan).digest('hex')}`;
    assert.equal(await client().putPlan(plan), digest);
    assert.equal(await client().putPlan(plan), digest, 'a retried upload of the same bytes');
    assert.ok(server.plans.get('team-a/web-plan-1')?.equals(plan));
    await client().putDiff('{"v":1,"resources":[],"outputs":[]}');
    assert.equal(server.plans.get('team-a/web-plan-1/diff')?.toString(), '{"v":1,"resources":[],"outputs":[]}');
    assert.ok(server.requests.every((r) => r.user === 'web-plan-1'));
  });

  it('stores the outputs (204), and a refusal or an unreachable API is OutputsNotStored', async () => {
    await client().putOutputs('{"a":{"sensitive":false,"type":"string","value":"x"}}');
    assert.equal(server.outputs.get('team-a/web-plan-1')?.toString(), '{"a":{"sensitive":false,"type":"string","value":"x"}}');
    server.outputsStatus = 403;
    try {
      await assert.rejects(
        client().putOutputs('{}'),
        failsWith(FailureCategory.OutputsNotStored, /refused PUT \/outputs\/team-a\/web-plan-1: 403/),
      );
    } finally {
      server.outputsStatus = 204;
    }
    await assert.rejects(
      client({ baseUrl: 'http://127.0.0.1:1', attempts: 1 }).putOutputs('{}'),
      failsWith(FailureCategory.OutputsNotStored, /cannot be reached/),
    );
  });

  it('reads a stored plan back, and the state (none yet, then some)', async () => {
    assert.equal((await client().getPlan('web-plan-1')).toString(), 'PK plan bytes');
    assert.equal(await client().getState({ kind: 'module', name: 'web' }), undefined);
    server.states.set('team-a/module/web', Buffer.from('{"version":4}'));
    assert.equal((await client().getState({ kind: 'module', name: 'web' }))?.toString(), '{"version":4}');
  });

  it('retries a busy API', async () => {
    server.failNext = 2;
    assert.equal((await client().getPlan('web-plan-1')).toString(), 'PK plan bytes');
    assert.equal(server.failNext, 0);
  });

  it('gives up on a busy API after its attempts, with the answer', async () => {
    server.failNext = 3;
    await assert.rejects(client({ attempts: 3 }).getPlan('web-plan-1'), failsWith(FailureCategory.RunnerApiFailed, /503 .*busy; retry/));
    server.failNext = 0;
  });

  it('reports a missing plan as PlanNotFound', async () => {
    await assert.rejects(client().getPlan('no-such-plan'), failsWith(FailureCategory.PlanNotFound, /no saved plan of no-such-plan/));
  });

  it('reports a refused request with the API’s own message, never the token', async () => {
    await assert.rejects(
      client().putPlan(Buffer.from('other bytes')),
      failsWith(FailureCategory.RunnerApiFailed, /PUT \/plans\/team-a\/web-plan-1: 409 .*stored already/),
    );
    await assert.rejects(
      client({ token: 'wrong' }).getPlan('web-plan-1'),
      failsWith(FailureCategory.RunnerApiFailed, /401 .*invalid runner credentials/),
    );
  });

  it('reports an API it cannot reach', async () => {
    const gone = new FakeRunnerApi();
    await gone.start();
    await gone.stop();
    await assert.rejects(
      client({ baseUrl: gone.url, attempts: 2 }).getPlan('web-plan-1'),
      failsWith(FailureCategory.RunnerApiFailed, /cannot be reached \(GET \/plans\/team-a\/web-plan-1\): .*ECONNREFUSED/),
    );
  });
});
