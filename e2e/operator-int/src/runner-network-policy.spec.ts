// Issue 14, item 15: the optional egress NetworkPolicy for runner pods
// (deploy/networkpolicy/runner-egress.yaml). The local cluster's CNI (bridge + portmap, see
// .cluster/cni/net.d) does not enforce NetworkPolicy, so a packet test would prove nothing here: the
// API server validates the policy (server dry run in a real namespace), and the policy is checked
// against what it must match: the labels the operator puts on runner pods, the operator's pod labels
// and runner API port in deploy/base/operator.yaml, and the metadata address.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { Labels, MANAGED_BY } from '@tofu-operator/api-types';
import { deleteNamespace, kubeconfigPath, newNamespace, repoRoot } from './harness.js';

interface Peer {
  ipBlock?: { cidr: string; except?: string[] };
  namespaceSelector?: {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
  };
  podSelector?: { matchLabels?: Record<string, string> };
}
interface EgressRule {
  to?: Peer[];
  ports?: { protocol?: string; port?: number }[];
}
interface Policy {
  kind: string;
  metadata: { name: string; namespace?: string };
  spec: { podSelector: { matchLabels?: Record<string, string> }; policyTypes: string[]; egress: EgressRule[] };
}

const FILE = join(repoRoot, 'deploy/networkpolicy/runner-egress.yaml');
const OPERATOR_NS = 'tofu-operator-system';

const docs = (path: string) => parseAllDocuments(readFileSync(path, 'utf8')).map((d) => d.toJS() as Record<string, unknown>);

describe('runner egress NetworkPolicy (optional, deploy/networkpolicy)', () => {
  let ns: string;
  const policy = docs(FILE)[0] as unknown as Policy;

  before(async () => {
    ns = await newNamespace('netpol');
  });

  after(async () => {
    if (ns) await deleteNamespace(ns);
  });

  it('the API server accepts it in a users namespace (server dry run)', () => {
    const out = execFileSync('kubectl', ['apply', '--dry-run=server', '-n', ns, '-f', FILE], {
      encoding: 'utf8',
      env: { ...process.env, KUBECONFIG: kubeconfigPath },
    });
    assert.match(out, /networkpolicy\.networking\.k8s\.io\/tofu-runner-egress created \(server dry run\)/);
  });

  it('selects runner pods by the labels the operator gives them, and only limits egress', () => {
    assert.equal(policy.kind, 'NetworkPolicy');
    assert.equal(policy.metadata.namespace, undefined, 'applied per users namespace with -n');
    assert.deepEqual(policy.spec.podSelector.matchLabels, { [Labels.managedBy]: MANAGED_BY, [Labels.component]: 'runner' });
    assert.deepEqual(policy.spec.policyTypes, ['Egress']);
  });

  it('leaves out the metadata addresses and the pod network from "anywhere"', () => {
    const blocks = policy.spec.egress.flatMap((r) => (r.to ?? []).flatMap((p) => (p.ipBlock ? [p.ipBlock] : [])));
    const v4 = blocks.find((b) => b.cidr === '0.0.0.0/0');
    assert.ok(v4, 'an ipBlock for the IPv4 internet');
    assert.ok(v4.except?.includes('169.254.169.254/32'), 'the cloud metadata address is excepted');
    assert.ok(
      v4.except?.some((c) => /^10\.|^172\.|^192\.168\./.test(c) && c.endsWith('/16')),
      'a pod network is excepted (a placeholder to set)',
    );
    const v6 = blocks.find((b) => b.cidr === '::/0');
    assert.ok(v6?.except?.includes('fd00:ec2::254/128'));
    // The ipBlock rules carry no port list: any port outside the pod network.
    for (const r of policy.spec.egress.filter((x) => x.to?.some((p) => p.ipBlock))) assert.equal(r.ports, undefined);
  });

  it("allows the operator's pods on the runner API port only, and every other namespace's pods", () => {
    // The operator's pod labels and runner port as deploy/base/operator.yaml declares them.
    const deployment = docs(join(repoRoot, 'deploy/base/operator.yaml')).find((d) => d['kind'] === 'Deployment') as {
      spec: {
        template: {
          metadata: { labels: Record<string, string> };
          spec: { containers: { ports?: { name: string; containerPort: number }[] }[] };
        };
      };
    };
    const podLabels = deployment.spec.template.metadata.labels;
    const runnerPort = deployment.spec.template.spec.containers
      .flatMap((c) => c.ports ?? [])
      .find((p) => p.name === 'runner')?.containerPort;
    assert.equal(runnerPort, 8082);
    const toOperator = policy.spec.egress.filter((r) =>
      r.to?.some((p) => p.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === OPERATOR_NS),
    );
    assert.equal(toOperator.length, 1, 'one rule reaches the operator namespace');
    const rule = toOperator[0]!;
    assert.deepEqual(rule.ports, [{ protocol: 'TCP', port: runnerPort }], 'the runner API port only (not 8080)');
    const selector = rule.to?.[0]?.podSelector?.matchLabels ?? {};
    assert.ok(Object.keys(selector).length > 0, "limited to the operator's pods");
    for (const [k, v] of Object.entries(selector)) assert.equal(podLabels[k], v, `the operator's pods carry ${k}=${v}`);
    const others = policy.spec.egress.flatMap((r) => (r.to ?? []).filter((p) => p.namespaceSelector?.matchExpressions));
    assert.deepEqual(others, [
      { namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: [OPERATOR_NS] }] } },
    ]);
    const unportedToPods = policy.spec.egress.filter(
      (r) => !r.ports && r.to?.some((p) => p.namespaceSelector && !p.namespaceSelector.matchExpressions),
    );
    assert.deepEqual(unportedToPods, [], 'no rule opens every port of a selected namespace');
  });
});
