import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import type { ClusterCache } from '../kube/cluster-cache.js';
import { driftMetrics } from './drift-metrics.js';

type Owner = { kind: string; metadata: { namespace: string; name: string }; status?: { conditions?: { type: string; status: string }[] } };
const owner = (kind: string, name: string, drifted?: string): Owner => ({
  kind,
  metadata: { namespace: 'team-a', name },
  ...(drifted ? { status: { conditions: [{ type: 'Drifted', status: drifted }] } } : {}),
});

describe('driftMetrics', () => {
  it('drifted: 1/0 per module and stack with a check result, no series without one; checks counted by result from 0', async () => {
    const modules: Owner[] = [owner('TofuModule', 'web', 'True'), owner('TofuModule', 'db', 'Unknown'), owner('TofuModule', 'off')];
    const stacks: Owner[] = [owner('TofuStack', 'prod', 'False')];
    const cache = { modules: { list: () => modules }, stacks: { list: () => stacks } } as unknown as ClusterCache;
    const registry = new Registry();
    const checks = driftMetrics('t_', [registry], cache);
    checks.inc({ result: 'drifted' });
    const text = await registry.metrics();
    assert.match(text, /^t_drifted\{namespace="team-a",kind="TofuModule",name="web"\} 1$/m);
    assert.match(text, /^t_drifted\{namespace="team-a",kind="TofuStack",name="prod"\} 0$/m);
    assert.doesNotMatch(text, /name="db"|name="off"/);
    assert.match(text, /^t_drift_checks_total\{result="drifted"\} 1$/m);
    assert.match(text, /^t_drift_checks_total\{result="clean"\} 0$/m);
    assert.match(text, /^t_drift_checks_total\{result="failed"\} 0$/m);
    // A deleted owner's series goes at the next scrape.
    modules.splice(0, 1);
    assert.doesNotMatch(await registry.metrics(), /name="web"/);
  });
});
