#!/usr/bin/env bash
# The local Kubernetes cluster of tofu-operator: built from source, cached by version, state in
# .cluster/ of the checkout.
#
#   npm run cluster -- up        build what is missing, start the cluster, print the kubeconfig path
#   npm run cluster -- down      stop every process `up` started (--purge also deletes .cluster/)
#   npm run cluster -- status    say what runs
#   npm run cluster -- restart C restart one component with the same flags and wait until healthy
#                                (etcd, apiserver, controller-manager, scheduler, kubelet, kube-proxy,
#                                containerd); for fault tests
#   npm run cluster -- serve-git <dir> [name]
#                                publish a directory's current files as a git repository runner
#                                pods can clone, replacing what the name served (force-pushed);
#                                prints its URL (the samples are served as tofu-samples on up)
#   npm run cluster -- build     only build and cache the binaries (Kubernetes, OpenTofu)
#   npm run cluster -- deps      only install the Debian packages
#   npm run cluster -- deps-browser  install Debian's Chromium for the dashboard's browser tests
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib/common.sh
source "$here/lib/common.sh"
source "$here/lib/deps.sh"
source "$here/lib/build.sh"
source "$here/lib/procs.sh"
source "$here/lib/pki.sh"
source "$here/lib/controlplane.sh"
source "$here/lib/node.sh"
source "$here/lib/proxy.sh"
source "$here/lib/git-serve.sh"
source "$here/lib/git-servers.sh"
source "$here/lib/provider-mirror.sh"
source "$here/lib/app-images.sh"

# Stop order: the node first, then the control plane.
ALL_PROCS=(git-daemon "${GIT_SERVER_PROCS[@]}" "${MIRROR_PROCS[@]}" "${PROXY_PROCS[@]}" "${NODE_PROCS[@]}" "${CONTROLPLANE_PROCS[@]}")

usage() {
  sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

cmd_up() {
  deps_ensure
  k8s_build
  mkdir -p "$CLUSTER_DIR"
  # One `up` at a time per checkout.
  exec 9>"$CLUSTER_DIR/.lock"
  flock 9
  controlplane_up
  node_up
  proxy_start
  runner_image_import
  app_images_import
  git_daemon_start
  git_servers_start
  provider_mirror_start
  log "serving the samples at $(git_publish "$REPO_ROOT/samples/modules" tofu-samples)"
  log "cluster is up; kubeconfig: $KUBECONFIG_FILE"
  echo "$KUBECONFIG_FILE"
}

cmd_down() {
  local p
  # kube-proxy's rules go first (its cleanup needs no API server); then pods (while containerd
  # runs), so no container outlives the cluster.
  proxy_stop
  proc_stop kubelet
  node_cleanup
  for p in "${ALL_PROCS[@]}"; do proc_stop "$p"; done
  node_rules_cleanup
  if [[ "${1:-}" == "--purge" ]]; then
    rm -rf "$CLUSTER_DIR"
    log "removed $CLUSTER_DIR"
  fi
}

# Restarts one component with the flags `up` gave it, and returns once it (and what depends on it)
# is healthy again: for fault tests (the API server, etcd or the kubelet going away and coming back).
cmd_restart() {
  local c="${1:-}"
  case "$c" in
    etcd)
      proc_stop etcd && etcd_start
      # The API server reconnects by itself; the cluster is back when it is ready again.
      wait_for "kube-apiserver /readyz after etcd" 120 kube-apiserver api_ready
      ;;
    apiserver | kube-apiserver) proc_stop kube-apiserver && apiserver_start ;;
    controller-manager | kube-controller-manager)
      proc_stop kube-controller-manager && controller_manager_start
      wait_for "kube-controller-manager /healthz" 60 kube-controller-manager component_healthy 10257
      ;;
    scheduler | kube-scheduler)
      proc_stop kube-scheduler && scheduler_start
      wait_for "kube-scheduler /healthz" 60 kube-scheduler component_healthy 10259
      ;;
    kubelet)
      proc_stop kubelet && kubelet_start
      # The node object can still say Ready from before the stop: ask the new kubelet itself too.
      wait_for "kubelet /healthz" 60 kubelet curl -fsS http://127.0.0.1:10248/healthz
      wait_for "the node to be Ready" 120 kubelet kubectl_admin wait --for condition=Ready --timeout 2s node "$NODE_NAME"
      ;;
    kube-proxy) proxy_stop && proxy_start ;;
    containerd) proc_stop containerd && containerd_start ;;
    *) die "restart: unknown component '$c' (one of: etcd apiserver controller-manager scheduler kubelet kube-proxy containerd)" ;;
  esac
  log "restarted $c"
}

# The API server answers /readyz (as the admin).
api_ready() {
  curl -fsS --cacert "$PKI_DIR/ca.crt" --cert "$PKI_DIR/admin.crt" --key "$PKI_DIR/admin.key" "$API_URL/readyz"
}

# A control-plane component's /healthz on its secure port (served without authentication).
component_healthy() {
  curl -fsSk "https://127.0.0.1:$1/healthz"
}

# The runner image (built offline, cached by content) in the node's containerd.
runner_image_import() {
  local ref tar images
  ref=$(bash "$REPO_ROOT/tools/images/build-runner-image.sh" | tail -n 1) || die "could not build the runner image"
  tar="$CACHE_ROOT/images/${ref/:/-}.tar"
  [[ -f "$tar" ]] || die "runner image archive $tar is missing"
  # Captured, then matched: `ctr ... | grep -q` fails under pipefail when grep exits at its match.
  images=$(ctr_k8s images ls -q) || images=''
  if ! grep -qxF "docker.io/library/$ref" <<<"$images"; then
    log "importing $ref into the node"
    node_import_image "$tar"
  fi
  echo "$ref" >"$CLUSTER_DIR/runner-image"
}

cmd_status() {
  local p pid rc=0
  for p in "${ALL_PROCS[@]}"; do
    if pid=$(proc_pid "$p"); then
      printf '%-26s running (pid %s)\n' "$p" "$pid"
    else
      printf '%-26s stopped\n' "$p"
      rc=3
    fi
  done
  if [[ -f "$KUBECONFIG_FILE" ]] && proc_running kube-apiserver; then
    if kubectl_admin get --raw /readyz >/dev/null 2>&1; then
      printf '%-26s ready at %s\n' "api" "$API_URL"
    else
      printf '%-26s not ready\n' "api"
      rc=3
    fi
    printf '%-26s %s\n' "kubeconfig" "$KUBECONFIG_FILE"
  fi
  return $rc
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down "${2:-}" ;;
  status) cmd_status ;;
  restart) cmd_restart "${2:-}" ;;
  serve-git)
    [[ -n "${2:-}" ]] || die "usage: serve-git <dir> [name]"
    proc_running git-daemon || die "the local cluster is not up (npm run cluster -- up)"
    git_publish "$(cd "$2" && pwd)" "${3:-$(basename "$(cd "$2" && pwd)")}"
    ;;
  build) deps_ensure && k8s_build && tofu_build && bash "$REPO_ROOT/tools/images/build-runner-image.sh" >/dev/null ;;
  deps) deps_ensure ;;
  deps-browser) deps_ensure_browser ;;
  kubectl) shift && kubectl_admin "$@" ;;
  -h | --help | help | "") usage ;;
  *)
    usage >&2
    exit 2
    ;;
esac
