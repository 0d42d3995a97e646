#!/usr/bin/env bash
# Runs the built runner image for real, as a pod would (uid 65532, read-only root, writable
# /workspace, /tmp and /home/runner), on a PRIVATE containerd that this script starts and stops:
# its own root, state and sockets under $VERIFY_DIR, its own namespace. It never talks to the
# local cluster's containerd.
#
# Checks: the image imports; tofu, git, ssh and node run as uid 65532 with a read-only root; and the
# runner plans a local repository (two terraform_data resources) to exit 0 with a result of 2 to add.
#
# Usage: tools/images/verify-runner-image.sh [<image-ref>|<docker-archive.tar>]
#   default: the last build (images/tofu-operator-runner.ref under the cache); build it first with
#   tools/images/build-runner-image.sh. Needs root, containerd (Debian's), runc, git.
set -euo pipefail

CACHE_ROOT="${TOFU_OPERATOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tofu-operator}"
IMAGES_DIR="$CACHE_ROOT/images"
VERIFY_DIR="${RUNNER_IMAGE_VERIFY_DIR:-/tmp/runner-image-verify}"
NS=verify
SOCK="$VERIFY_DIR/containerd.sock"
CONTAINERD_PID=""
# Containers' cgroups go under this parent (cgroup v1: in every hierarchy), removed at the end.
CGROUP_PARENT=tofu-runner-verify
# containerd 1.6 puts shim sockets under /run/containerd/s whatever its state dir; remember what
# existed so cleanup removes only the (empty) directories this run created.
PRE_EXISTING=()
for d in /run/containerd /run/containerd/s /sys/fs/cgroup/*/"$CGROUP_PARENT"; do
  [[ -e "$d" ]] && PRE_EXISTING+=("$d")
done

log() { printf '[runner-image-verify %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() {
  printf '[runner-image-verify] error: %s\n' "$*" >&2
  exit 1
}

[[ $(id -u) == 0 ]] || die "needs root (containerd, runc)"
for t in containerd containerd-shim-runc-v2 ctr runc git jq; do
  command -v "$t" >/dev/null || die "$t is required (Debian packages: containerd, runc, git, jq)"
done

# ---- Which image ----
arg="${1:-}"
if [[ -z "$arg" ]]; then
  [[ -f "$IMAGES_DIR/tofu-operator-runner.ref" ]] || die "no image built yet: run tools/images/build-runner-image.sh"
  arg="$(cat "$IMAGES_DIR/tofu-operator-runner.ref")"
fi
if [[ "$arg" == *.tar ]]; then
  TAR="$arg"
  REF="$(tar -xOf "$TAR" manifest.json | jq -r '.[0].RepoTags[0]')"
else
  REF="$arg"
  TAR="$IMAGES_DIR/${REF%%:*}-${REF#*:}.tar"
fi
[[ -f "$TAR" ]] || die "$TAR not found (build it with tools/images/build-runner-image.sh)"
FULL_REF="docker.io/library/$REF"
log "image $REF from $TAR"

# ---- A private containerd ----
stop_containerd() {
  if [[ -n "$CONTAINERD_PID" ]] && kill -0 "$CONTAINERD_PID" 2>/dev/null; then
    # Containers of our namespace first (only ours: --address is our socket).
    local c
    for c in $(ctr --address "$SOCK" -n "$NS" tasks ls -q 2>/dev/null); do
      ctr --address "$SOCK" -n "$NS" tasks kill -s SIGKILL "$c" >/dev/null 2>&1 || true
    done
    for c in $(ctr --address "$SOCK" -n "$NS" containers ls -q 2>/dev/null); do
      ctr --address "$SOCK" -n "$NS" tasks delete "$c" >/dev/null 2>&1 || true
      ctr --address "$SOCK" -n "$NS" containers delete "$c" >/dev/null 2>&1 || true
    done
    kill "$CONTAINERD_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$CONTAINERD_PID" 2>/dev/null || break
      sleep 0.2
    done
    kill -0 "$CONTAINERD_PID" 2>/dev/null && kill -9 "$CONTAINERD_PID" 2>/dev/null
    wait "$CONTAINERD_PID" 2>/dev/null || true
  fi
  CONTAINERD_PID=""
}

cleanup() {
  local rc=$?
  stop_containerd
  if [[ -d "$VERIFY_DIR" ]]; then
    if ((rc != 0)) && [[ -f "$VERIFY_DIR/containerd.log" ]]; then
      log "containerd log (last lines):"
      tail -n 15 "$VERIFY_DIR/containerd.log" >&2 || true
    fi
    # The snapshotter's overlay mounts go with the containers; unmount anything left, then delete.
    local m
    while IFS= read -r m; do
      [[ -n "$m" ]] && { umount -l "$m" 2>/dev/null || true; }
    done < <(awk -v d="$VERIFY_DIR/" 'index($2 "/", d) == 1 { print $2 }' /proc/self/mounts | sort -r)
    rm -rf --one-file-system "$VERIFY_DIR"
  fi
  # Empty directories this run created outside $VERIFY_DIR (rmdir: never anything with content).
  local d
  for d in /sys/fs/cgroup/*/"$CGROUP_PARENT" /run/containerd/s /run/containerd; do
    [[ -d "$d" ]] || continue
    [[ " ${PRE_EXISTING[*]} " == *" $d "* ]] && continue
    rmdir "$d" 2>/dev/null || true
  done
  exit "$rc"
}

