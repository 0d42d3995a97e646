#!/usr/bin/env bash
# Builds the operator or the dashboard container image offline, with no Docker engine and no
# registry, the way build-runner-image.sh builds the runner: a Debian rootfs from debootstrap
# (minbase; git and ssh for the operator only), then Node, the third-party production packages and
# the app each as its own umoci layer, packed by skopeo into a docker-archive tar that
# `ctr images import` takes.
#
# Kept in step with docker/<app>.Dockerfile (the same image for people with Docker): same Debian
# suite and packages, user, paths, entrypoint, env, port, and the same files (both run
# tools/images/stage-node-app.sh). tools/images/check-app-image-parity.sh compares the two.
#
# Usage: tools/images/build-app-image.sh <operator|dashboard> [--force] [--refresh-base] [--print-spec] [--no-compile]
#   --force          rebuild the image layers (the cached Debian rootfs is reused)
#   --refresh-base   debootstrap the Debian rootfs again (picks up Debian updates; new version hash)
#   --print-spec     print the image's settings as KEY=value lines and exit (for the parity check)
#   --no-compile     use the build outputs as they are (dist/, .next/): no tsc -b, no next build
#
# Progress goes to stderr; the last line on stdout is the image reference <name>:<v>, where <v> is
# the app's version plus a short hash of every input; the archive is also tagged <name>:<version>.
# Images: tofu-operator (apps/operator), tofu-operator-dashboard (apps/dashboard). Outputs, under
# ${TOFU_OPERATOR_CACHE:-~/.cache/tofu-operator}/images/:
#   <name>-<v>.tar   docker-archive;  <name>.ref   the reference of the last build
#   oci/             the OCI layout shared with the runner (tags nodeapp-base-*, nodeapp-node-*,
#                    <app>-deps-*, <app>-app-*, <name>-<v>)
#   rootfs/<key>/    the cached Debian rootfs (one per package set), keyed by suite, packages, recipe
# Needs root (debootstrap, chroot, file ownership); installs debootstrap, umoci, skopeo if missing.
set -eEuo pipefail
trap 'printf "[app-image] error: command failed (exit %s) at %s line %s: %s\n" "$?" "${BASH_SOURCE[0]##*/}" "$LINENO" "$BASH_COMMAND" >&2' ERR

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=../cluster/lib/common.sh
source "$HERE/../cluster/lib/common.sh"

APP="${1:-}"
log() { printf '[%s-image %s] %s\n' "${APP:-app}" "$(date +%H:%M:%S)" "$*" >&2; }
die() {
  printf '[%s-image] error: %s\n' "${APP:-app}" "$*" >&2
  exit 1
}
step() { log "== $*"; }

# ---- What the images are (check-app-image-parity.sh compares these with the Dockerfiles) ----
IMAGE_UID=65532
IMAGE_USER_NAME=nonroot
IMAGE_HOME=/home/nonroot
IMAGE_WORKDIR=/app
NODE_IN_IMAGE=/usr/local/bin/node
IMAGE_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
DEBIAN_SUITE="${APP_IMAGE_DEBIAN_SUITE:-bookworm}"
DEBIAN_VARIANT=minbase
# libstdc++6 for Node (glibc and libgcc-s1 come with minbase), ca-certificates for https upstreams;
# the operator adds git and openssh-client below (its source poller runs `git ls-remote`).
DEBIAN_PACKAGES=(ca-certificates libstdc++6)

