#!/usr/bin/env bash
# Builds the runner container image (tofu-operator-runner) offline, with no Docker engine and no
# registry: a Debian rootfs from debootstrap, then tofu, Node and the runner's JavaScript, each as
# its own layer with umoci, packed by skopeo into a docker-archive tar that `ctr images import` takes.
#
# Kept in step with docker/runner.Dockerfile (the same image for people with Docker): same Debian
# suite and packages, paths, user, entrypoint, workdir and tofu version.
# tools/images/check-runner-image-parity.sh compares the two; run it after changing either.
#
# Usage: tools/images/build-runner-image.sh [--force] [--refresh-base] [--print-spec]
#   --force          rebuild the image layers (the cached Debian rootfs is reused)
#   --refresh-base   debootstrap the Debian rootfs again (picks up Debian updates; new version hash)
#   --print-spec     print the image's settings as KEY=value lines and exit (for the parity check)
#
# Progress goes to stderr; the last line on stdout is the image reference, tofu-operator-runner:<v>,
# where <v> is apps/runner's version plus a short hash of every input. Outputs, under
# ${TOFU_OPERATOR_CACHE:-~/.cache/tofu-operator}/images/:
#   tofu-operator-runner-<v>.tar   docker-archive, tagged tofu-operator-runner:<v> and :<runner version>
#   oci/                           OCI layout holding every step (tags base-*, tofu-*, node-*, app-*, <v>)
#   rootfs/<key>/                  the cached Debian rootfs, keyed by suite, packages and recipe
#   tofu-operator-runner.ref       the reference of the last build
# Needs root (debootstrap, chroot, file ownership); installs debootstrap, umoci, skopeo if missing.
set -eEuo pipefail
trap 'printf "[runner-image] error: command failed (exit %s) at %s line %s: %s\n" "$?" "${BASH_SOURCE[0]##*/}" "$LINENO" "$BASH_COMMAND" >&2' ERR

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=../cluster/lib/common.sh
source "$HERE/../cluster/lib/common.sh"
# shellcheck source-path=SCRIPTDIR source=../cluster/lib/build.sh
source "$HERE/../cluster/lib/build.sh"

log() { printf '[runner-image %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() {
  printf '[runner-image] error: %s\n' "$*" >&2
  exit 1
}
step() { log "== $*"; }

# ---- What the image is (check-runner-image-parity.sh compares these with the Dockerfile) ----
IMAGE_NAME=tofu-operator-runner
IMAGE_UID=65532
IMAGE_USER_NAME=runner
IMAGE_HOME=/home/runner
IMAGE_WORKDIR=/workspace
APP_DIR=/opt/tofu-runner
NODE_IN_IMAGE=/usr/local/bin/node
TOFU_IN_IMAGE=/usr/local/bin/tofu
IMAGE_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
DEBIAN_SUITE="${RUNNER_IMAGE_DEBIAN_SUITE:-bookworm}"
DEBIAN_VARIANT=minbase
# git and openssh-client for the clone (GIT_SSH_COMMAND runs through /bin/sh, which minbase has),
# ca-certificates for https remotes, libstdc++6 for Node (glibc and libgcc-s1 come with minbase).
DEBIAN_PACKAGES=(ca-certificates git libstdc++6 openssh-client)

# Layer timestamps and created dates are pinned so the same inputs give the same layers.
SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-0}"
CREATED="$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)"