[[ -e "$VERIFY_DIR" ]] && die "$VERIFY_DIR exists (another verification running, or left over: remove it)"
mkdir -p "$VERIFY_DIR"
trap cleanup EXIT
trap 'exit 130' INT TERM

cat >"$VERIFY_DIR/config.toml" <<EOF
version = 2
root = "$VERIFY_DIR/root"
state = "$VERIFY_DIR/state"
plugin_dir = ""
disabled_plugins = [
  "io.containerd.grpc.v1.cri",
  "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.zfs",
  "io.containerd.tracing.processor.v1.otlp",
]

[grpc]
  address = "$SOCK"

[ttrpc]
  address = "$VERIFY_DIR/containerd.ttrpc.sock"

[debug]
  address = ""

[metrics]
  address = ""

[plugins."io.containerd.internal.v1.opt"]
  path = "$VERIFY_DIR/opt"
EOF

log "starting a private containerd ($(containerd --version | awk '{print $3}')) on $SOCK"
containerd --config "$VERIFY_DIR/config.toml" >"$VERIFY_DIR/containerd.log" 2>&1 &
CONTAINERD_PID=$!
for _ in $(seq 1 100); do
  ctr --address "$SOCK" version >/dev/null 2>&1 && break
  kill -0 "$CONTAINERD_PID" 2>/dev/null || die "containerd exited at start (see the log above)"
  sleep 0.1
done
ctr --address "$SOCK" version >/dev/null 2>&1 || die "containerd did not answer on $SOCK"

log "importing $TAR"
start=$SECONDS
ctr --address "$SOCK" -n "$NS" images import "$TAR" >&2 || die "ctr images import failed"
# Listed, then matched: a pipe into `grep -q` fails under pipefail when grep exits at its match.
images=$(ctr --address "$SOCK" -n "$NS" images ls -q) || images=''
grep -qxF "$FULL_REF" <<<"$images" || die "$FULL_REF is not in the imported images"
log "imported in $((SECONDS - start))s"

# ---- What a pod gives the runner: a read-only root and three writable emptyDirs ----
for d in workspace tmp home out; do install -d -m 0755 -o 65532 -g 65532 "$VERIFY_DIR/$d"; done
chmod 1777 "$VERIFY_DIR/tmp"

# A local repository with two terraform_data resources (no provider download needed).
repo="$VERIFY_DIR/repo"
mkdir -p "$repo"
cat >"$repo/main.tf" <<'EOF'
resource "terraform_data" "first" {
  input = "one"
}

resource "terraform_data" "second" {
  input = "two"
}
EOF
git -C "$repo" init -q -b main
git -C "$repo" -c user.name=verify -c user.email=verify@example.invalid add main.tf
git -C "$repo" -c user.name=verify -c user.email=verify@example.invalid commit -q -m "two resources"
commit="$(git -C "$repo" rev-parse HEAD)"
# The runner (uid 65532) reads it; git refuses repositories owned by someone else.
chown -R 65532:65532 "$repo"

