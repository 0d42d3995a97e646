# Builds the Kubernetes binaries from the Go module proxy and caches them by version.
# Sourced by cluster.sh; expects common.sh to be sourced first.
# shellcheck shell=bash

# The components the local cluster runs, in build order (the control plane first, so a cold build
# gives a usable control plane as early as possible).
K8S_COMPONENTS=(kube-apiserver kube-controller-manager kube-scheduler kubectl kubelet kube-proxy)

# Prints the staging modules that k8s.io/kubernetes replaces with ./staging/... in its own go.mod.
# Derived from the downloaded go.mod rather than hard-coded, so a version bump needs no edit here.
k8s_staging_modules() {
  local gomod="$1"
  sed -n 's#^[[:space:]]*\(k8s\.io/[a-z0-9-]*\) => \./staging/src/.*#\1#p' "$gomod" | sort -u
}

# Writes a wrapper module that requires k8s.io/kubernetes and pins every staging module to the
# published v0.X.Y version that matches.
k8s_prepare_wrapper() {
  local work="$1" gomod="$2" staging_version="v0${K8S_VERSION#v1}"
  mkdir -p "$work"
  {
    echo "module tofu-operator.io/k8s-build"
    echo
    grep -E '^go [0-9]' "$gomod"
    echo
    # Keep the upstream godebug settings: they change runtime behaviour of the binaries.
    sed -n '/^godebug/,/^)/p' "$gomod"
    echo
    echo "require k8s.io/kubernetes $K8S_VERSION"
    echo
    echo "replace ("
    k8s_staging_modules "$gomod" | while read -r m; do echo "	$m => $m $staging_version"; done
    echo ")"
  } >"$work/go.mod"
  {
    echo "//go:build tools"
    echo
    echo "package tools"
    echo
    echo "import ("
    local c
    for c in "${K8S_COMPONENTS[@]}"; do echo "	_ \"k8s.io/kubernetes/cmd/$c\""; done
    echo ")"
  } >"$work/tools.go"
}

# Builds one package, printing how far it is (packages compiled out of the package's dependency
# count) instead of going silent for many minutes.
go_build_with_progress() {
  local label="$1" out="$2" ldflags="$3" pkg="$4" total n=0 last=0
  total=$(go list -tags selinux,notest -deps "$pkg" 2>/dev/null | wc -l)
  log "$label: compiling ($total packages in its dependency graph; cached ones are skipped)"
  local start=$SECONDS
  set -o pipefail
  if ! CGO_ENABLED=0 go build -v -trimpath -tags selinux,notest -ldflags "$ldflags" -o "$out.tmp" "$pkg" 2>&1 |
    while IFS= read -r line; do
      case "$line" in
        # `go build -v` prints bare package paths; anything with a space is a compiler message.
        *' '*) printf '%s\n' "$line" >&2 ;;
        *) n=$((n + 1)) ;;
      esac
      if ((SECONDS - last >= 15)); then
        last=$SECONDS
        log "$label: $n/$total packages compiled, $((SECONDS - start))s"
      fi
    done; then
    set +o pipefail
    rm -f "$out.tmp"
    die "$label: go build failed"
  fi
  set +o pipefail
  mv "$out.tmp" "$out"
  log "$label: built in $((SECONDS - start))s -> $out"
}

# Builds every missing Kubernetes binary into the cache. Idempotent: present binaries are kept.
k8s_build() {
  local missing=() c
  for c in "${K8S_COMPONENTS[@]}"; do [[ -x "$K8S_BIN_DIR/$c" ]] || missing+=("$c"); done
  ((${#missing[@]} == 0)) && return 0
  command -v go >/dev/null || die "go is required to build Kubernetes $K8S_VERSION"
  log "building Kubernetes $K8S_VERSION (${missing[*]}) into $K8S_BIN_DIR; a cold build takes 15-40 min on 2 cores"
  local work="$CACHE_ROOT/kubernetes/$K8S_VERSION/src"
  local dir
  dir=$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [[ -f "$dir/go.mod" ]] || die "could not download k8s.io/kubernetes@$K8S_VERSION from the Go module proxy"
  k8s_prepare_wrapper "$work" "$dir/go.mod"
  log "resolving modules (go mod tidy)"
  (cd "$work" && go mod tidy) || die "go mod tidy failed for the Kubernetes wrapper module"
  mkdir -p "$K8S_BIN_DIR"
  local date minor ldflags i=0
  date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  minor=$(echo "$K8S_VERSION" | cut -d. -f2)
  ldflags="-s -w"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor"
    ldflags+=" -X $p.gitTreeState=clean -X $p.buildDate=$date"
  done
  for c in "${missing[@]}"; do
    i=$((i + 1))
    (cd "$work" && go_build_with_progress "[$i/${#missing[@]}] $c" "$K8S_BIN_DIR/$c" "$ldflags" "k8s.io/kubernetes/cmd/$c")
  done
}

TOFU_VERSION="${TOFU_VERSION:-v1.12.6}"
TOFU_BIN="$CACHE_ROOT/opentofu/$TOFU_VERSION/bin/tofu"

# Builds the tofu CLI from the Go module proxy: a wrapper module requiring opentofu with the one
# replace (hcl fork) and the godebug block copied from that release's own go.mod.
tofu_build() {
  [[ -x "$TOFU_BIN" ]] && return 0
  command -v go >/dev/null || die "go is required to build OpenTofu $TOFU_VERSION"
  log "building OpenTofu $TOFU_VERSION into $(dirname "$TOFU_BIN")"
  local work="$CACHE_ROOT/opentofu/$TOFU_VERSION/src" dir
  dir=$(go mod download -json "github.com/opentofu/opentofu@$TOFU_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [[ -f "$dir/go.mod" ]] || die "could not download github.com/opentofu/opentofu@$TOFU_VERSION"
  mkdir -p "$work" "$(dirname "$TOFU_BIN")"
  {
    echo "module tofu-operator.io/tofu-build"
    echo
    grep -E '^go [0-9]' "$dir/go.mod"
    echo
    sed -n '/^godebug/,/^)/p' "$dir/go.mod"
    echo
    echo "require github.com/opentofu/opentofu $TOFU_VERSION"
    echo
    grep -E '^replace .*=>' "$dir/go.mod" | grep -v '=> \.' || true
  } >"$work/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport _ "github.com/opentofu/opentofu/cmd/tofu"\n' >"$work/tools.go"
  (cd "$work" && go mod tidy) || die "go mod tidy failed for the OpenTofu wrapper module"
  (cd "$work" && CGO_ENABLED=0 go_build_with_progress "tofu" "$TOFU_BIN" \
    "-s -w -X github.com/opentofu/opentofu/version.dev=no" "github.com/opentofu/opentofu/cmd/tofu")
}
