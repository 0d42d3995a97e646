#!/usr/bin/env bash
# Checks that docker/runner.Dockerfile and tools/images/build-runner-image.sh describe the same
# runner image: user, entrypoint, workdir, home, app and tofu paths, Debian suite and packages,
# tofu and Node versions. Each value is read from both sides and compared (nothing is hard-coded
# here); with a built image (the last build, or the tar/reference given) its config is compared too.
#
# Usage: tools/images/check-runner-image-parity.sh [<image-ref>|<docker-archive.tar>|--no-image]
# Env: DOCKERFILE, BUILD_SCRIPT to check other files (the parity check's own tests use this).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$HERE/../.." && pwd)"
DOCKERFILE="${DOCKERFILE:-$REPO_ROOT/docker/runner.Dockerfile}"
BUILD_SCRIPT="${BUILD_SCRIPT:-$HERE/build-runner-image.sh}"
CACHE_ROOT="${TOFU_OPERATOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tofu-operator}"

die() {
  printf '[runner-image-parity] error: %s\n' "$*" >&2
  exit 2
}
command -v jq >/dev/null || die "jq is required (apt-get install jq)"
[[ -f "$DOCKERFILE" ]] || die "$DOCKERFILE not found"
[[ -x "$BUILD_SCRIPT" ]] || die "$BUILD_SCRIPT not found or not executable"

# ---- The offline build's values: its own --print-spec ----
declare -A SCRIPT=()
while IFS='=' read -r k v; do
  [[ -n "$k" ]] && SCRIPT[$k]="$v"
done < <("$BUILD_SCRIPT" --print-spec)

# ---- The Dockerfile's values ----
# Instructions with their line continuations joined, comments dropped.
instructions="$(sed -e '/^[[:space:]]*#/d' "$DOCKERFILE" | sed -e ':a' -e '/\\$/N; s/\\\n[[:space:]]*/ /; ta')"
# The final stage: everything after the last FROM.
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
DF[tofu_version]="$(df_arg TOFU_VERSION)"
DF[node_version]="v$(df_arg NODE_VERSION)"
DF[debian_packages]="$(df_arg RUNNER_PACKAGES | tr ' ' '\n' | sed '/^$/d' | LC_ALL=C sort | paste -sd' ')"
DF[debian_suite]="$(df_final FROM | sed -n 's/^debian:\([a-z]*\)\(-slim\)\{0,1\}.*/\1/p')"
DF[tofu_path]="$(df_copy_dest /out/tofu)"
DF[app_dir]="$(df_copy_dest /out/app)"
DF[node_path]="$(df_copy_dest /usr/local/bin/node)"
DF[home]="$(df_useradd --home-dir)"
uid="$(df_useradd --uid)"
gid="$(df_useradd --gid)"
DF[user_name]="$(grep -o "useradd [^;]*" <<<"$final_stage" | awk '{ print $NF }' | tail -n1)"

# Node: the offline build takes the workspace's Node binary; the Dockerfile the node image's.
node_bin="$(readlink -f "${RUNNER_IMAGE_NODE:-$REPO_ROOT/node_modules/node/bin/node}" 2>/dev/null || true)"
SCRIPT[node_version]="$([[ -x "$node_bin" ]] && "$node_bin" --version || echo "(no workspace node)")"

# ---- The built image's config, when there is one ----
declare -A IMG=()
image_arg="${1:-}"
if [[ "$image_arg" != --no-image ]]; then
  if [[ -z "$image_arg" && -f "$CACHE_ROOT/images/tofu-operator-runner.ref" ]]; then
    image_arg="$(cat "$CACHE_ROOT/images/tofu-operator-runner.ref")"
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
    IMG[tofu_version]="$(jq -r '.config.Labels["io.tofu-operator.tofu-version"] // "(no label)"' <<<"$config")"
    IMG[node_version]="$(jq -r '.config.Labels["io.tofu-operator.node-version"] // "(no label)"' <<<"$config")"
    IMG[home]="$(jq -r '(.config.Env // [])[] | select(startswith("HOME=")) | sub("^HOME="; "")' <<<"$config")"
    echo "image: $tar" >&2
  fi
fi

# ---- Compare ----
failures=0
printf '%-16s %-52s %-52s %s\n' KEY "build-runner-image.sh" "runner.Dockerfile" "built image" >&2
for key in user user_name home workdir entrypoint app_dir tofu_path node_path tofu_version node_version debian_suite debian_packages; do
  s="${SCRIPT[$key]:-}"
  d="${DF[$key]:-}"
  i="${IMG[$key]-}"
  mark=ok
  if [[ -z "$s" || "$s" != "$d" ]]; then mark=DIFFERENT; fi
  if [[ -n "${IMG[$key]+set}" && "$i" != "$s" ]]; then mark=DIFFERENT; fi
  printf '%-16s %-52s %-52s %s  %s\n' "$key" "${s:-(none)}" "${d:-(none)}" "${IMG[$key]+${i:-(none)}}" "$mark" >&2
  [[ "$mark" == ok ]] || failures=$((failures + 1))
done
# The Dockerfile's USER must be the user it creates.
if [[ "${DF[user]}" != "$uid:$gid" ]]; then
  printf 'Dockerfile: USER %s is not the useradd --uid %s --gid %s user\n' "${DF[user]}" "$uid" "$gid" >&2
  failures=$((failures + 1))
fi
if ((failures > 0)); then
  printf '[runner-image-parity] %d difference(s) between %s and %s\n' "$failures" "${DOCKERFILE#"$REPO_ROOT"/}" "${BUILD_SCRIPT#"$REPO_ROOT"/}" >&2
  exit 1
fi
printf '[runner-image-parity] OK: %s and %s agree\n' "${DOCKERFILE#"$REPO_ROOT"/}" "${BUILD_SCRIPT#"$REPO_ROOT"/}" >&2
