#!/usr/bin/env bash
# Checks the deployment manifests (deploy/): both overlays render with kubectl's built-in kustomize,
# and the API server accepts every object (`kubectl apply --dry-run=server`: schemas, CRDs, RBAC,
# and the restricted Pod Security Standard of the namespace, whose warnings fail the check).
# Needs a running cluster ($KUBECONFIG, else the local cluster's). Changes nothing but creating the
# namespace tofu-operator-system when it is missing (namespaced objects cannot be dry-run without it;
# the integration tests create the same namespace).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source tools/cluster/lib/common.sh
export KUBECONFIG="${KUBECONFIG:-$PWD/.cluster/kubeconfig}"
# Our own kubectl build (its kustomize is the one the docs promise); another only when it is missing.
if [[ -x "$K8S_BIN_DIR/kubectl" ]]; then KUBECTL="$K8S_BIN_DIR/kubectl"; else KUBECTL=kubectl; fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for overlay in local production; do
  "$KUBECTL" kustomize "deploy/overlays/$overlay" >"$out/$overlay.yaml" || {
    echo "deploy/overlays/$overlay does not render" >&2
    exit 1
  }
  printf 'deploy/overlays/%s renders: %s objects\n' "$overlay" "$(grep -c '^kind:' "$out/$overlay.yaml")"
done

if ! "$KUBECTL" get namespace tofu-operator-system >/dev/null 2>&1; then
  # The rendered Namespace document alone (its Pod Security labels included).
  awk 'BEGIN { RS = "\n---\n"; ORS = "\n" } /(^|\n)kind: Namespace\n/' "$out/local.yaml" |
    "$KUBECTL" apply --server-side -f -
fi
for overlay in local production; do
  if ! "$KUBECTL" apply --server-side --force-conflicts --dry-run=server -f "$out/$overlay.yaml" >"$out/$overlay.out" 2>&1; then
    cat "$out/$overlay.out" >&2
    echo "the API server refuses deploy/overlays/$overlay" >&2
    exit 1
  fi
  if grep -i "warning" "$out/$overlay.out" >&2; then
    echo "deploy/overlays/$overlay: the API server warns (above)" >&2
    exit 1
  fi
  printf 'deploy/overlays/%s: accepted by the API server (dry run)\n' "$overlay"
done