case "$APP" in
  operator)
    IMAGE_NAME=tofu-operator
    WORKSPACE=apps/operator
    ENTRY=apps/operator/dist/main.js
    # V8 flags on node's command line (Node refuses --optimize-for-size in NODE_OPTIONS): a burst of
    # 10,000 stacks peaks about 25 MiB lower for about a third more CPU per stack (docs/benchmarks.md).
    NODE_FLAGS=(--optimize-for-size)
    APP_PORT=8080
    APP_ENV=("NODE_ENV=production" "PORT=$APP_PORT" "HOST=0.0.0.0")
    STAGE_SCRIPT=stage-node-app.sh
    STAGE_ARGS=(apps/operator)
    DESCRIPTION="tofu-operator: reconcilers for TofuModule, TofuStack and TofuExecution, REST and websocket API"
    DEBIAN_PACKAGES+=(git openssh-client)
    ;;
  dashboard)
    IMAGE_NAME=tofu-operator-dashboard
    WORKSPACE=apps/dashboard
    ENTRY=apps/dashboard/server.ts
    NODE_FLAGS=()
    APP_PORT=3000
    APP_ENV=("NODE_ENV=production" "PORT=$APP_PORT" "HOST=0.0.0.0" "NEXT_TELEMETRY_DISABLED=1")
    # Next's standalone output plus the custom server (run by Node's type stripping).
    STAGE_SCRIPT=stage-dashboard.sh
    STAGE_ARGS=()
    DESCRIPTION="tofu-operator dashboard: web UI and /api proxy to the operator"
    ;;
  -h | --help)
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"
    exit 0
    ;;
  *) die "usage: $0 <operator|dashboard> [--force] [--refresh-base] [--print-spec] [--no-compile]" ;;
esac
shift
ENTRYPOINT=("$NODE_IN_IMAGE" "${NODE_FLAGS[@]}" "$IMAGE_WORKDIR/$ENTRY")

SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-0}"
CREATED="$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)"
IMAGES_DIR="$CACHE_ROOT/images"
LAYOUT="$IMAGES_DIR/oci"
IMAGE_BUILDER="build-app-image.sh $APP"
NODE_BIN="${APP_IMAGE_NODE:-$REPO_ROOT/node_modules/node/bin/node}"
APP_VERSION="$(sed -n 's/^[[:space:]]*"version":[[:space:]]*"\([^"]*\)".*/\1/p' "$REPO_ROOT/$WORKSPACE/package.json" | head -n1)"
[[ -n "$APP_VERSION" ]] || die "cannot read the version from $WORKSPACE/package.json"

print_spec() {
  local pkgs env
  pkgs="$(printf '%s\n' "${DEBIAN_PACKAGES[@]}" | LC_ALL=C sort | paste -sd' ')"
  env="$(printf '%s\n' "PATH=$IMAGE_PATH" "HOME=$IMAGE_HOME" "${APP_ENV[@]}" | LC_ALL=C sort | paste -sd' ')"
  cat <<EOF
user=$IMAGE_UID:$IMAGE_UID
user_name=$IMAGE_USER_NAME
home=$IMAGE_HOME
workdir=$IMAGE_WORKDIR
entrypoint=$(printf '%s\n' "${ENTRYPOINT[@]}" | jq -R . | jq -sc .)
env=$env
expose=$APP_PORT/tcp
node_path=$NODE_IN_IMAGE
deps_dest=$IMAGE_WORKDIR/node_modules
app_dest=$IMAGE_WORKDIR
stage=$STAGE_SCRIPT${STAGE_ARGS[*]:+ ${STAGE_ARGS[*]}}
debian_suite=$DEBIAN_SUITE
debian_packages=$pkgs
EOF
}

FORCE=false
REFRESH_BASE=false
COMPILE=true
for arg in "$@"; do
  case "$arg" in
    --force) FORCE=true ;;
    --refresh-base) REFRESH_BASE=true ;;
    --no-compile) COMPILE=false ;;
    --print-spec)
      print_spec
      exit 0
      ;;
    *) die "unknown argument '$arg' (see --help)" ;;
  esac
done

# shellcheck source-path=SCRIPTDIR source=lib/image-common.sh
source "$HERE/lib/image-common.sh"

