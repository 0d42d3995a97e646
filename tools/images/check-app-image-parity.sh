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
CACHE_ROOT="${TOFU_OPERATOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tofu-operator}"

die() {
  printf '[%s-image-parity] error: %s\n' "$APP" "$*" >&2
  exit 2
}
command -v jq >/dev/null || die "jq is required (apt-get install jq)"
[[ -f "$DOCKERFILE" ]] || die "$DOCKERFILE not found"
[[ -x "$BUILD_SCRIPT" ]] || die "$BUILD_SCRIPT not found or not executable"

# ---- The offline build's values: its own --print-spec ----
declare -A SCRIPT=()
while IFS='=' read -r k v; do
  [[ -n "$k" ]] && SCRIPT[$k]="$v"
done < <("$BUILD_SCRIPT" "$APP" --print-spec)

# ---- The Dockerfile's values ----
# Instructions with their line continuations joined, comments dropped.
instructions="$(sed -e '/^[[:space:]]*#/d' "$DOCKERFILE" | sed -e ':a' -e '/\\$/N; s/\\\n[[:space:]]*/ /; ta')"
# The final stage: everything after the last FROM; the build stages: everything before it.
final_stage="$(awk 'toupper($1) == "FROM" { buf = "" } { buf = buf $0 "\n" } END { printf "%s", buf }' <<<"$instructions")"

# First value of `ARG NAME=value` anywhere (global ARGs sit before the first FROM), quotes removed.
df_arg() { sed -n "s/^ARG $1=\"\{0,1\}\([^\"]*\)\"\{0,1\}[[:space:]]*\$/\1/p" <<<"$instructions" | head -n1; }
# Last occurrence of an instruction's argument in the final stage.
df_final() { awk -v ins="$1" 'toupper($1) == ins { $1 = ""; sub(/^ /, ""); v = $0 } END { print v }' <<<"$final_stage"; }
# Destination of `COPY --from=<stage> <src> <dest>` in the final stage, by its source path.
df_copy_dest() { awk -v src="$1" '$1 == "COPY" && $2 ~ /^--from=/ && $3 == src { print $NF }' <<<"$final_stage" | tail -n1; }
# Value of an option on the useradd line of the final stage.
df_useradd() { grep -o "useradd [^;]*" <<<"$final_stage" | grep -o -- "$1 [^ ]*" | awk '{ print $2 }' | tail -n1; }

declare -A DF=()
DF[user]="$(df_final USER)"
DF[workdir]="$(df_final WORKDIR)"
DF[entrypoint]="$(df_final ENTRYPOINT | jq -c . 2>/dev/null || echo "(ENTRYPOINT is not a JSON array)")"
# ENV lines of the final stage, KEY=value pairs (values without spaces or quotes), sorted.
DF[env]="$(awk 'toupper($1) == "ENV" { for (i = 2; i <= NF; i++) print $i }' <<<"$final_stage" | LC_ALL=C sort | paste -sd' ')"
expose="$(df_final EXPOSE)"
DF[expose]="$([[ "$expose" == */* ]] && echo "$expose" || echo "$expose/tcp")"
DF[node_path]="$(df_copy_dest /usr/local/bin/node)"
DF[deps_dest]="$(df_copy_dest /out/deps/node_modules)"
DF[app_dest]="$(df_copy_dest /out/app)"
# `bash tools/images/<script> /src <args...> /out/stage` in the build stage -> "<script> <args...>".
DF[stage]="$(grep -o 'bash tools/images/stage-[a-z-]*\.sh [^;]*' <<<"$instructions" | head -n1 |
  awk '{ s = $2; sub(/^tools\/images\//, "", s); out = s; for (i = 4; i < NF; i++) out = out " " $i; print out }')"
DF[home]="$(df_useradd --home-dir)"
DF[user_name]="$(grep -o "useradd [^;]*" <<<"$final_stage" | awk '{ print $NF }' | tail -n1)"
DF[debian_packages]="$(df_arg APP_PACKAGES | tr ' ' '\n' | sed '/^$/d' | LC_ALL=C sort | paste -sd' ')"
DF[debian_suite]="$(grep -o 'org.opencontainers.image.base.name="debian:[a-z]*"' <<<"$final_stage" | sed 's/.*debian:\([a-z]*\)"/\1/')"
DF[node_version]="v$(df_arg NODE_VERSION)"
uid="$(df_useradd --uid)"
gid="$(df_useradd --gid)"

