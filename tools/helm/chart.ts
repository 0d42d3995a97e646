// The Helm chart deploy/helm/tofu-operator against the kustomize sources it comes from.
//   node tools/helm/chart.ts            writes the generated parts: templates/rbac-*.yaml and
//                                       templates/network-policies.yaml from deploy/, crds/ from crds/,
//                                       Chart.yaml's version and appVersion from package.json
//   node tools/helm/chart.ts --check    writes nothing; fails when a generated part is stale
//   node tools/helm/chart.ts compare <helm render> <kustomize render> [<what the kustomize render is>]
//                                       fails unless both renders hold the same objects (after
//                                       normalize: no Namespace, no CRDs, no Helm-only labels)
// tools/check-helm.sh runs the last two in the test command (with helm lint and a server dry run).
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { diffRenders, normalize, templatize, type TemplatizeOptions } from './chart-sources.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const chart = join(root, 'deploy/helm/tofu-operator');

/** Generated templates: target file -> kustomize source and how it is wrapped. */
const TEMPLATES: Record<string, Omit<TemplatizeOptions, 'source'> & { source: string }> = {
  // rbac.namespaced: the ClusterRole and ClusterRoleBinding `tofu-operator` go, as
  // deploy/overlays/namespaced deletes them, and deploy/rbac/namespaced's Roles come instead.
  'templates/rbac-operator.yaml': {
    source: 'deploy/rbac/operator.yaml',
    documentConditions: {
      'ClusterRole/tofu-operator': 'not .Values.rbac.namespaced',
      'ClusterRoleBinding/tofu-operator': 'not .Values.rbac.namespaced',
    },
  },
  'templates/rbac-operator-namespaced.yaml': {
    source: 'deploy/rbac/namespaced/operator-namespaced.yaml',
    fileCondition: '.Values.rbac.namespaced',
    // The overlay's placeholder for the watched namespace (it replaces it with the operator's
    // TOFU_OPERATOR_WATCH_NAMESPACE, which the chart sets from this value).
    namespaces: { 'tofu-workloads': '{{ .Values.operator.watchNamespace }}' },
  },
  'templates/rbac-user-roles.yaml': { source: 'deploy/rbac/user-roles.yaml' },
  'templates/rbac-approval-policy.yaml': { source: 'deploy/rbac/approval-policy.yaml' },
  'templates/rbac-reference-policy.yaml': { source: 'deploy/rbac/reference-policy.yaml' },
  'templates/network-policies.yaml': {
    source: 'deploy/base/network-policies.yaml',
    fileCondition: '.Values.networkPolicies.enabled',
    dashboardMarker: 'dashboard',
  },
};

/** Every generated file of the chart, path relative to the chart -> content. */
function generated(): Map<string, string> {
  const files = new Map<string, string>();
  for (const [target, opts] of Object.entries(TEMPLATES)) {
    files.set(target, templatize(readFileSync(join(root, opts.source), 'utf8'), opts));
  }
  for (const f of readdirSync(join(root, 'crds')).filter((n) => n.endsWith('.yaml'))) {
    files.set(`crds/${f}`, readFileSync(join(root, 'crds', f), 'utf8'));
  }
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  const chartYaml = readFileSync(join(chart, 'Chart.yaml'), 'utf8')
    .replace(/^version: .*$/m, `version: ${version}`)
    .replace(/^appVersion: .*$/m, `appVersion: '${version}'`);
  files.set('Chart.yaml', chartYaml);
  return files;
}

function generateOrCheck(check: boolean): void {
  const stale: string[] = [];
  const files = generated();
  for (const [path, text] of files) {
    const target = join(chart, path);
    const current = existsSync(target) ? readFileSync(target, 'utf8') : undefined;
    if (current === text) continue;
    if (check) stale.push(path);
    else writeFileSync(target, text);
  }
  // A CRD removed from crds/ must leave the chart too.
  for (const f of readdirSync(join(chart, 'crds')).filter((n) => !files.has(`crds/${n}`))) stale.push(`crds/${f} (no such file in crds/)`);
  if (stale.length) {
    console.error(`deploy/helm/tofu-operator is stale (run node tools/helm/chart.ts):\n  ${stale.join('\n  ')}`);
    process.exit(1);
  }
  if (check) console.log(`deploy/helm/tofu-operator: ${files.size} generated files up to date`);
}

function compare(helmRender: string, kustomizeRender: string, what: string): void {
  const dropKinds = ['Namespace', 'CustomResourceDefinition'];
  const helm = normalize(readFileSync(helmRender, 'utf8'), { dropKinds });
  const kustomize = normalize(readFileSync(kustomizeRender, 'utf8'), { dropKinds });
  const problems = diffRenders(helm, kustomize, ['the chart', what]);
  if (problems.length) {
    console.error(`helm template (${helmRender}) and kubectl kustomize ${what} differ:\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  console.log(`the chart's render equals ${what}: ${helm.size} objects (without the Namespace and the CRDs)`);
}

const [arg, a, b, c] = process.argv.slice(2);
if (arg === 'compare' && a && b) compare(a, b, c ?? 'deploy/base');
else if (arg === undefined || arg === '--check') generateOrCheck(arg === '--check');
else {
  console.error('usage: node tools/helm/chart.ts [--check | compare <helm render> <kustomize render> [<what the kustomize render is>]]');
  process.exit(2);
}