image_configure() {
  local tag="$1" version="$2" node_version="$3" e
  local args=(--clear=config.env --clear=config.cmd --clear=config.entrypoint --clear=config.labels --clear=config.exposedports)
  for e in "${ENTRYPOINT[@]}"; do args+=(--config.entrypoint "$e"); done
  for e in "PATH=$IMAGE_PATH" "HOME=$IMAGE_HOME" "${APP_ENV[@]}"; do args+=(--config.env "$e"); done
  umoci config --image "$LAYOUT:$tag" --created "$CREATED" --architecture amd64 --os linux "${args[@]}" \
    --config.user "$IMAGE_UID:$IMAGE_UID" \
    --config.workingdir "$IMAGE_WORKDIR" \
    --config.exposedports "$APP_PORT/tcp" \
    --config.label "org.opencontainers.image.title=$IMAGE_NAME" \
    --config.label "org.opencontainers.image.description=$DESCRIPTION" \
    --config.label "org.opencontainers.image.version=$version" \
    --config.label "org.opencontainers.image.licenses=Apache-2.0" \
    --config.label "org.opencontainers.image.base.name=debian:$DEBIAN_SUITE" \
    --config.label "io.tofu-operator.node-version=$node_version" \
    --history.created "$CREATED" --history.created_by "$IMAGE_BUILDER: config" ||
    die "umoci config failed"
}

# Compiles what the image runs with the project's Nx build target (tsc -b for the operator, next
# build for the dashboard, after the libraries they use): restored from Nx's cache when no input
# changed, so a warm rebuild does not run next build again.
compile() {
  (cd "$REPO_ROOT" && PATH="$REPO_ROOT/node_modules/.bin:$PATH" NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false \
    NEXT_TELEMETRY_DISABLED=1 nx run "$APP:build" --output-style=static >&2) || die "nx run $APP:build failed"
}

