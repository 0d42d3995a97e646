#!/usr/bin/env bash
# Checks the Helm chart deploy/helm/tofu-operator (docs/deployment.md, Helm):
#   - its generated parts (RBAC and NetworkPolicy templates, crds/, appVersion) match deploy/, crds/
#     and package.json (node tools/helm/chart.ts --check);
#   - helm lint --strict, with the default values and with every optional part switched on;
#   - helm template with the default values renders the same objects as kubectl kustomize deploy/base
#     (without the Namespace, which Helm does not own, the CRDs, checked as files above, and the
#     chart's uninstall hook); with dashboard.enabled=false no dashboard object;
#   - with rbac.namespaced the same objects as deploy/overlays/namespaced, and the values schema
#     refuses rbac.namespaced without operator.watchNamespace;
#   - the API server accepts both renders (kubectl apply --dry-run=server; a warning fails).
# The real install (helm install, a plan of a sample, helm uninstall) is the integration spec
# e2e/operator-int/src/helm.spec.ts. Needs a running cluster ($KUBECONFIG, else the local one's);
# changes nothing but creating the namespace tofu-operator-system when it is missing, as
# tools/check-manifests.sh does.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source tools/cluster/lib/common.sh
export KUBECONFIG="${KUBECONFIG:-$PWD/.cluster/kubeconfig}"
if [[ -x "$K8S_BIN_DIR/kubectl" ]]; then KUBECTL="$K8S_BIN_DIR/kubectl"; else KUBECTL=kubectl; fi
HELM=$(bash tools/helm/helm.sh --path)
chart=deploy/helm/tofu-operator
ns=tofu-operator-system

node tools/helm/chart.ts --check

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# Every optional part on, so lint and the dry run see the templates the defaults leave out.
cat >"$out/all-on.yaml" <<'VALUES'
image: { registry: registry.example.com/tofu-operator, pullSecrets: [{ name: regcred }] }
operator:
  replicas: 1
  watchNamespace: default
  runnerApiUrl: http://10.96.80.90:8082
  service: { clusterIP: 10.96.80.90 }
  env: [{ name: TOFU_OPERATOR_PROVIDER_MIRROR_URL, value: 'https://mirror.example.com/' }]
  podAnnotations: { example.com/scrape: 'true' }
  optimizeForSize: false