IMAGES_DIR="$CACHE_ROOT/images"
LAYOUT="$IMAGES_DIR/oci"
NODE_BIN="${RUNNER_IMAGE_NODE:-$REPO_ROOT/node_modules/node/bin/node}"
RUNNER_VERSION="$(sed -n 's/^[[:space:]]*"version":[[:space:]]*"\([^"]*\)".*/\1/p' "$REPO_ROOT/apps/runner/package.json" | head -n1)"
[[ -n "$RUNNER_VERSION" ]] || die "cannot read the version from apps/runner/package.json"

print_spec() {
  local pkgs
  pkgs="$(printf '%s\n' "${DEBIAN_PACKAGES[@]}" | LC_ALL=C sort | paste -sd' ')"
  cat <<EOF
user=$IMAGE_UID:$IMAGE_UID
user_name=$IMAGE_USER_NAME
home=$IMAGE_HOME
workdir=$IMAGE_WORKDIR
entrypoint=["$NODE_IN_IMAGE","$APP_DIR/main.js"]
tofu_path=$TOFU_IN_IMAGE
node_path=$NODE_IN_IMAGE
app_dir=$APP_DIR
tofu_version=$TOFU_VERSION
debian_suite=$DEBIAN_SUITE
debian_packages=$pkgs
EOF
}

FORCE=false
REFRESH_BASE=false
for arg in "$@"; do
  case "$arg" in
    --force) FORCE=true ;;
    --refresh-base) REFRESH_BASE=true ;;
    --print-spec)
      print_spec
      exit 0
      ;;
    -h | --help)
      awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"
      exit 0
      ;;
    *) die "unknown argument '$arg' (see --help)" ;;
  esac
done

IMAGE_BUILDER=build-runner-image.sh
# shellcheck source-path=SCRIPTDIR source=lib/image-common.sh
source "$HERE/lib/image-common.sh"

image_configure() {
  local tag="$1" version="$2" node_version="$3"
  umoci config --image "$LAYOUT:$tag" --created "$CREATED" --architecture amd64 --os linux \
    --clear=config.env --clear=config.cmd --clear=config.entrypoint --clear=config.labels \
    --config.user "$IMAGE_UID:$IMAGE_UID" \
    --config.workingdir "$IMAGE_WORKDIR" \
    --config.entrypoint "$NODE_IN_IMAGE" --config.entrypoint "$APP_DIR/main.js" \
    --config.env "PATH=$IMAGE_PATH" \
    --config.env "HOME=$IMAGE_HOME" \
    --config.label "org.opencontainers.image.title=$IMAGE_NAME" \
    --config.label "org.opencontainers.image.description=tofu-operator runner: clones a repository and runs tofu plan" \
    --config.label "org.opencontainers.image.version=$version" \
    --config.label "org.opencontainers.image.licenses=Apache-2.0" \
    --config.label "org.opencontainers.image.base.name=debian:$DEBIAN_SUITE" \
    --config.label "io.tofu-operator.tofu-version=$TOFU_VERSION" \
    --config.label "io.tofu-operator.node-version=$node_version" \
    --history.created "$CREATED" --history.created_by "build-runner-image.sh: config" ||
    die "umoci config failed"
}