# ---- Main ----
main() {
  local start=$SECONDS
  step "1/7 tools"
  ensure_tools
  command -v jq >/dev/null || die "jq is required (apt-get install jq)"
  mkdir -p "$IMAGES_DIR/rootfs" "$IMAGES_DIR/work"
  exec 9>"$IMAGES_DIR/.lock"
  flock -n 9 || {
    log "another image build holds $IMAGES_DIR/.lock; waiting"
    flock 9
  }

  step "2/7 inputs: $WORKSPACE$($COMPILE && echo " (compiled now)"), node"
  $COMPILE && compile
  NODE_BIN="$(readlink -f "$NODE_BIN")"
  [[ -x "$NODE_BIN" ]] || die "Node binary $NODE_BIN not found (npm install the workspace, or set APP_IMAGE_NODE)"
  local node_version
  node_version="$("$NODE_BIN" --version)" || die "$NODE_BIN does not run"
  [[ "$node_version" == v24.* ]] || die "$NODE_BIN is Node $node_version; the images need Node 24"

  local work="$IMAGES_DIR/work/$APP-$$"
  remove_tree "$work"
  mkdir -p "$work"
  # shellcheck disable=SC2064 # expand now: $work is fixed for this run
  trap "rm -rf '$work'" EXIT
  local stage_cmd=("$HERE/$STAGE_SCRIPT" "$REPO_ROOT")
  [[ ${#STAGE_ARGS[@]} -eq 0 ]] || stage_cmd+=("${STAGE_ARGS[@]}")
  PATH="$(dirname "$NODE_BIN"):$PATH" "${stage_cmd[@]}" "$work/stage" ||
    die "staging $WORKSPACE failed"
  # Two layers: third-party packages (change seldom) and the app with its workspace libraries.
  mkdir -p "$work/deps" "$work/app/node_modules"
  mv "$work/stage/node_modules" "$work/deps/node_modules"
  if [[ -d "$work/deps/node_modules/@tofu-operator" ]]; then
    mv "$work/deps/node_modules/@tofu-operator" "$work/app/node_modules/@tofu-operator"
  fi
  mv "$work/stage/apps" "$work/app/apps"
  [[ -z "$(ls -A "$work/stage")" ]] || die "unexpected staged files: $(ls -A "$work/stage")"
  [[ -f "$work/app/$ENTRY" ]] || die "the entrypoint $ENTRY was not staged"
  chmod 0755 "$work/deps" "$work/app"
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
  local r="$rootfs_dir/rootfs"
  "$r/lib64/ld-linux-x86-64.so.2" --library-path "$r/lib/x86_64-linux-gnu:$r/usr/lib/x86_64-linux-gnu" \
    "$work/node/node" --version >/dev/null || die "Node does not run against the rootfs's libraries"

  # Each step's tag is the hash of its parent's tag and its own inputs: a change rebuilds only that
  # layer and the ones above it. The base is shared by apps with the same packages (same rootfs, same tag).
  local base_tag node_tag deps_tag app_tag version
  base_tag="nodeapp-base-$(cat <(echo "$rkey") "$rootfs_dir/packages.txt" | sha | cut -c1-16)"
  node_tag="nodeapp-node-$({ echo "$base_tag $NODE_IN_IMAGE"; sha256sum <"$work/node/node"; } | sha | cut -c1-16)"
  tree_hash() { (cd "$1" && find . \( -type f -o -type l \) -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum); }
  deps_tag="$APP-deps-$({ echo "$node_tag $IMAGE_WORKDIR/node_modules"; tree_hash "$work/deps"; } | sha | cut -c1-16)"
  app_tag="$APP-app-$({ echo "$deps_tag $IMAGE_WORKDIR"; tree_hash "$work/app"; } | sha | cut -c1-16)"
  version="$APP_VERSION-$({
    echo "$app_tag"
    declare -f image_configure
    print_spec
  } | sha | cut -c1-12)"
  # The OCI layout is shared with the runner: its final tag carries the image name.
  local ref="$IMAGE_NAME:$version" tar="$IMAGES_DIR/$IMAGE_NAME-$version.tar" oci_tag="$IMAGE_NAME-$version"

  if $FORCE; then
    local t
    for t in "$node_tag" "$deps_tag" "$app_tag" "$oci_tag"; do
      has_tag "$t" && umoci rm --image "$LAYOUT:$t"
    done
    rm -f "$tar"
  elif image_is_current "$tar" "$oci_tag" "$ref" "$start"; then
    return 0
  fi

  layout_with_base "$base_tag" "$r"

  step "5/7 layers: node, production packages, app"
  cached_layer "$base_tag" "$node_tag" "$work/node/node" "$NODE_IN_IMAGE" "node $node_version" \
    "node layer $node_tag ($node_version -> $NODE_IN_IMAGE)"
  cached_layer "$node_tag" "$deps_tag" "$work/deps/node_modules" "$IMAGE_WORKDIR/node_modules" "npm production packages of $WORKSPACE" \
    "packages layer $deps_tag ($(du -sh "$work/deps" | cut -f1) -> $IMAGE_WORKDIR/node_modules)"
  cached_layer "$deps_tag" "$app_tag" "$work/app" "$IMAGE_WORKDIR" "$WORKSPACE $APP_VERSION and its workspace libraries" \
    "app layer $app_tag ($(du -sh "$work/app" | cut -f1) -> $IMAGE_WORKDIR)"

  tag_and_archive "$app_tag" "$oci_tag" "$tar" "$ref" "$IMAGE_NAME:$APP_VERSION" "$version" "$node_version"
  # Older archives of this image (about 250 MB each): keep the previous one, delete the rest. A
  # node that imported them keeps its copy; the OCI layout keeps every layer.
  local old
  # shellcheck disable=SC2012 # names are ours: <name>-<version>-<hash>.tar
  for old in $(ls -t "$IMAGES_DIR/$IMAGE_NAME-$APP_VERSION"-*.tar 2>/dev/null | tail -n +3); do
    [[ "$old" == "$tar" ]] || rm -f "$old"
  done
  log "image $ref: $(du -h "$tar" | cut -f1) uncompressed tar; OCI layout $LAYOUT (tag $oci_tag)"
  log "done in $((SECONDS - start))s"
  echo "$ref"
}

main
