# shellcheck shell=bash
# What the image parity checks (check-runner-image-parity.sh, check-app-image-parity.sh) share:
# reading the offline build's --print-spec, parsing a Dockerfile's final stage, reading a built
# image's config, and the comparison table. Set before sourcing: PARITY_NAME (for messages),
# DOCKERFILE, BUILD_SCRIPT, REPO_ROOT.

CACHE_ROOT="${TOFU_OPERATOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tofu-operator}"

die() {
  printf '[%s] error: %s\n' "$PARITY_NAME" "$*" >&2
  exit 2
}
command -v jq >/dev/null || die "jq is required (apt-get install jq)"
[[ -f "$DOCKERFILE" ]] || die "$DOCKERFILE not found"
[[ -x "$BUILD_SCRIPT" ]] || die "$BUILD_SCRIPT not found or not executable"

# parity_read_spec <build-script args...>: the offline build's values, into SCRIPT.
declare -A SCRIPT=()
parity_read_spec() {
  local k v
  while IFS='=' read -r k v; do
    [[ -n "$k" ]] && SCRIPT[$k]="$v"
  done < <("$BUILD_SCRIPT" "$@" --print-spec)
}

# ---- The Dockerfile ----
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

# Values every image has, from the Dockerfile.
declare -A DF=()
DF[user]="$(df_final USER)"
DF[workdir]="$(df_final WORKDIR)"
DF[entrypoint]="$(df_final ENTRYPOINT | jq -c . 2>/dev/null || echo "(ENTRYPOINT is not a JSON array)")"
DF[node_path]="$(df_copy_dest /usr/local/bin/node)"
DF[node_version]="v$(df_arg NODE_VERSION)"
DF[home]="$(df_useradd --home-dir)"
DF[user_name]="$(grep -o "useradd [^;]*" <<<"$final_stage" | awk '{ print $NF }' | tail -n1)"
uid="$(df_useradd --uid)"
gid="$(df_useradd --gid)"

# parity_workspace_node <path>: the offline build takes the workspace's Node binary.
parity_workspace_node() {
  local bin
  bin="$(readlink -f "$1" 2>/dev/null || true)"
  SCRIPT[node_version]="$([[ -x "$bin" ]] && "$bin" --version || echo "(no workspace node)")"
}

# parity_image_config <image-ref|archive.tar|--no-image|""> <image name>: the built image's config
# into $config (empty without an image) and its common values into IMG.
declare -A IMG=()
config=""
parity_image_config() {
  local image_arg="$1" name="$2" tar=""
  [[ "$image_arg" == --no-image ]] && return 0
  if [[ -z "$image_arg" && -f "$CACHE_ROOT/images/$name.ref" ]]; then
    image_arg="$(cat "$CACHE_ROOT/images/$name.ref")"
  fi
  if [[ "$image_arg" == *.tar ]]; then
    tar="$image_arg"
  elif [[ -n "$image_arg" ]]; then
    tar="$CACHE_ROOT/images/${image_arg%%:*}-${image_arg#*:}.tar"
  fi
  [[ -n "$tar" ]] || return 0
  [[ -f "$tar" ]] || die "image archive $tar not found"
  command -v skopeo >/dev/null || die "skopeo is required to read $tar (apt-get install skopeo)"
  config="$(skopeo --insecure-policy inspect --config "docker-archive:$tar")" || die "cannot read the config of $tar"
  IMG[user]="$(jq -r '.config.User' <<<"$config")"
  IMG[workdir]="$(jq -r '.config.WorkingDir' <<<"$config")"
  IMG[entrypoint]="$(jq -c '.config.Entrypoint' <<<"$config")"
  IMG[node_version]="$(jq -r '.config.Labels["io.tofu-operator.node-version"] // "(no label)"' <<<"$config")"
  IMG[home]="$(jq -r '(.config.Env // [])[] | select(startswith("HOME=")) | sub("^HOME="; "")' <<<"$config")"
  echo "image: $tar" >&2
}

# parity_compare <column width> <build label> <Dockerfile label> <keys...>: the table; counts
# differences in $failures (also the USER/useradd check).
failures=0
parity_compare() {
  local width="$1" slabel="$2" dlabel="$3" key s d i mark
  shift 3
  printf "%-16s %-${width}s %-${width}s %s\n" KEY "$slabel" "$dlabel" "built image" >&2
  for key in "$@"; do
    s="${SCRIPT[$key]:-}"
    d="${DF[$key]:-}"
    i="${IMG[$key]-}"
    mark=ok
    if [[ -z "$s" || "$s" != "$d" ]]; then mark=DIFFERENT; fi
    if [[ -n "${IMG[$key]+set}" && "$i" != "$s" ]]; then mark=DIFFERENT; fi
    printf "%-16s %-${width}s %-${width}s %s  %s\n" "$key" "${s:-(none)}" "${d:-(none)}" "${IMG[$key]+${i:-(none)}}" "$mark" >&2
    [[ "$mark" == ok ]] || failures=$((failures + 1))
  done
  # The Dockerfile's USER must be the user it creates.
  if [[ "${DF[user]}" != "$uid:$gid" ]]; then
    printf 'Dockerfile: USER %s is not the useradd --uid %s --gid %s user\n' "${DF[user]}" "$uid" "$gid" >&2
    failures=$((failures + 1))
  fi
}

# parity_finish <what the build side is called>: exit 1 on differences, else say OK.
parity_finish() {
  if ((failures > 0)); then
    printf '[%s] %d difference(s) between %s and %s\n' "$PARITY_NAME" "$failures" "${DOCKERFILE#"$REPO_ROOT"/}" "$1" >&2
    exit 1
  fi
  printf '[%s] OK: %s and %s agree\n' "$PARITY_NAME" "${DOCKERFILE#"$REPO_ROOT"/}" "$1" >&2
}