# ---- Main ----
main() {
  local start=$SECONDS
  step "1/7 tools"
  ensure_tools
  mkdir -p "$IMAGES_DIR/rootfs" "$IMAGES_DIR/work"
  exec 9>"$IMAGES_DIR/.lock"
  flock -n 9 || {
    log "another image build holds $IMAGES_DIR/.lock; waiting"
    flock 9
  }

  step "2/7 inputs: runner (tsc -b apps/runner), tofu $TOFU_VERSION, node"
  (cd "$REPO_ROOT" && PATH="$REPO_ROOT/node_modules/.bin:$PATH" tsc -b apps/runner) || die "tsc -b apps/runner failed"
  tofu_build
  [[ -x "$TOFU_BIN" ]] || die "tofu binary $TOFU_BIN missing after tofu_build"
  NODE_BIN="$(readlink -f "$NODE_BIN")"
  [[ -x "$NODE_BIN" ]] || die "Node binary $NODE_BIN not found (npm install the workspace, or set RUNNER_IMAGE_NODE)"
  local node_version
  node_version="$("$NODE_BIN" --version)" || die "$NODE_BIN does not run"
  [[ "$node_version" == v24.* ]] || die "$NODE_BIN is Node $node_version; the runner needs Node 24"

  local work="$IMAGES_DIR/work/$$"
  remove_tree "$work"
  mkdir -p "$work"
  # shellcheck disable=SC2064 # expand now: $work is fixed for this run
  trap "rm -rf '$work'" EXIT
  PATH="$REPO_ROOT/node_modules/.bin:$PATH" "$HERE/stage-runner-app.sh" "$REPO_ROOT" "$work/app" || die "staging the runner app failed"
  chmod 0755 "$work/app"
  install -D -m 0755 "$TOFU_BIN" "$work/tofu/tofu"
  install -D -m 0755 "$NODE_BIN" "$work/node/node"
  clamp_mtimes "$work"

  step "3/7 Debian $DEBIAN_SUITE rootfs"
  local rkey rootfs_dir
  rkey="$(rootfs_key)"
  rootfs_dir="$IMAGES_DIR/rootfs/$DEBIAN_SUITE-$rkey"
  if $REFRESH_BASE && [[ -d "$rootfs_dir" ]]; then
    log "--refresh-base: removing the cached rootfs $rootfs_dir"
    remove_tree "$rootfs_dir"
  fi
  if [[ -f "$rootfs_dir/packages.txt" ]]; then
    log "cached: $rootfs_dir"
  else
    local t0=$SECONDS
    build_rootfs "$rootfs_dir"
    log "rootfs built in $((SECONDS - t0))s: $(du -sh "$rootfs_dir/rootfs" | cut -f1), $(wc -l <"$rootfs_dir/packages.txt") packages"
  fi
  # Node must find its libraries (glibc, libstdc++, libgcc) in the rootfs: run it with the rootfs's
  # own loader and library directories.
  local r="$rootfs_dir/rootfs"
  "$r/lib64/ld-linux-x86-64.so.2" --library-path "$r/lib/x86_64-linux-gnu:$r/usr/lib/x86_64-linux-gnu" \
    "$work/node/node" --version >/dev/null || die "Node does not run against the rootfs's libraries"

  # Each step's tag is the hash of its parent's tag and its own inputs, so a change rebuilds only
  # that layer and the ones above it.
  local base_tag tofu_tag node_tag app_tag version
  base_tag="base-$(cat <(echo "$rkey") "$rootfs_dir/packages.txt" | sha | cut -c1-16)"
  tofu_tag="tofu-$({ echo "$base_tag $TOFU_IN_IMAGE"; sha256sum <"$work/tofu/tofu"; } | sha | cut -c1-16)"
  node_tag="node-$({ echo "$tofu_tag $NODE_IN_IMAGE"; sha256sum <"$work/node/node"; } | sha | cut -c1-16)"
  app_tag="app-$({
    echo "$node_tag $APP_DIR"
    (cd "$work/app" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
  } | sha | cut -c1-16)"
  version="$RUNNER_VERSION-$({
    echo "$app_tag"
    declare -f image_configure
    print_spec
  } | sha | cut -c1-12)"
  local ref="$IMAGE_NAME:$version" tar="$IMAGES_DIR/$IMAGE_NAME-$version.tar"

  if $FORCE; then
    local t
    for t in "$base_tag" "$tofu_tag" "$node_tag" "$app_tag" "$version"; do
      has_tag "$t" && umoci rm --image "$LAYOUT:$t"
    done
    rm -f "$tar"
  elif image_is_current "$tar" "$version" "$ref" "$start"; then
    return 0
  fi

  layout_with_base "$base_tag" "$r"

  step "5/7 layers: tofu, node, runner app"
  cached_layer "$base_tag" "$tofu_tag" "$work/tofu/tofu" "$TOFU_IN_IMAGE" "tofu $TOFU_VERSION" \
    "tofu layer $tofu_tag ($TOFU_VERSION -> $TOFU_IN_IMAGE)"
  cached_layer "$tofu_tag" "$node_tag" "$work/node/node" "$NODE_IN_IMAGE" "node $node_version" \
    "node layer $node_tag ($node_version -> $NODE_IN_IMAGE)"
  cached_layer "$node_tag" "$app_tag" "$work/app" "$APP_DIR" "runner $RUNNER_VERSION" "app layer $app_tag ($APP_DIR)"

  tag_and_archive "$app_tag" "$version" "$tar" "$ref" "$IMAGE_NAME:$RUNNER_VERSION" "$version" "$node_version"
  log "image $ref: $(du -h "$tar" | cut -f1) uncompressed tar; OCI layout $LAYOUT (tag $version)"
  log "done in $((SECONDS - start))s"
  echo "$ref"
}

main
