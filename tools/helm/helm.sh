#!/usr/bin/env bash
# helm, built from the Go module proxy on first use and cached by version (tools/cluster/lib/helm.sh),
# run against $KUBECONFIG, else the local cluster's.
#   bash tools/helm/helm.sh <helm arguments>     e.g. bash tools/helm/helm.sh list -A
#   bash tools/helm/helm.sh --path               build if missing, print the binary's path
set -euo pipefail
lib="$(cd "$(dirname "${BASH_SOURCE[0]}")/../cluster/lib" && pwd)"
# shellcheck source=../cluster/lib/common.sh
source "$lib/common.sh"
# shellcheck source=../cluster/lib/build.sh
source "$lib/build.sh"
# shellcheck source=../cluster/lib/helm.sh
source "$lib/helm.sh"
helm_build
if [[ "${1:-}" == "--path" ]]; then
  echo "$HELM_BIN"
  exit 0
fi
export KUBECONFIG="${KUBECONFIG:-$REPO_ROOT/.cluster/kubeconfig}"
exec "$HELM_BIN" "$@"