# ctr 1.6 has no --user: the process runs as the image config's User (65532:65532), which is what
# this checks; a pod sets runAsUser 65532 as well.
run() {
  local id="$1"
  shift
  ctr --address "$SOCK" -n "$NS" run --rm --net-host --read-only \
    --cgroup "/$CGROUP_PARENT/$id" --runc-root "$VERIFY_DIR/runc" --fifo-dir "$VERIFY_DIR/fifo" \
    --mount "type=bind,src=$VERIFY_DIR/workspace,dst=/workspace,options=rbind:rw" \
    --mount "type=bind,src=$VERIFY_DIR/tmp,dst=/tmp,options=rbind:rw" \
    --mount "type=bind,src=$VERIFY_DIR/home,dst=/home/runner,options=rbind:rw" \
    --mount "type=bind,src=$VERIFY_DIR/out,dst=/out,options=rbind:rw" \
    --mount "type=bind,src=$repo,dst=/repo,options=rbind:ro" \
    --env HOME=/home/runner --env TMPDIR=/tmp \
    "$@"
}

log "tools in the image (uid 65532, read-only root)"
# shellcheck disable=SC2016 # expanded by the container's shell
tools_out="$(run verify-tools-$$ "$FULL_REF" verify-tools-$$ /bin/sh -c '
  set -e
  echo "id: $(id)"
  echo "user: $(getent passwd "$(id -u)")"
  echo "node: $(node --version)"
  echo "tofu: $(tofu version | head -n1)"
  echo "git: $(git --version)"
  echo "ssh: $(ssh -V 2>&1)"
  if touch /probe 2>/dev/null; then echo "root: writable"; else echo "root: read-only"; fi
  echo "cwd: $(pwd)"
' 2>&1)" || die "running tools in the image failed: $tools_out"
printf '  %s\n' "${tools_out//$'\n'/$'\n'  }" >&2
grep -qx 'id: uid=65532(runner) gid=65532(runner) groups=65532(runner)' <<<"$tools_out" || die "not running as runner (65532)"
grep -q '^tofu: OpenTofu v' <<<"$tools_out" || die "tofu does not run"
grep -q '^root: read-only' <<<"$tools_out" || die "the root filesystem is writable"
grep -q '^cwd: /workspace$' <<<"$tools_out" || die "the working directory is not /workspace"

log "runner: plan of file:///repo (expect exit 0 and 2 to add)"
start=$SECONDS
set +e
run verify-plan-$$ \
  --env TOFU_OPERATOR_REPOSITORY=file:///repo \
  --env TOFU_OPERATOR_REVISION= \
  --env TOFU_OPERATOR_WORKDIR=. \
  --env TOFU_OPERATOR_ACTION=plan \
  --env TOFU_OPERATOR_EXECUTION=verify \
  --env TOFU_OPERATOR_WORKSPACE=/workspace \
  --env TOFU_OPERATOR_NO_COLOR=true \
  --env TOFU_OPERATOR_TERMINATION_LOG=/out/termination-log \
  "$FULL_REF" verify-plan-$$ >"$VERIFY_DIR/plan.log" 2>&1
rc=$?
set -e
sed 's/^/  | /' "$VERIFY_DIR/plan.log" | tail -n 40 >&2
log "runner exited $rc after $((SECONDS - start))s"
[[ -f "$VERIFY_DIR/out/termination-log" ]] || die "the runner wrote no termination log"
result="$(cat "$VERIFY_DIR/out/termination-log")"
log "result: $result"
((rc == 0)) || die "the runner exited $rc"
jq -e --arg commit "$commit" '.v == 1 and .ok == true and .summary.add == 2 and .summary.change == 0 and .summary.destroy == 0 and .commit == $commit' \
  <<<"$result" >/dev/null || die "unexpected result (want ok, 2 to add, commit $commit)"

log "OK: $REF runs as 65532 with a read-only root and plans 2 to add"
