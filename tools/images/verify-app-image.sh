#!/usr/bin/env bash
# Runs a built operator or dashboard image's rootfs as its container would: the image's user
# (65532), environment, working directory and entrypoint, with a READ-ONLY root filesystem and a
# writable /tmp, in a private mount namespace (unshare + chroot; the host's network). Nothing of
# the local cluster is touched, except that the operator check asks its API server for a token of
# the default ServiceAccount of namespace default (TokenRequest) when the cluster is up.
#
# Checks, for both: node runs as uid 65532 and is Node 24; the root is read-only; the app's files
# belong to root. Operator: without KUBECONFIG or a ServiceAccount it exits 2 with the clear
# "no Kubernetes configuration" message (every module loaded: no ERR_MODULE_NOT_FOUND); with a
# mounted ServiceAccount token and KUBERNETES_SERVICE_HOST/PORT (the local cluster, when up) it
# starts, answers /healthz, and the API server sees it as system:serviceaccount:default:default.
# Dashboard: with TOFU_OPERATOR_API_URL pointing nowhere it starts, serves the sign-in page, and
# answers /api (signed in) with 502 "the operator API is not reachable".
#
# Usage: tools/images/verify-app-image.sh <operator|dashboard> [<image-ref>|<docker-archive.tar>]
#   default: the last build (images/<name>.ref under the cache). Needs root, skopeo, umoci, curl, jq.
set -euo pipefail

APP="${1:-}"
case "$APP" in
  operator) IMAGE_NAME=tofu-operator ;;
  dashboard) IMAGE_NAME=tofu-operator-dashboard ;;
  *)
    echo "usage: $0 <operator|dashboard> [<image-ref>|<docker-archive.tar>]" >&2
    exit 2
    ;;
esac
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$HERE/../.." && pwd)"
CACHE_ROOT="${TOFU_OPERATOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tofu-operator}"
IMAGES_DIR="$CACHE_ROOT/images"

log() { printf '[%s-image-verify %s] %s\n' "$APP" "$(date +%H:%M:%S)" "$*" >&2; }
die() {
  printf '[%s-image-verify] error: %s\n' "$APP" "$*" >&2
  exit 1
}
[[ $(id -u) == 0 ]] || die "needs root (unshare, chroot)"
for t in skopeo umoci curl jq unshare chroot; do command -v "$t" >/dev/null || die "$t is required"; done

arg="${2:-}"
if [[ -z "$arg" ]]; then
  [[ -f "$IMAGES_DIR/$IMAGE_NAME.ref" ]] || die "no image built yet: run tools/images/build-app-image.sh $APP"
  arg="$(cat "$IMAGES_DIR/$IMAGE_NAME.ref")"
fi
if [[ "$arg" == *.tar ]]; then TAR="$arg"; else TAR="$IMAGES_DIR/${arg%%:*}-${arg#*:}.tar"; fi
[[ -f "$TAR" ]] || die "$TAR not found (build it with tools/images/build-app-image.sh $APP)"

