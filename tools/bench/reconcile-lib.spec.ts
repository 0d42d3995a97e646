import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { busyShare, deployedOperatorNode, machineCpu, operatorRequests, requestDelta, sumMap, withoutLeases } from './reconcile-lib.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('reconcile benchmark helpers', () => {
  it("takes the machine's busy share from /proc/stat: everything but idle and iowait, over all cores", () => {
    // user nice system idle iowait irq softirq steal guest guest_nice (guest time is already in user)
    const a = machineCpu('cpu  100 0 50 800 50 0 0 0 30 0\ncpu0 50 0 25 400 25 0 0 0 15 0\n');
    assert.deepEqual(a, { busy: 150, total: 1000 });
    const b = machineCpu('cpu  250 10 90 900 60 5 5 0 30 0\n');
    assert.deepEqual(b, { busy: 360, total: 1320 });
    assert.equal(busyShare(a, b), 210 / 320);
    assert.ok(Number.isNaN(busyShare(a, a)));
    const now = machineCpu();
    assert.ok(now.total > 0 && now.busy >= 0 && now.busy <= now.total, JSON.stringify(now));
  });

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