dashboard: { replicas: 1, publicUrl: https://tofu.example.com }
ingress: { enabled: true, className: nginx, host: tofu.example.com, tls: { secretName: tofu-tls } }
rbac: { namespaced: true }
VALUES

"$HELM" lint --strict "$chart"
"$HELM" lint --strict "$chart" -f "$out/all-on.yaml"

# The uninstall hook is the chart's own (not in the base): compared without hooks, dry-run with them.
"$HELM" template tofu-operator "$chart" --namespace "$ns" --kube-version "$K8S_VERSION" --include-crds --no-hooks >"$out/base-equal.yaml"
"$KUBECTL" kustomize deploy/base >"$out/base.yaml"
node tools/helm/chart.ts compare "$out/base-equal.yaml" "$out/base.yaml"
# rbac.namespaced against deploy/overlays/namespaced. That overlay stands on deploy/overlays/production,
# whose registry, runner image and dashboard URL placeholders the chart spells as values of their own
# (the default comparison above covers them): the overlay's own kustomization, on deploy/base instead,
# is what the option must render. The watched namespace is the overlay's placeholder.
mkdir "$out/namespaced"
deploy=$(realpath --relative-to="$out/namespaced" deploy)
sed -e "s#^  - \.\./production\$#  - $deploy/base#" -e "s#^  - \.\./\.\./rbac/namespaced\$#  - $deploy/rbac/namespaced#" \
  deploy/overlays/namespaced/kustomization.yaml >"$out/namespaced/kustomization.yaml"
if [[ $(grep -cxF -e "  - $deploy/base" -e "  - $deploy/rbac/namespaced" "$out/namespaced/kustomization.yaml") != 2 ]]; then
  echo "deploy/overlays/namespaced no longer lists ../production and ../../rbac/namespaced as its resources: update tools/check-helm.sh" >&2
  exit 1
fi
watched=$(sed -n 's/^ *- { name: TOFU_OPERATOR_WATCH_NAMESPACE, value: \([a-z0-9-]*\) }$/\1/p' deploy/overlays/namespaced/kustomization.yaml)
[[ -n "$watched" ]] || {
  echo "deploy/overlays/namespaced sets no TOFU_OPERATOR_WATCH_NAMESPACE that tools/check-helm.sh can read" >&2
  exit 1
}
"$KUBECTL" kustomize --load-restrictor LoadRestrictionsNone "$out/namespaced" >"$out/namespaced.yaml"
"$HELM" template tofu-operator "$chart" --namespace "$ns" --kube-version "$K8S_VERSION" --include-crds --no-hooks \
  --set rbac.namespaced=true --set operator.watchNamespace="$watched" >"$out/namespaced-equal.yaml"
node tools/helm/chart.ts compare "$out/namespaced-equal.yaml" "$out/namespaced.yaml" "deploy/overlays/namespaced (on deploy/base)"
# Without a watched namespace there is nowhere to put the Role: the schema says so.
if "$HELM" template tofu-operator "$chart" --namespace "$ns" --kube-version "$K8S_VERSION" --set rbac.namespaced=true >"$out/refused.out" 2>&1; then
  echo "the chart renders rbac.namespaced=true without operator.watchNamespace" >&2
  exit 1
fi
grep -F "at '/rbac/namespaced': value must be 'false unless operator.watchNamespace is set" "$out/refused.out" >/dev/null || {
  cat "$out/refused.out" >&2
  echo "the chart refuses rbac.namespaced=true without operator.watchNamespace, but not with the schema's message" >&2
  exit 1
}
printf 'rbac.namespaced without operator.watchNamespace is refused: %s\n' "$(grep -F '/rbac/namespaced' "$out/refused.out")"

# The dry runs render a release of its own name: its cluster-scoped objects are new to the cluster,
# so what others applied before (under the base's names, perhaps client-side) cannot make it warn.
"$HELM" template tofu-operator-check "$chart" --namespace "$ns" --kube-version "$K8S_VERSION" --include-crds >"$out/helm.yaml"
"$HELM" template tofu-operator-check "$chart" --namespace "$ns" --kube-version "$K8S_VERSION" --include-crds -f "$out/all-on.yaml" >"$out/all-on.render.yaml"
grep -q '^kind: Ingress$' "$out/all-on.render.yaml" || {
  echo "the chart with ingress.enabled renders no Ingress" >&2
  exit 1
}
# operator.optimizeForSize=false: the command is the image's entrypoint without the flag, so the two cannot drift.
entrypoint=$(sed -n 's/^ENTRYPOINT \[\(.*\)\]$/\1/p' docker/operator.Dockerfile)
without=${entrypoint/'"--optimize-for-size", '/}
if [[ "$entrypoint" == "$without" ]] || ! grep -qF "command: [$without]" "$out/all-on.render.yaml"; then
  echo "operator.optimizeForSize=false must render the image's entrypoint ($entrypoint) without --optimize-for-size as the command" >&2
  exit 1
fi
if grep -q '^ *command:' "$out/base-equal.yaml"; then
  echo "the chart's defaults must not set the operator's command (the image's entrypoint has --optimize-for-size)" >&2
  exit 1
fi
"$HELM" template tofu-operator "$chart" --namespace "$ns" --kube-version "$K8S_VERSION" --set dashboard.enabled=false >"$out/no-dashboard.yaml"
if grep -q 'tofu-operator-dashboard' "$out/no-dashboard.yaml"; then
  echo "the chart with dashboard.enabled=false still renders dashboard objects" >&2
  exit 1
fi

if ! "$KUBECTL" get namespace "$ns" >/dev/null 2>&1; then
  awk 'BEGIN { RS = "\n---\n"; ORS = "\n" } /(^|\n)kind: Namespace\n/' "$out/base.yaml" | "$KUBECTL" apply --server-side -f -
fi
for render in helm all-on.render; do
  if ! "$KUBECTL" apply --server-side --force-conflicts --dry-run=server -f "$out/$render.yaml" >"$out/$render.out" 2>&1; then
    cat "$out/$render.out" >&2
    echo "the API server refuses the chart's render ($render)" >&2
    exit 1
  fi
  if grep -i "warning" "$out/$render.out" >&2; then
    echo "the chart's render ($render): the API server warns (above)" >&2
    exit 1
  fi
  printf "the chart's render (%s): %s objects accepted by the API server (dry run)\n" "$render" "$(grep -c '^kind:' "$out/$render.yaml")"
done
