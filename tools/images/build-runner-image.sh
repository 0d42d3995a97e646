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

sha() { sha256sum | cut -d' ' -f1; }

# ---- Tools ----
ensure_tools() {
  local missing=() entry
  for entry in debootstrap:debootstrap umoci:umoci skopeo:skopeo flock:util-linux chroot:coreutils; do
    command -v "${entry%%:*}" >/dev/null || missing+=("${entry#*:}")
  done
  if ((${#missing[@]} > 0)); then
    [[ $(id -u) == 0 ]] || die "missing tools; install them as root: apt-get install ${missing[*]}"
    log "installing Debian packages: ${missing[*]}"
    apt-get update -qq >/dev/null || die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
      die "apt-get install ${missing[*]} failed"
  fi
  for entry in debootstrap umoci skopeo flock chroot; do
    command -v "$entry" >/dev/null || die "$entry is still missing after apt-get install"
  done
  [[ $(id -u) == 0 ]] || die "building the rootfs needs root (debootstrap, chroot, file ownership)"
}

# ---- The Debian mirror, from this machine's apt configuration ----
# Prints the first URI that serves suite $1 with Types deb, from deb822 *.sources files or one-line
# *.list files. Nothing if none does.
apt_uri_for_suite() {
  local suite="$1" f uri=""
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f "$f" ]] || continue
    uri="$(awk -v suite="$suite" '
      function flush() {
        if (uri == "" && enabled != "no" && (" " types " ") ~ / deb / && (" " suites " ") ~ (" " suite " ")) uri = uris
        types = ""; suites = ""; uris = ""; enabled = ""
      }
      /^[[:space:]]*$/ { flush(); next }
      /^[[:space:]]*#/ { next }
      tolower($1) == "types:" { $1 = ""; types = $0 }
      tolower($1) == "suites:" { $1 = ""; suites = $0 }
      tolower($1) == "uris:" { uris = $2 }
      tolower($1) == "enabled:" { enabled = tolower($2) }
      END { flush(); print uri }' "$f")"
    [[ -n "$uri" ]] && break
  done
  if [[ -z "$uri" ]]; then
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
      [[ -f "$f" ]] || continue
      uri="$(awk -v suite="$suite" '
        $1 == "deb" {
          i = 2
          if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
          if ($(i + 1) == suite) { print $i; exit }
        }' "$f")"
      [[ -n "$uri" ]] && break
    done
  fi
  printf '%s\n' "${uri%/}"
}

# ---- Safe removal of a tree debootstrap may have left mounts in ----
remove_tree() {
  local dir="$1" m
  [[ -e "$dir" ]] || return 0
  # Unmount anything below it, deepest first, before deleting (a half-done debootstrap may leave
  # proc or sys mounted in its target).
  while IFS= read -r m; do
    if [[ -n "$m" ]]; then umount -l "$m" 2>/dev/null || true; fi
  done < <(awk -v d="$(realpath "$dir")/" 'index($2 "/", d) == 1 { print $2 }' /proc/self/mounts | sort -r)
  rm -rf --one-file-system "$dir"
}

# ---- The base layer: Debian minbase + packages, a runner user, no caches or docs ----
# Everything done to the rootfs after debootstrap. Its text is part of the rootfs cache key, so a
# change here rebuilds the rootfs. (The Dockerfile does the same with apt-get, useradd and rm.)
base_customize() {
  local r="${1:?rootfs}" security="$2" mirror="$3"
  [[ "$r" != / && -d "$r/etc" ]] || return 1
  # Debian's updates and security fixes released since the point release debootstrap installed.
  {
    echo "deb $mirror $DEBIAN_SUITE main"
    echo "deb $mirror $DEBIAN_SUITE-updates main"
    [[ -n "$security" ]] && echo "deb $security $DEBIAN_SUITE-security main"
  } >"$r/etc/apt/sources.list"
  chroot "$r" /usr/bin/env -i PATH="$IMAGE_PATH" DEBIAN_FRONTEND=noninteractive \
    sh -c 'apt-get update -qq && apt-get upgrade -y -qq --no-install-recommends' >"$r.upgrade.log" 2>&1 || {
    tail -n 20 "$r.upgrade.log" >&2
    return 1
  }
  chroot "$r" /usr/bin/env -i PATH="$IMAGE_PATH" apt-get clean

  chroot "$r" groupadd --gid "$IMAGE_UID" "$IMAGE_USER_NAME"
  chroot "$r" useradd --uid "$IMAGE_UID" --gid "$IMAGE_UID" --home-dir "$IMAGE_HOME" --no-create-home \
    --shell /usr/sbin/nologin "$IMAGE_USER_NAME"
  install -d -m 0755 -o "$IMAGE_UID" -g "$IMAGE_UID" "$r$IMAGE_HOME" "$r$IMAGE_WORKDIR"

  # Keep it small: no package lists or caches, no docs but the copyright files, no man pages or
  # translations, no logs; and no host-specific files debootstrap copied in.
  rm -rf "${r:?}"/var/lib/apt/lists/* "${r:?}"/var/cache/apt/* "${r:?}"/var/cache/debconf/*-old "${r:?}"/var/lib/dpkg/*-old
  find "$r/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
  find "$r/usr/share/doc" -mindepth 1 -type d -empty -delete
  rm -rf "${r:?}"/usr/share/man/* "${r:?}"/usr/share/info/* "${r:?}"/usr/share/locale/* "${r:?}"/usr/share/lintian/*
  find "$r/var/log" -type f -delete
  rm -f "$r/etc/resolv.conf" "$r/etc/hostname" "$r/var/cache/ldconfig/aux-cache"
  : >"$r/etc/machine-id"
  rm -rf "${r:?}"/dev/* "${r:?}"/run/* "${r:?}"/tmp/* "${r:?}"/var/tmp/*
  # Later apt-get installs (an image built FROM this one) skip docs too, as in debian:*-slim.
  cat >"$r/etc/dpkg/dpkg.cfg.d/90-tofu-operator-nodoc" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
EOF
}

# Prints the key of the cached rootfs: what decides its contents, short of Debian's own updates.
rootfs_key() {
  {
    echo "suite=$DEBIAN_SUITE variant=$DEBIAN_VARIANT packages=${DEBIAN_PACKAGES[*]}"
    echo "uid=$IMAGE_UID user=$IMAGE_USER_NAME home=$IMAGE_HOME workdir=$IMAGE_WORKDIR path=$IMAGE_PATH"
    echo "epoch=$SOURCE_DATE_EPOCH"
    declare -f base_customize
  } | sha | cut -c1-16
}

clamp_mtimes() {
  find "$1" -xdev -exec touch --no-dereference --date="@$SOURCE_DATE_EPOCH" {} +
}

# Debootstraps and customizes the rootfs into $1 (which must not exist).
build_rootfs() {
  local dest="$1" tmp="$1.tmp" mirror security include blog
  mirror="${DEBIAN_MIRROR:-$(apt_uri_for_suite "$DEBIAN_SUITE")}"
  [[ -n "$mirror" ]] || mirror=http://deb.debian.org/debian
  security="${DEBIAN_SECURITY_MIRROR:-$(apt_uri_for_suite "$DEBIAN_SUITE-security")}"
  include="$(IFS=,; echo "${DEBIAN_PACKAGES[*]}")"
  remove_tree "$tmp"
  mkdir -p "$tmp"
  blog="$tmp/debootstrap.log"
  log "debootstrap --variant=$DEBIAN_VARIANT --include=$include $DEBIAN_SUITE from $mirror (log: $blog)"
  if ! debootstrap --variant="$DEBIAN_VARIANT" --include="$include" "$DEBIAN_SUITE" "$tmp/rootfs" "$mirror" >"$blog" 2>&1; then
    tail -n 20 "$blog" >&2
    die "debootstrap of $DEBIAN_SUITE from $mirror failed (full log: $blog)"
  fi
  log "applying updates${security:+ (and security fixes from $security)}, adding user $IMAGE_USER_NAME, trimming"
  base_customize "$tmp/rootfs" "$security" "$mirror"
  # shellcheck disable=SC2016 # a dpkg-query format, not a shell expansion
  chroot "$tmp/rootfs" dpkg-query -W -f '${Package}=${Version}\n' | LC_ALL=C sort >"$tmp/packages.txt"
  clamp_mtimes "$tmp/rootfs"
  mv "$tmp" "$dest"
}

# ---- umoci helpers ----
has_tag() { [[ -f "$LAYOUT/index.json" ]] && umoci ls --layout "$LAYOUT" 2>/dev/null | grep -qxF "$1"; }

# insert_layer <parent-tag> <new-tag> <source> <target> <description>
insert_layer() {
  local parent="$1" tag="$2" src="$3" target="$4" what="$5"
  umoci insert --image "$LAYOUT:$parent" --tag "$tag" \
    --history.created "$CREATED" --history.created_by "build-runner-image.sh: $what" \
    "$src" "$target" || die "umoci insert of $what failed"
}

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
  elif [[ -s "$tar" ]] && has_tag "$version"; then
    step "up to date: $tar"
    echo "$ref" >"$IMAGES_DIR/$IMAGE_NAME.ref"
    log "done in $((SECONDS - start))s"
    echo "$ref"
    return 0
  fi

  step "4/7 OCI layout $LAYOUT"
  [[ -f "$LAYOUT/index.json" ]] || umoci init --layout "$LAYOUT" || die "umoci init failed"
  if has_tag "$base_tag"; then
    log "cached layer: $base_tag"
  else
    log "base layer $base_tag (Debian $DEBIAN_SUITE rootfs)"
    umoci new --image "$LAYOUT:$base_tag.empty" || die "umoci new failed"
    insert_layer "$base_tag.empty" "$base_tag" "$r" / "debian $DEBIAN_SUITE ${DEBIAN_PACKAGES[*]}"
    umoci rm --image "$LAYOUT:$base_tag.empty"
  fi

  step "5/7 layers: tofu, node, runner app"
  if has_tag "$tofu_tag"; then log "cached layer: $tofu_tag"; else
    log "tofu layer $tofu_tag ($TOFU_VERSION -> $TOFU_IN_IMAGE)"
    insert_layer "$base_tag" "$tofu_tag" "$work/tofu/tofu" "$TOFU_IN_IMAGE" "tofu $TOFU_VERSION"
  fi
  if has_tag "$node_tag"; then log "cached layer: $node_tag"; else
    log "node layer $node_tag ($node_version -> $NODE_IN_IMAGE)"
    insert_layer "$tofu_tag" "$node_tag" "$work/node/node" "$NODE_IN_IMAGE" "node $node_version"
  fi
  if has_tag "$app_tag"; then log "cached layer: $app_tag"; else
    log "app layer $app_tag ($APP_DIR)"
    insert_layer "$node_tag" "$app_tag" "$work/app" "$APP_DIR" "runner $RUNNER_VERSION"
  fi

  step "6/7 image config"
  has_tag "$version" && umoci rm --image "$LAYOUT:$version"
  umoci tag --image "$LAYOUT:$app_tag" "$version" || die "umoci tag failed"
  image_configure "$version" "$version" "$node_version"

  step "7/7 docker-archive $tar"
  rm -f "$tar.tmp"
  skopeo --insecure-policy copy --quiet "oci:$LAYOUT:$version" "docker-archive:$tar.tmp:$ref" \
    --additional-tag "$IMAGE_NAME:$RUNNER_VERSION" || die "skopeo copy to docker-archive failed"
  mv "$tar.tmp" "$tar"
  echo "$ref" >"$IMAGES_DIR/$IMAGE_NAME.ref"
  log "image $ref: $(du -h "$tar" | cut -f1) uncompressed tar; OCI layout $LAYOUT (tag $version)"
  log "done in $((SECONDS - start))s"
  echo "$ref"
}

main