# The Debian point release the final FROM uses must be of that suite.
debian_version="$(df_arg DEBIAN_VERSION)"
case "${debian_version%%.*}" in
  12) from_suite=bookworm ;;
  13) from_suite=trixie ;;
  *) from_suite="(unknown Debian $debian_version)" ;;
esac

# Node: the offline build takes the workspace's Node binary; the Dockerfile the node image's.
node_bin="$(readlink -f "${APP_IMAGE_NODE:-$REPO_ROOT/node_modules/node/bin/node}" 2>/dev/null || true)"
SCRIPT[node_version]="$([[ -x "$node_bin" ]] && "$node_bin" --version || echo "(no workspace node)")"

# ---- The built image's config, when there is one ----
declare -A IMG=()
image_arg="${2:-}"
if [[ "$image_arg" != --no-image ]]; then
  if [[ -z "$image_arg" && -f "$CACHE_ROOT/images/$IMAGE_NAME.ref" ]]; then
    image_arg="$(cat "$CACHE_ROOT/images/$IMAGE_NAME.ref")"
  fi
  tar=""
  if [[ "$image_arg" == *.tar ]]; then
    tar="$image_arg"
  elif [[ -n "$image_arg" ]]; then
    tar="$CACHE_ROOT/images/${image_arg%%:*}-${image_arg#*:}.tar"
  fi
  if [[ -n "$tar" ]]; then
    [[ -f "$tar" ]] || die "image archive $tar not found"
    command -v skopeo >/dev/null || die "skopeo is required to read $tar (apt-get install skopeo)"
    config="$(skopeo --insecure-policy inspect --config "docker-archive:$tar")" || die "cannot read the config of $tar"
    IMG[user]="$(jq -r '.config.User' <<<"$config")"
    IMG[workdir]="$(jq -r '.config.WorkingDir' <<<"$config")"
    IMG[entrypoint]="$(jq -c '.config.Entrypoint' <<<"$config")"
    IMG[env]="$(jq -r '(.config.Env // [])[]' <<<"$config" | LC_ALL=C sort | paste -sd' ')"
    IMG[expose]="$(jq -r '(.config.ExposedPorts // {}) | keys | join(" ")' <<<"$config")"
    IMG[node_version]="$(jq -r '.config.Labels["io.tofu-operator.node-version"] // "(no label)"' <<<"$config")"
    IMG[home]="$(jq -r '(.config.Env // [])[] | select(startswith("HOME=")) | sub("^HOME="; "")' <<<"$config")"
    echo "image: $tar" >&2
  fi
fi

# ---- Compare ----
failures=0
printf '%-16s %-44s %-44s %s\n' KEY "build-app-image.sh $APP" "${DOCKERFILE##*/}" "built image" >&2
for key in user user_name home workdir entrypoint env expose node_path deps_dest app_dest stage node_version debian_suite debian_packages; do
  s="${SCRIPT[$key]:-}"
  d="${DF[$key]:-}"
  i="${IMG[$key]-}"
  mark=ok
  if [[ -z "$s" || "$s" != "$d" ]]; then mark=DIFFERENT; fi
  if [[ -n "${IMG[$key]+set}" && "$i" != "$s" ]]; then mark=DIFFERENT; fi
  printf '%-16s %-44s %-44s %s  %s\n' "$key" "${s:-(none)}" "${d:-(none)}" "${IMG[$key]+${i:-(none)}}" "$mark" >&2
  [[ "$mark" == ok ]] || failures=$((failures + 1))
done
if [[ "${DF[user]}" != "$uid:$gid" ]]; then
  printf 'Dockerfile: USER %s is not the useradd --uid %s --gid %s user\n' "${DF[user]}" "$uid" "$gid" >&2
  failures=$((failures + 1))
fi
if [[ "$from_suite" != "${SCRIPT[debian_suite]}" ]]; then
  printf 'Dockerfile: DEBIAN_VERSION %s is %s, not %s\n' "$debian_version" "$from_suite" "${SCRIPT[debian_suite]}" >&2
  failures=$((failures + 1))
fi
if ((failures > 0)); then
  printf '[%s-image-parity] %d difference(s) between %s and %s\n' "$APP" "$failures" "${DOCKERFILE#"$REPO_ROOT"/}" "${BUILD_SCRIPT#"$REPO_ROOT"/} $APP" >&2
  exit 1
fi
printf '[%s-image-parity] OK: %s and %s agree\n' "$APP" "${DOCKERFILE#"$REPO_ROOT"/}" "${BUILD_SCRIPT#"$REPO_ROOT"/} $APP" >&2
