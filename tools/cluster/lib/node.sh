# The node: containerd (Debian), runc, CNI bridge networking, a locally built pause image, and a
# kubelet from the same Kubernetes build. Sourced by cluster.sh after controlplane.sh.
# shellcheck shell=bash

CONTAINERD_DIR="$CLUSTER_DIR/containerd"
CONTAINERD_SOCK="$CONTAINERD_DIR/containerd.sock"
KUBELET_DIR="$CLUSTER_DIR/kubelet"
CNI_CONF_DIR="$CLUSTER_DIR/cni/net.d"
CNI_BRIDGE="${TOFU_CLUSTER_BRIDGE:-tofu0}"
POD_CIDR="${TOFU_CLUSTER_POD_CIDR:-10.88.0.0/16}"
PAUSE_IMAGE="tofu-operator.local/pause:3.10"
PAUSE_DIR="$CACHE_ROOT/images/pause-3.10"

ctr_k8s() { ctr --address "$CONTAINERD_SOCK" -n k8s.io "$@"; }

# The pause container: PID 1 of every pod sandbox. ~20 lines of C, static, in a one-file image.
pause_image_build() {
  [[ -f "$PAUSE_DIR/pause.tar" ]] && return 0
  command -v gcc >/dev/null || die "gcc is needed to build the pause image"
  log "building the pause image"
  rm -rf "$PAUSE_DIR" && mkdir -p "$PAUSE_DIR"
  cat >"$PAUSE_DIR/pause.c" <<'EOF'
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
static void sigdown(int signo) { (void)signo; exit(0); }
static void sigreap(int signo) { (void)signo; while (waitpid(-1, NULL, WNOHANG) > 0) {} }
int main(void) {
  struct sigaction down = {.sa_handler = sigdown}, reap = {.sa_handler = sigreap, .sa_flags = SA_NOCLDSTOP};
  sigaction(SIGINT, &down, NULL);
  sigaction(SIGTERM, &down, NULL);
  sigaction(SIGCHLD, &reap, NULL);
  for (;;) pause();
}
EOF
  gcc -static -O2 -o "$PAUSE_DIR/pause" "$PAUSE_DIR/pause.c" || die "could not build pause"
  (
    cd "$PAUSE_DIR"
    umoci init --layout oci >/dev/null
    umoci new --image oci:pause >/dev/null
    umoci unpack --rootless --image oci:pause bundle >/dev/null
    install -m 0755 pause bundle/rootfs/pause
    umoci repack --image oci:pause bundle >/dev/null
    umoci config --image oci:pause --config.entrypoint /pause --config.user 65535:65535 >/dev/null
    skopeo copy --quiet "oci:oci:pause" "docker-archive:pause.tar:$PAUSE_IMAGE" >/dev/null
  ) || die "could not build the pause image"
}

containerd_start() {
  mkdir -p "$CONTAINERD_DIR" "$CNI_CONF_DIR"
  cat >"$CONTAINERD_DIR/config.toml" <<EOF
version = 2
root = "$CONTAINERD_DIR/root"
state = "$CONTAINERD_DIR/state"
[grpc]
  address = "$CONTAINERD_SOCK"
[ttrpc]
  address = "$CONTAINERD_SOCK.ttrpc"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  enable_unprivileged_ports = false
  # This machine's root lacks CAP_SYS_RESOURCE, so lowering oom_score_adj (the kubelet asks -998
  # for pod sandboxes) fails in runc with "failed to update /proc/self/oom_score_adj: Permission
  # denied". Clamp to containerd's own score instead, as rootless setups do.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$CNI_CONF_DIR"
EOF
  proc_start containerd containerd --config "$CONTAINERD_DIR/config.toml"
  wait_for "containerd" 30 containerd ctr --address "$CONTAINERD_SOCK" version
}

cni_configure() {
  mkdir -p "$CNI_CONF_DIR"
  cat >"$CNI_CONF_DIR/10-tofu-operator.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "tofu-operator",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$CNI_BRIDGE",
      "isGateway": true,
      "ipMasq": true,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "ranges": [[{ "subnet": "$POD_CIDR", "gateway": "$NODE_IP" }]],
        "routes": [{ "dst": "0.0.0.0/0" }]
      }
    },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
