# Shared by the offline image builds (tools/images/build-runner-image.sh, build-app-image.sh): the
# Debian rootfs from debootstrap (cached by a key of everything that decides its contents), umoci
# layers cached by content hash, and the docker-archive that `ctr images import` takes.
#
# Sourced, not run. The caller defines log, die, and the image's settings used here:
#   DEBIAN_SUITE DEBIAN_VARIANT DEBIAN_PACKAGES IMAGE_UID IMAGE_USER_NAME IMAGE_HOME IMAGE_WORKDIR
#   IMAGE_PATH SOURCE_DATE_EPOCH CREATED IMAGES_DIR LAYOUT IMAGE_BUILDER (history "created_by")
# base_customize's text is part of the rootfs cache key: editing it rebuilds every cached rootfs.

# shellcheck shell=bash
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
# has_tag <tag>: whether the layout has the tag (listed, then matched: a pipe into `grep -q` fails
# under pipefail when grep exits at its match).
has_tag() {
  local tags
  [[ -f "$LAYOUT/index.json" ]] && tags=$(umoci ls --layout "$LAYOUT" 2>/dev/null) && grep -qxF "$1" <<<"$tags"
}

# insert_layer <parent-tag> <new-tag> <source> <target> <description>
insert_layer() {
  local parent="$1" tag="$2" src="$3" target="$4" what="$5"
  umoci insert --image "$LAYOUT:$parent" --tag "$tag" \
    --history.created "$CREATED" --history.created_by "$IMAGE_BUILDER: $what" \
    "$src" "$target" || die "umoci insert of $what failed"
}

# ---- the build steps both image scripts share (they differ in their layers and config) ----

# image_is_current <tar> <oci-tag> <ref> <start>: true when the archive and its tag exist (nothing to
# build); then records the reference and says so (time since <start>, in $SECONDS).
image_is_current() {
  local tar="$1" oci_tag="$2" ref="$3" start="$4"
  [[ -s "$tar" ]] && has_tag "$oci_tag" || return 1
  step "up to date: $tar"
  echo "$ref" >"$IMAGES_DIR/$IMAGE_NAME.ref"
  log "done in $((SECONDS - start))s"
  echo "$ref"
}

# layout_with_base <base-tag> <rootfs>: the OCI layout, with the Debian base layer (cached by tag).
layout_with_base() {
  local base_tag="$1" rootfs="$2"
  step "4/7 OCI layout $LAYOUT"
  [[ -f "$LAYOUT/index.json" ]] || umoci init --layout "$LAYOUT" || die "umoci init failed"
  if has_tag "$base_tag"; then
    log "cached layer: $base_tag"
  else
    log "base layer $base_tag (Debian $DEBIAN_SUITE rootfs)"
    umoci new --image "$LAYOUT:$base_tag.empty" || die "umoci new failed"
    insert_layer "$base_tag.empty" "$base_tag" "$rootfs" / "debian $DEBIAN_SUITE ${DEBIAN_PACKAGES[*]}"
    umoci rm --image "$LAYOUT:$base_tag.empty"
  fi
}

# cached_layer <parent-tag> <new-tag> <source> <target> <description> <log line>: the layer, unless
# a layer of that tag (its content hash) is already in the layout.
cached_layer() {
  if has_tag "$2"; then log "cached layer: $2"; else
    log "$6"
    insert_layer "$1" "$2" "$3" "$4" "$5"
  fi
}

# tag_and_archive <top-layer-tag> <oci-tag> <tar> <ref> <additional-tag> <image_configure args...>:
# tags the image, writes its config (the caller's image_configure) and the docker-archive the node
# imports.
tag_and_archive() {
  local top="$1" oci_tag="$2" tar="$3" ref="$4" extra="$5"
  shift 5
  step "6/7 image config"
  has_tag "$oci_tag" && umoci rm --image "$LAYOUT:$oci_tag"
  umoci tag --image "$LAYOUT:$top" "$oci_tag" || die "umoci tag failed"
  image_configure "$oci_tag" "$@"

  step "7/7 docker-archive $tar"
  rm -f "$tar.tmp"
  skopeo --insecure-policy copy --quiet "oci:$LAYOUT:$oci_tag" "docker-archive:$tar.tmp:$ref" \
    --additional-tag "$extra" || die "skopeo copy to docker-archive failed"
  mv "$tar.tmp" "$tar"
  echo "$ref" >"$IMAGES_DIR/$IMAGE_NAME.ref"
}
