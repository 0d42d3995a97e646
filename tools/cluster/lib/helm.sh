# Builds the helm CLI from the Go module proxy and caches it by version, like kubectl and tofu.
# Sourced by cluster.sh and tools/check-helm.sh; expects common.sh (and build.sh, for the progress
# printer) to be sourced first.
# shellcheck shell=bash

HELM_VERSION="${HELM_VERSION:-v3.21.4}"
HELM_BIN="$CACHE_ROOT/helm/$HELM_VERSION/bin/helm"

# helm's own go.mod has no replace directives, so `go install pkg@version` resolves exactly the
# module graph of that release (-mod=mod: no vendor directory, no workspace of ours involved).
helm_build() {
  [[ -x "$HELM_BIN" ]] && return 0
  command -v go >/dev/null || die "go is required to build helm $HELM_VERSION"
  log "building helm $HELM_VERSION into $(dirname "$HELM_BIN") (a cold build takes 3-8 min on 2 cores)"
  local work="$CACHE_ROOT/helm/$HELM_VERSION/src" dir
  dir=$(go mod download -json "helm.sh/helm/v3@$HELM_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [[ -f "$dir/go.mod" ]] || die "could not download helm.sh/helm/v3@$HELM_VERSION from the Go module proxy"
  mkdir -p "$work" "$(dirname "$HELM_BIN")"
  # A wrapper module requiring helm at that version, with helm's go directive, so the build uses
  # helm's own dependency versions (go mod tidy keeps the ones helm's go.mod selects).
  {
    echo "module tofu-operator.io/helm-build"
    echo
    grep -E '^go [0-9]' "$dir/go.mod"
    echo
    echo "require helm.sh/helm/v3 $HELM_VERSION"
  } >"$work/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport _ "helm.sh/helm/v3/cmd/helm"\n' >"$work/tools.go"
  (cd "$work" && GOFLAGS="$GOFLAGS -mod=mod" go mod tidy) || die "go mod tidy failed for the helm wrapper module"
  (cd "$work" && GOFLAGS="$GOFLAGS -mod=mod" go_build_with_progress "helm" "$HELM_BIN" \
    "-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION -X helm.sh/helm/v3/internal/version.gitTreeState=clean" \
    "helm.sh/helm/v3/cmd/helm")
}
