# Shared settings and helpers for the local-cluster scripts. Sourced, never executed.
# shellcheck shell=bash

# Versions of everything the local cluster builds. Bumping one rebuilds only that component.
K8S_VERSION="${K8S_VERSION:-v1.34.4}"

# Binaries are cached outside the checkout, keyed by version, so a second clone (or CI on the same
# machine) reuses them.
CACHE_ROOT="${TOFU_OPERATOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tofu-operator}"
# shellcheck disable=SC2034 # used by the scripts that source this file
K8S_BIN_DIR="$CACHE_ROOT/kubernetes/$K8S_VERSION/bin"

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
# All runtime state of the local cluster (pki, etcd data, logs, pid files) lives here, in the checkout
# (git-ignored), so two checkouts do not collide and `down --purge` can remove it whole.
# shellcheck disable=SC2034 # used by the scripts that source this file
CLUSTER_DIR="${TOFU_OPERATOR_CLUSTER_DIR:-$REPO_ROOT/.cluster}"

export GOTOOLCHAIN=local
export GOFLAGS="${GOFLAGS:--buildvcs=false}"

log() { printf '[cluster %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() {
  printf '[cluster] error: %s\n' "$*" >&2
  exit 1
}
