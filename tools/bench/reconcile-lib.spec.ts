import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deployedOperatorNode, operatorRequests, requestDelta, sumMap, withoutLeases } from './reconcile-lib.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('reconcile benchmark helpers', () => {
  it("runs the operator with node's flags as deployed: the image's ENTRYPOINT and the manifest's NODE_OPTIONS", () => {
    const saved = process.env.BENCH_OPERATOR_NODE_ARGS;
    delete process.env.BENCH_OPERATOR_NODE_ARGS;
    try {
      const { nodeArgs, mallocArenas } = deployedOperatorNode(root);
      // --optimize-for-size only works on the command line (Node refuses it in NODE_OPTIONS).
      assert.equal(nodeArgs[0], '--optimize-for-size');
      assert.ok(
        nodeArgs.some((a) => a.startsWith('--max-old-space-size=')),
        nodeArgs.join(' '),
      );
      assert.ok(
        nodeArgs.some((a) => a.startsWith('--max-semi-space-size=')),
        nodeArgs.join(' '),
      );
      assert.match(mallocArenas, /^\d+$/);
      process.env.BENCH_OPERATOR_NODE_ARGS = '--max-old-space-size=64';
      assert.deepEqual(deployedOperatorNode(root).nodeArgs, ['--max-old-space-size=64']);
    } finally {
      if (saved === undefined) delete process.env.BENCH_OPERATOR_NODE_ARGS;
      else process.env.BENCH_OPERATOR_NODE_ARGS = saved;
    }
  });

  it("tallies the reconcile client's requests from /metrics, and what a round added", () => {
    const metrics = (jobs: number, leases: number) =>
      [
        '# TYPE tofu_operator_kube_requests_total counter',
        `tofu_operator_kube_requests_total{client="reconcile",method="POST",resource="jobs",subresource="",code="201"} ${jobs}`,
        `tofu_operator_kube_requests_total{client="reconcile",method="PUT",resource="leases",subresource="",code="200"} ${leases}`,
        'tofu_operator_kube_requests_total{client="api",method="GET",resource="tofustacks",subresource="",code="200"} 7',
        `tofu_operator_kube_requests_total{client="reconcile",method="PUT",resource="tofustacks",subresource="status",code="409"} 1`,
      ].join('\n');
    const before = operatorRequests(metrics(10, 3));
    assert.deepEqual(
      [...before],
      [
        ['POST jobs 201', 10],
        ['PUT leases 200', 3],
        ['PUT tofustacks/status 409', 1],
      ],
    );
    const added = requestDelta(before, operatorRequests(metrics(25, 5)));
    assert.deepEqual(
      [...added],
      [
        ['POST jobs 201', 15],
        ['PUT leases 200', 2],
      ],
    );
    assert.equal(sumMap(withoutLeases(added)), 15);
  });
});
