#!/usr/bin/env bash
# Checks that docker/<app>.Dockerfile and `tools/images/build-app-image.sh <app>` describe the same
# image: user, home, workdir, entrypoint, env, exposed port, where Node, the packages and the app
# go, the staging command (hence the same files), Debian suite and packages, Node version. Each
# value is read from both sides (nothing is hard-coded here); with a built image (the last build,
# or the tar/reference given) its config is compared too.
#
# Usage: tools/images/check-app-image-parity.sh <operator|dashboard> [<image-ref>|<docker-archive.tar>|--no-image]
# Env: DOCKERFILE, BUILD_SCRIPT to check other files.
set -euo pipefail

APP="${1:-}"
case "$APP" in
  operator) IMAGE_NAME=tofu-operator ;;
  dashboard) IMAGE_NAME=tofu-operator-dashboard ;;
  *)
    echo "usage: $0 <operator|dashboard> [<image-ref>|<docker-archive.tar>|--no-image]" >&2
    exit 2
    ;;
esac
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$HERE/../.." && pwd)"
DOCKERFILE="${DOCKERFILE:-$REPO_ROOT/docker/$APP.Dockerfile}"
BUILD_SCRIPT="${BUILD_SCRIPT:-$HERE/build-app-image.sh}"
PARITY_NAME="$APP-image-parity"
# shellcheck source=lib/parity-common.sh
source "$HERE/lib/parity-common.sh"
parity_read_spec "$APP"

# ENV lines of the final stage, KEY=value pairs (values without spaces or quotes), sorted.
DF[env]="$(awk 'toupper($1) == "ENV" { for (i = 2; i <= NF; i++) print $i }' <<<"$final_stage" | LC_ALL=C sort | paste -sd' ')"
expose="$(df_final EXPOSE)"
DF[expose]="$([[ "$expose" == */* ]] && echo "$expose" || echo "$expose/tcp")"
DF[deps_dest]="$(df_copy_dest /out/deps/node_modules)"
DF[app_dest]="$(df_copy_dest /out/app)"
# `bash tools/images/<script> /src <args...> /out/stage` in the build stage -> "<script> <args...>".
DF[stage]="$(grep -o 'bash tools/images/stage-[a-z-]*\.sh [^;]*' <<<"$instructions" | head -n1 |
  awk '{ s = $2; sub(/^tools\/images\//, "", s); out = s; for (i = 4; i < NF; i++) out = out " " $i; print out }')"
DF[debian_packages]="$(df_arg APP_PACKAGES | tr ' ' '\n' | sed '/^$/d' | LC_ALL=C sort | paste -sd' ')"
DF[debian_suite]="$(grep -o 'org.opencontainers.image.base.name="debian:[a-z]*"' <<<"$final_stage" | sed 's/.*debian:\([a-z]*\)"/\1/')"

# The Debian point release the final FROM uses must be of that suite.
debian_version="$(df_arg DEBIAN_VERSION)"
case "${debian_version%%.*}" in
  12) from_suite=bookworm ;;
  13) from_suite=trixie ;;
  *) from_suite="(unknown Debian $debian_version)" ;;
esac

parity_workspace_node "${APP_IMAGE_NODE:-$REPO_ROOT/node_modules/node/bin/node}"

parity_image_config "${2:-}" "$IMAGE_NAME"
if [[ -n "$config" ]]; then
  IMG[env]="$(jq -r '(.config.Env // [])[]' <<<"$config" | LC_ALL=C sort | paste -sd' ')"
  IMG[expose]="$(jq -r '(.config.ExposedPorts // {}) | keys | join(" ")' <<<"$config")"
fi

# ---- Compare ----
parity_compare 44 "build-app-image.sh $APP" "${DOCKERFILE##*/}" \
  user user_name home workdir entrypoint env expose node_path deps_dest app_dest stage node_version debian_suite debian_packages
if [[ "$from_suite" != "${SCRIPT[debian_suite]}" ]]; then
  printf 'Dockerfile: DEBIAN_VERSION %s is %s, not %s\n' "$debian_version" "$from_suite" "${SCRIPT[debian_suite]}" >&2
  failures=$((failures + 1))
fi
parity_finish "${BUILD_SCRIPT#"$REPO_ROOT"/} $APP"