EOF
  # The bridge exists before the first pod, so the node (and the API server's advertised address)
  # has its IP from the start.
  if ! ip link show "$CNI_BRIDGE" >/dev/null 2>&1; then
    ip link add "$CNI_BRIDGE" type bridge
  fi
  # Captured, then matched: `ip addr show | grep -q` fails under pipefail when grep exits at its
  # match, and the address was added a second time ("Address already assigned").
  local addrs
  addrs=$(ip addr show dev "$CNI_BRIDGE") || addrs=''
  [[ "$addrs" == *"inet $NODE_IP/"* ]] || ip addr add "$NODE_IP/${POD_CIDR#*/}" dev "$CNI_BRIDGE"
  ip link set "$CNI_BRIDGE" up
  sysctl -qw net.ipv4.ip_forward=1 || true
}

kubelet_start() {
  mkdir -p "$KUBELET_DIR"
  write_kubeconfig "$CLUSTER_DIR/kubelet.kubeconfig" "system:node:$NODE_NAME" "node-$NODE_NAME" "$API_URL"
  cat >"$KUBELET_DIR/config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: 0.0.0.0
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
authentication:
  anonymous: { enabled: false }
  webhook: { enabled: true }
  x509: { clientCAFile: $PKI_DIR/ca.crt }
authorization:
  mode: Webhook
containerRuntimeEndpoint: unix://$CONTAINERD_SOCK
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
protectKernelDefaults: false
clusterDomain: cluster.local
clusterDNS: []
resolvConf: /etc/resolv.conf
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: { imagefs.available: "0%", nodefs.available: "0%", nodefs.inodesFree: "0%" }
evictionPressureTransitionPeriod: 10s
serializeImagePulls: false
maxPods: 110
podPidsLimit: 4096
streamingConnectionIdleTimeout: 4h
staticPodPath: ""
EOF
  mount --make-rshared / 2>/dev/null || true
  proc_start kubelet "$K8S_BIN_DIR/kubelet" --config "$KUBELET_DIR/config.yaml" \
    --kubeconfig "$CLUSTER_DIR/kubelet.kubeconfig" --root-dir "$KUBELET_DIR/root" \
    --cert-dir "$KUBELET_DIR/pki" --hostname-override "$NODE_NAME" --node-ip "$NODE_IP" \
    --v 1
  wait_for "the node to register" 60 kubelet kubectl_admin get node "$NODE_NAME"
  wait_for "the node to be Ready" 120 kubelet kubectl_admin wait --for condition=Ready --timeout 2s node "$NODE_NAME"
}

# Lets the API server reach the kubelet for logs, exec and port-forward.
node_rbac() {
  kubectl_admin apply -f - >/dev/null <<EOF
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: tofu-operator-local:apiserver-kubelet-client
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: system:kubelet-api-admin
subjects:
  - apiGroup: rbac.authorization.k8s.io
    kind: User
    name: kube-apiserver-kubelet-client
EOF
}

# Imports an image archive into the node's containerd (idempotent by content).
node_import_image() {
  ctr_k8s images import --all-platforms "$1" >/dev/null || die "could not import $1"
}

node_up() {
  pause_image_build
  cni_configure
  containerd_start
  node_import_image "$PAUSE_DIR/pause.tar"
  node_rbac
  kubelet_start
}

# Stops pod sandboxes and containers the kubelet left, then the bridge, so nothing keeps running.
node_cleanup() {
  if [[ -S "$CONTAINERD_SOCK" ]] && proc_running containerd; then
    local t
    for t in $(ctr_k8s tasks ls -q 2>/dev/null); do ctr_k8s tasks kill -s SIGKILL "$t" >/dev/null 2>&1 || true; done
    sleep 1
    for t in $(ctr_k8s tasks ls -q 2>/dev/null); do ctr_k8s tasks delete -f "$t" >/dev/null 2>&1 || true; done
    for t in $(ctr_k8s containers ls -q 2>/dev/null); do ctr_k8s containers delete "$t" >/dev/null 2>&1 || true; done
  fi
  # Leftover shims of this containerd (they outlive it by design).
  pkill -f "containerd-shim-runc-v2 .*-address $CONTAINERD_SOCK" 2>/dev/null || true
  grep -q " $KUBELET_DIR/root" /proc/mounts 2>/dev/null && awk -v d="$KUBELET_DIR/root" '$2 ~ "^"d {print $2}' /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null
  grep -q " $CONTAINERD_DIR" /proc/mounts 2>/dev/null && awk -v d="$CONTAINERD_DIR" '$2 ~ "^"d {print $2}' /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null
  ip link del "$CNI_BRIDGE" 2>/dev/null || true
  return 0
}

# shellcheck disable=SC2034 # used by cluster.sh
NODE_PROCS=(kubelet containerd)
