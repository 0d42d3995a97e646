# The control plane: etcd, kube-apiserver, kube-controller-manager, kube-scheduler.
# Sourced by cluster.sh; the node (containerd, kubelet, CNI) lives in node.sh and extends this.
# shellcheck shell=bash

API_PORT="${TOFU_CLUSTER_API_PORT:-6443}"
ETCD_CLIENT_PORT="${TOFU_CLUSTER_ETCD_PORT:-2379}"
ETCD_PEER_PORT="$((ETCD_CLIENT_PORT + 1))"
SERVICE_CIDR="${TOFU_CLUSTER_SERVICE_CIDR:-10.96.0.0/16}"
# shellcheck disable=SC2034 # used by proxy.sh
SERVICE_IP_FIRST="10.96.0.1"
# The node's address as pods see it: the gateway of the CNI bridge. The API server advertises it so
# the `kubernetes` Service points somewhere pods can reach.
NODE_IP="${TOFU_CLUSTER_NODE_IP:-10.88.0.1}"
# shellcheck disable=SC2034 # used by node.sh
NODE_NAME="${TOFU_CLUSTER_NODE_NAME:-tofu-operator-node}"
API_URL="https://127.0.0.1:$API_PORT"
KUBECONFIG_FILE="$CLUSTER_DIR/kubeconfig"

kubectl_admin() { "$K8S_BIN_DIR/kubectl" --kubeconfig "$KUBECONFIG_FILE" "$@"; }

etcd_start() {
  command -v etcd >/dev/null || die "etcd is missing (Debian package etcd-server); run: npm run cluster -- deps"
  mkdir -p "$CLUSTER_DIR/etcd"
  chmod 700 "$CLUSTER_DIR/etcd"
  proc_start etcd etcd --name local --data-dir "$CLUSTER_DIR/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "local=http://127.0.0.1:$ETCD_PEER_PORT" --quota-backend-bytes 4294967296 \
    --auto-compaction-retention 1 --snapshot-count 10000
  wait_for "etcd health" 30 etcd curl -fsS "http://127.0.0.1:$ETCD_CLIENT_PORT/health"
}

apiserver_start() {
  proc_start kube-apiserver "$K8S_BIN_DIR/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --bind-address 0.0.0.0 --secure-port "$API_PORT" --advertise-address "$NODE_IP" \
    --tls-cert-file "$PKI_DIR/apiserver.crt" --tls-private-key-file "$PKI_DIR/apiserver.key" \
    --client-ca-file "$PKI_DIR/ca.crt" \
    --kubelet-client-certificate "$PKI_DIR/apiserver-kubelet-client.crt" \
    --kubelet-client-key "$PKI_DIR/apiserver-kubelet-client.key" \
    --kubelet-preferred-address-types InternalIP,Hostname \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$PKI_DIR/sa.pub" --service-account-signing-key-file "$PKI_DIR/sa.key" \
    --service-cluster-ip-range "$SERVICE_CIDR" \
    --authorization-mode Node,RBAC --enable-admission-plugins NodeRestriction \
    --allow-privileged=true --profiling=false --event-ttl 1h
  wait_for "kube-apiserver /readyz" 120 kube-apiserver \
    curl -fsS --cacert "$PKI_DIR/ca.crt" --cert "$PKI_DIR/admin.crt" --key "$PKI_DIR/admin.key" "$API_URL/readyz"
}

controller_manager_start() {
  write_kubeconfig "$CLUSTER_DIR/kube-controller-manager.kubeconfig" system:kube-controller-manager kube-controller-manager "$API_URL"
  proc_start kube-controller-manager "$K8S_BIN_DIR/kube-controller-manager" \
    --kubeconfig "$CLUSTER_DIR/kube-controller-manager.kubeconfig" \
    --authentication-kubeconfig "$CLUSTER_DIR/kube-controller-manager.kubeconfig" \
    --authorization-kubeconfig "$CLUSTER_DIR/kube-controller-manager.kubeconfig" \
    --service-account-private-key-file "$PKI_DIR/sa.key" --root-ca-file "$PKI_DIR/ca.crt" \
    --cluster-signing-cert-file "$PKI_DIR/ca.crt" --cluster-signing-key-file "$PKI_DIR/ca.key" \
    --use-service-account-credentials=true --controllers '*' --leader-elect=false \
    --service-cluster-ip-range "$SERVICE_CIDR" --bind-address 127.0.0.1 --secure-port 10257 \
    --kube-api-qps 100 --kube-api-burst 200 --concurrent-job-syncs 20 --concurrent-gc-syncs 40 --profiling=false
}

scheduler_start() {
  write_kubeconfig "$CLUSTER_DIR/kube-scheduler.kubeconfig" system:kube-scheduler kube-scheduler "$API_URL"
  cat >"$CLUSTER_DIR/kube-scheduler.yaml" <<EOF
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
clientConnection:
  kubeconfig: $CLUSTER_DIR/kube-scheduler.kubeconfig
  qps: 100
  burst: 200
leaderElection:
  leaderElect: false
EOF
  proc_start kube-scheduler "$K8S_BIN_DIR/kube-scheduler" --config "$CLUSTER_DIR/kube-scheduler.yaml" \
    --authentication-kubeconfig "$CLUSTER_DIR/kube-scheduler.kubeconfig" \
    --authorization-kubeconfig "$CLUSTER_DIR/kube-scheduler.kubeconfig" \
    --bind-address 127.0.0.1 --secure-port 10259 --profiling=false
}

controlplane_up() {
  pki_ensure
  write_kubeconfig "$KUBECONFIG_FILE" tofu-operator-admin admin "$API_URL"
  etcd_start
  apiserver_start
  controller_manager_start
  scheduler_start
  # The controller manager creates each namespace's `default` ServiceAccount; wait for it so the
  # first pods and tests do not race it.
  wait_for "the default ServiceAccount" 60 kube-controller-manager kubectl_admin -n default get serviceaccount default
}

# shellcheck disable=SC2034 # used by cluster.sh
CONTROLPLANE_PROCS=(kube-scheduler kube-controller-manager kube-apiserver etcd)
