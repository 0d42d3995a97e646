#!/usr/bin/env bash
# Runs the product. With no KUBECONFIG set, on the local cluster this project builds and starts
# itself; with KUBECONFIG set, on that cluster (nothing local is started). Installs the CRDs and the
# operator's RBAC, applies the samples, and runs the operator in the foreground: Ctrl-C stops it
# (the local cluster keeps running; `npm run cluster -- down` stops it).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD

if [[ ! -x node_modules/.bin/node || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund
fi
export PATH="$root/node_modules/.bin:$PATH"
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false

if [[ -z "${KUBECONFIG:-}" ]]; then
  bash tools/cluster/cluster.sh up
  export KUBECONFIG="$root/.cluster/kubeconfig"
fi
source tools/cluster/lib/common.sh
if command -v kubectl >/dev/null; then KUBECTL=kubectl; else
  bash tools/cluster/cluster.sh build
  KUBECTL="$K8S_BIN_DIR/kubectl"
fi

nx run operator:build --output-style=static
"$KUBECTL" apply --server-side -f crds/
"$KUBECTL" wait --for condition=Established --timeout=60s -f crds/
"$KUBECTL" apply --server-side -f deploy/rbac/operator.yaml
"$KUBECTL" apply -f samples/

echo
echo "tofu-operator is starting on cluster $("$KUBECTL" config view --minify -o jsonpath='{.clusters[0].cluster.server}')"
echo "  watch it:  KUBECONFIG=$KUBECONFIG kubectl get tofumodules,tofustacks,tofuexecutions,jobs"
echo
export TOFU_OPERATOR_LEASE_NAMESPACE="${TOFU_OPERATOR_LEASE_NAMESPACE:-tofu-operator-system}"
exec node apps/operator/dist/main.js
