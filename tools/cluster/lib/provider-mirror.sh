# The OpenTofu provider network mirror runner pods install providers from (https, certificate
# signed by the cluster CA), serving the providers the project builds. Sourced by cluster.sh after
# build.sh and pki.sh.
#
# The project's own provider (tools/provider-k8sconfigmap, on terraform-plugin-framework from the Go
# module proxy) is built once per content of its sources and cached under
# $CACHE_ROOT/providers/, packaged as OpenTofu expects (terraform-provider-<type>_<version>_<os>_<arch>.zip
# holding terraform-provider-<type>_v<version>). `up` lays the mirror out in the network mirror
# protocol's shape under $CLUSTER_DIR/provider-mirror and serves it at https://$NODE_IP:$MIRROR_PORT/.
# shellcheck shell=bash

# shellcheck disable=SC2034 # used by cluster.sh
MIRROR_PROCS=(provider-mirror)

MIRROR_PORT="${TOFU_CLUSTER_PROVIDER_MIRROR_PORT:-8443}"
MIRROR_DIR="$CLUSTER_DIR/provider-mirror"
# The provider's source address: <hostname>/<namespace>/<type>, the path it has in the mirror.
K8SCM_HOST=registry.tofu-operator.local
K8SCM_NAMESPACE=tofu-operator
K8SCM_TYPE=k8sconfigmap
K8SCM_VERSION="${K8SCM_VERSION:-0.1.0}"
K8SCM_SRC="$REPO_ROOT/tools/provider-k8sconfigmap"

provider_mirror_start() {
  local zip
  zip=$(provider_k8scm_build) || die "could not build the provider $K8SCM_TYPE"
  provider_mirror_layout "$zip"
  pki_sign provider-mirror "/CN=tofu-operator-local-provider-mirror" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:$NODE_IP,DNS:localhost,IP:127.0.0.1"
  local node="$REPO_ROOT/node_modules/node/bin/node"
  [[ -x "$node" ]] || die "Node 24 is missing at $node (npm install)"
  proc_start provider-mirror "$node" "$REPO_ROOT/tools/cluster/provider-mirror/server.ts" \
    --listen "$NODE_IP" --port "$MIRROR_PORT" --root "$MIRROR_DIR" \
    --cert "$PKI_DIR/provider-mirror.crt" --key "$PKI_DIR/provider-mirror.key"
  wait_for "the provider mirror" 20 provider-mirror bash -c "echo >/dev/tcp/$NODE_IP/$MIRROR_PORT"
  log "provider mirror at https://$NODE_IP:$MIRROR_PORT/ ($K8SCM_HOST/$K8SCM_NAMESPACE/$K8SCM_TYPE $K8SCM_VERSION; CA $PKI_DIR/ca.crt)"
}

# A digest of everything the provider binary is made of: the Go toolchain and the sources (tests
# excluded), so an edit rebuilds and nothing else does.
provider_k8scm_digest() {
  {
    go version
    echo "$K8SCM_VERSION"
    (cd "$K8SCM_SRC" && find . -maxdepth 1 -type f \( -name '*.go' -o -name go.mod -o -name go.sum \) ! -name '*_test.go' |
      LC_ALL=C sort | xargs sha256sum)
  } | sha256sum | cut -c1-16
}

# Builds the provider unless the cache has it; prints the path of its zip.
provider_k8scm_build() {
  command -v go >/dev/null || die "go is required to build the provider $K8SCM_TYPE"
  local digest dir name bin zip
  digest=$(provider_k8scm_digest)
  dir="$CACHE_ROOT/providers/$K8SCM_TYPE/$K8SCM_VERSION-$digest"
  name="terraform-provider-${K8SCM_TYPE}"
  zip="$dir/${name}_${K8SCM_VERSION}_linux_amd64.zip"
  if [[ ! -f "$zip" ]]; then
    mkdir -p "$dir/bin"
    bin="$dir/bin/${name}_v${K8SCM_VERSION}"
    log "building the provider $K8SCM_HOST/$K8SCM_NAMESPACE/$K8SCM_TYPE $K8SCM_VERSION into $dir"
    (cd "$K8SCM_SRC" && GOOS=linux GOARCH=amd64 go_build_with_progress "$K8SCM_TYPE provider" "$bin" \
      "-s -w -X main.version=$K8SCM_VERSION" .) >&2 || return 1
    # A fixed timestamp: the archive (and its zh: hash) depends only on the binary.
    touch -d '2000-01-01T00:00:00Z' "$bin"
    (cd "$dir/bin" && rm -f "$zip.tmp" && zip -q -X "$zip.tmp" "$(basename "$bin")") || return 1
    mv "$zip.tmp" "$zip"
  fi
  echo "$zip"
}

# The h1: hash OpenTofu records for a provider package: sha256 of the sorted "<sha256>  <name>"
# lines of the files in the archive, base64 (Go's dirhash.Hash1). Arg: the directory the archive
# was made from (its files are exactly the archive's).
provider_h1_hash() {
  local files="$1"
  printf 'h1:%s' "$(cd "$files" && find . -type f | sed 's#^\./##' | LC_ALL=C sort | while read -r f; do
    printf '%s  %s\n' "$(sha256sum "$f" | cut -d' ' -f1)" "$f"
  done | openssl dgst -sha256 -binary | base64)"
}

# Writes the mirror in the network mirror protocol's shape: index.json (the versions), <version>.json
# (the archive of each platform, with its h1: and zh: hashes) and the archive itself.
provider_mirror_layout() {
  local zip="$1" dir="$MIRROR_DIR/$K8SCM_HOST/$K8SCM_NAMESPACE/$K8SCM_TYPE" file h1 zh
  file=$(basename "$zip")
  mkdir -p "$dir"
  cp "$zip" "$dir/$file.tmp" && mv "$dir/$file.tmp" "$dir/$file"
  h1=$(provider_h1_hash "$(dirname "$zip")/bin") || die "could not hash $zip"
  zh="zh:$(sha256sum "$zip" | cut -d' ' -f1)"
  printf '{"versions":{"%s":{}}}\n' "$K8SCM_VERSION" >"$dir/index.json"
  printf '{"archives":{"linux_amd64":{"url":"%s","hashes":["%s","%s"]}}}\n' "$file" "$h1" "$zh" >"$dir/$K8SCM_VERSION.json"
}