WORK="$(mktemp -d "/tmp/$APP-image-verify.XXXXXX")"
PIDS=()
# Stops an app started with `in_image ... &` (pid: its unshare, which ignores SIGTERM while it
# waits): SIGTERM to the app itself, SIGKILL after 10 s, then the unshare exits with it.
stop_app() {
  local pid="$1" child
  child="$(ps -o pid= --ppid "$pid" 2>/dev/null | tr -d ' ' || true)"
  if [[ -n "$child" ]]; then
    kill "$child" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$child" 2>/dev/null || break
      sleep 0.2
    done
    kill -9 "$child" 2>/dev/null || true
  fi
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$? p
  for p in "${PIDS[@]}"; do stop_app "$p"; done
  # The mounts live in the children's private namespaces and went with them.
  rm -rf --one-file-system "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "unpacking $TAR"
skopeo --insecure-policy copy --quiet "docker-archive:$TAR" "oci:$WORK/oci:image" || die "skopeo copy failed"
umoci raw unpack --image "$WORK/oci:image" "$WORK/rootfs" >/dev/null || die "umoci raw unpack failed"
R="$WORK/rootfs"
CONFIG="$(skopeo --insecure-policy inspect --config "docker-archive:$TAR")"
USER_SPEC="$(jq -r '.config.User' <<<"$CONFIG")"
WORKDIR="$(jq -r '.config.WorkingDir' <<<"$CONFIG")"
mapfile -t IMAGE_ENV < <(jq -r '.config.Env[]' <<<"$CONFIG")
mapfile -t ENTRYPOINT < <(jq -r '.config.Entrypoint[]' <<<"$CONFIG")
PORT="$(jq -r '.config.ExposedPorts | keys[0] | split("/")[0]' <<<"$CONFIG")"
log "image: user $USER_SPEC, workdir $WORKDIR, entrypoint ${ENTRYPOINT[*]}, port $PORT, $(du -sh "$R" | cut -f1) unpacked"
[[ "$USER_SPEC" == 65532:65532 ]] || die "the image runs as '$USER_SPEC', not 65532:65532"

# in_image <mount-spec>... -- <env>... -- <command>...: runs as the image's user with a read-only
# root, tmpfs /tmp, the host's /dev and a fresh /proc; a mount spec src:dst bind-mounts read-only.
# Replaces the calling shell: call it in a subshell only.
in_image() {
  local mounts=() envs=()
  while [[ "$1" != -- ]]; do mounts+=("$1") && shift; done
  shift
  while [[ "$1" != -- ]]; do envs+=("$1") && shift; done
  shift
  # shellcheck disable=SC2016 # expanded by the inner shell
  # exec: every caller runs this in a subshell ($(...) or &), whose pid becomes unshare's (stop_app);
  # --kill-child: should unshare die, the app goes with it.
  exec unshare --mount --propagation private --kill-child bash -c '
    set -e
    R="$1" user="$2" workdir="$3" nm="$4"
    shift 4
    mounts=("${@:1:$nm}")
    shift "$nm"
    mount --bind "$R" "$R"
    for m in "${mounts[@]}"; do
      # Resolved inside the image (/var/run is a symlink to /run there): never a path of the host.
      dst="$R$(chroot "$R" /usr/bin/realpath -m "${m#*:}")"
      mkdir -p "$dst"
      mount --bind "${m%%:*}" "$dst"
      mount -o remount,bind,ro "$dst"
    done
    mount -o remount,bind,ro "$R"
    mount -t proc proc "$R/proc"
    mount -t tmpfs -o mode=1777,size=64m tmpfs "$R/tmp"
    mount --rbind /dev "$R/dev"
    exec chroot --userspec="$user" "$R" /bin/sh -c "cd \"\$0\" && exec \"\$@\"" "$workdir" "$@"
  ' in-image "$R" "$USER_SPEC" "$WORKDIR" "${#mounts[@]}" "${mounts[@]}" /usr/bin/env -i "${envs[@]}" "$@"
}

# The image's Env with some values replaced or added (NAME=value arguments).
env_with() {
  local e o out=("${IMAGE_ENV[@]}")
  for o in "$@"; do
    local kept=()
    for e in "${out[@]}"; do [[ "${e%%=*}" == "${o%%=*}" ]] || kept+=("$e"); done
    out=("${kept[@]}" "$o")
  done
  printf '%s\n' "${out[@]}"
}

free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  die "no free port found"
}

# wait_http <url> <pid> <seconds>: until the URL answers at all.
wait_http() {
  local url="$1" pid="$2" i
  for ((i = 0; i < $3 * 5; i++)); do
    curl -s -o /dev/null --max-time 1 "$url" && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.2
  done
  return 1
}

# ---- Both: user, Node, read-only root, file ownership ----
mapfile -t base_env < <(env_with)
# shellcheck disable=SC2016 # expanded by the image's shell
facts="$(in_image -- "${base_env[@]}" -- /bin/sh -c '
  echo "id: $(id -u):$(id -g) $(id -un)"
  echo "node: $(node --version)"
  if touch /app/probe 2>/dev/null || touch /probe 2>/dev/null; then echo "root: writable"; else echo "root: read-only"; fi
  echo "cwd: $(pwd)"
  echo "app owner: $(stat -c %u "$(pwd)")"
' 2>&1)" || die "running a shell in the image failed: $facts"
printf '  %s\n' "${facts//$'\n'/$'\n'  }" >&2
grep -qx 'id: 65532:65532 nonroot' <<<"$facts" || die "not running as nonroot (65532)"
grep -q '^node: v24\.' <<<"$facts" || die "Node 24 does not run in the image"
grep -qx 'root: read-only' <<<"$facts" || die "the root filesystem is writable"
grep -qx "cwd: $WORKDIR" <<<"$facts" || die "the working directory is not $WORKDIR"
[[ -z "$(find "$R$WORKDIR" ! -user 0 -print -quit)" ]] || die "files under $WORKDIR not owned by root: $(find "$R$WORKDIR" ! -user 0 | head -3)"
[[ -z "$(find "$R$WORKDIR" -type l -lname '/*' -print -quit)" ]] || die "absolute symlinks under $WORKDIR (workspace links?)"

verify_operator() {
  local out rc port pid
  log "operator without a kubeconfig or ServiceAccount: expect exit 2 and a clear message"
  mapfile -t envs < <(env_with)
  set +e
  out="$(in_image -- "${envs[@]}" -- timeout 60 "${ENTRYPOINT[@]}" 2>&1)"
  rc=$?
  set -e
  printf '  | %s\n' "${out//$'\n'/$'\n'  | }" >&2
  ((rc == 2)) || die "the operator exited $rc, not 2"
  grep -q 'no Kubernetes configuration: set KUBECONFIG' <<<"$out" || die "no clear kubeconfig error"
  ! grep -qE 'ERR_MODULE_NOT_FOUND|Cannot find (module|package)' <<<"$out" || die "a module is missing"

  local kubeconfig="$REPO_ROOT/.cluster/kubeconfig" kubectl
  kubectl="$(command -v kubectl || echo "$CACHE_ROOT/kubernetes/v1.34.4/bin/kubectl")"
  if [[ ! -f "$kubeconfig" || ! -x "$kubectl" ]] || ! "$kubectl" --kubeconfig "$kubeconfig" get --raw /readyz >/dev/null 2>&1; then
    log "SKIPPED the in-cluster check: the local cluster is not up (npm run cluster -- up)"
    return 0
  fi
  log "operator with a ServiceAccount token (default/default, no RBAC) against the local cluster"
  local sa="$WORK/serviceaccount" server host
  mkdir -p "$sa"
  "$kubectl" --kubeconfig "$kubeconfig" create token default -n default --duration 10m >"$sa/token"
  "$kubectl" --kubeconfig "$kubeconfig" config view --raw --minify -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d >"$sa/ca.crt"
  echo default >"$sa/namespace"
  chmod 0644 "$sa"/*
  server="$("$kubectl" --kubeconfig "$kubeconfig" config view --minify -o jsonpath='{.clusters[0].cluster.server}')"
  host="${server#https://}"
  port="$(free_port)"
  mapfile -t envs < <(env_with "PORT=$port" "KUBERNETES_SERVICE_HOST=${host%:*}" "KUBERNETES_SERVICE_PORT=${host##*:}" \
    TOFU_OPERATOR_ROLE=api TOFU_OPERATOR_LEASE_NAMESPACE=default)
  in_image "$sa:/var/run/secrets/kubernetes.io/serviceaccount" -- "${envs[@]}" -- "${ENTRYPOINT[@]}" >"$WORK/operator.log" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  wait_http "http://127.0.0.1:$port/healthz" "$pid" 60 || {
    tail -n 20 "$WORK/operator.log" >&2
    die "the operator did not answer on port $port"
  }
  [[ "$(curl -s --max-time 5 "http://127.0.0.1:$port/healthz")" == *'"ok"'* ]] || die "/healthz did not answer ok"
  for _ in $(seq 1 50); do
    grep -q 'system:serviceaccount:default:default' "$WORK/operator.log" && break
    sleep 0.2
  done
  grep -q 'system:serviceaccount:default:default' "$WORK/operator.log" || {
    tail -n 20 "$WORK/operator.log" >&2
    die "the API server did not see the ServiceAccount's identity"
  }
  ! grep -qE 'ERR_MODULE_NOT_FOUND|Cannot find (module|package)' "$WORK/operator.log" || die "a module is missing"
  log "  /healthz ok; the API server saw it as system:serviceaccount:default:default (in-cluster config, token file, CA)"
  stop_app "$pid"
}

verify_dashboard() {
  local port pid code body
  port="$(free_port)"
  log "dashboard on port $port with TOFU_OPERATOR_API_URL pointing nowhere"
  mapfile -t envs < <(env_with "PORT=$port" "TOFU_OPERATOR_API_URL=http://127.0.0.1:9")
  in_image -- "${envs[@]}" -- "${ENTRYPOINT[@]}" >"$WORK/dashboard.log" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  wait_http "http://127.0.0.1:$port/sign-in" "$pid" 90 || {
    tail -n 30 "$WORK/dashboard.log" >&2
    die "the dashboard did not answer on port $port"
  }
  code="$(curl -s -o "$WORK/sign-in.html" -w '%{http_code}' --max-time 30 "http://127.0.0.1:$port/sign-in")"
  [[ "$code" == 200 ]] || die "GET /sign-in answered $code"
  grep -qi 'token' "$WORK/sign-in.html" || die "the sign-in page has no token field"
  # A page's JavaScript and CSS: the build's static files are in the image.
  local asset
  asset="$(grep -o '/_next/static/[^"]*\.js' "$WORK/sign-in.html" | head -n1)"
  [[ -n "$asset" ]] || die "the sign-in page references no /_next/static script"
  code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "http://127.0.0.1:$port$asset")"
  [[ "$code" == 200 ]] || die "GET $asset answered $code"
  # Signed in (any token): the proxy forwards to the operator, which is not there.
  body="$(curl -s -w ' %{http_code}' --max-time 10 -H 'cookie: tofu_session=verify' "http://127.0.0.1:$port/api/v1/namespaces")"
  [[ "$body" == *" 502" && "$body" == *"not reachable"* ]] || die "GET /api/v1/namespaces answered: $body (want 502, operator not reachable)"
  ! grep -qE 'ERR_MODULE_NOT_FOUND|Cannot find (module|package)|EROFS' "$WORK/dashboard.log" || {
    cat "$WORK/dashboard.log" >&2
    die "missing module or a write to the read-only root"
  }
  log "  /sign-in 200, $asset 200, /api -> ${body##* }"
  sed 's/^/  | /' "$WORK/dashboard.log" | head -n 5 >&2
  stop_app "$pid"
}

"verify_$APP"
log "OK: $(basename "$TAR" .tar) runs as 65532 with a read-only root"
