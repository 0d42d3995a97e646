# kube-proxy: ClusterIP Services on the local node (the `kubernetes` Service that in-cluster clients
# reach through KUBERNETES_SERVICE_HOST, the operator's and the dashboard's Services). Sourced by
# cluster.sh after node.sh; started after the kubelet, stopped (and its rules removed) before it.
# shellcheck shell=bash

PROXY_DIR="$CLUSTER_DIR/kube-proxy"
PROXY_HEALTHZ_PORT="${TOFU_CLUSTER_PROXY_HEALTHZ_PORT:-10256}"
PROXY_METRICS_PORT="${TOFU_CLUSTER_PROXY_METRICS_PORT:-10249}"
# The CNI network name of node.sh's conflist (its masquerade rules carry it in a comment).
CNI_NETWORK_NAME=tofu-operator

# iptables mode where the host has iptables (Debian's iptables 1.8 speaks nf_tables underneath, which
# kube-proxy's iptables mode handles), else the native nftables mode.
proxy_mode() {
  if [[ -n "${TOFU_CLUSTER_PROXY_MODE:-}" ]]; then
    echo "$TOFU_CLUSTER_PROXY_MODE"
  elif command -v iptables >/dev/null && iptables -t nat -S >/dev/null 2>&1; then
    echo iptables
  elif command -v nft >/dev/null; then
    echo nftables
  else
    die "kube-proxy needs iptables or nft (Debian packages iptables or nftables); run: npm run cluster -- deps"
  fi
}

proxy_start() {
  local mode
  # kube-proxy exits when its configuration file is written ("content of the proxy server's
  # configuration file was updated"), so a second `up` must not touch the file of a running one.
  if proc_running kube-proxy; then
    log "kube-proxy already running (pid $(proc_pid kube-proxy))"
    return 0
  fi
  mode=$(proxy_mode)
  mkdir -p "$PROXY_DIR"
  # system:kube-proxy is bound to the built-in ClusterRole system:node-proxier (list/watch Services,
  # EndpointSlices, Nodes; create Events).
  write_kubeconfig "$PROXY_DIR/kubeconfig" system:kube-proxy kube-proxy "$API_URL"
  # conntrack sizes and timeouts left as the host has them (maxPerCore 0, timeouts 0s), as kind does:
  # they are host-wide sysctls, not ours to change. localhostNodePorts off, so kube-proxy does not set
  # net.ipv4.conf.all.route_localnet on the host.
  cat >"$PROXY_DIR/config.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection:
  kubeconfig: $PROXY_DIR/kubeconfig
mode: $mode
clusterCIDR: $POD_CIDR
detectLocalMode: ClusterCIDR
hostnameOverride: $NODE_NAME
bindAddress: 0.0.0.0
# NodePorts only on the node address, not on every address of the host.
nodePortAddresses: [primary]
healthzBindAddress: 127.0.0.1:$PROXY_HEALTHZ_PORT
metricsBindAddress: 127.0.0.1:$PROXY_METRICS_PORT
iptables:
  localhostNodePorts: false
  masqueradeAll: false
conntrack:
  maxPerCore: 0
  min: 0
  tcpEstablishedTimeout: 0s
  tcpCloseWaitTimeout: 0s
EOF
  proc_start kube-proxy "$K8S_BIN_DIR/kube-proxy" --config "$PROXY_DIR/config.yaml" --v 1
  wait_for "kube-proxy /healthz" 60 kube-proxy curl -fsS "http://127.0.0.1:$PROXY_HEALTHZ_PORT/healthz"
  wait_for "the kubernetes Service in the $mode rules" 60 kube-proxy proxy_has_rules "$mode"
}

# Whether kube-proxy has written the rules of the `kubernetes` Service (its first full sync).
# The rules are captured, then matched (a pipe into `grep -q` fails under pipefail when grep exits first).
proxy_has_rules() {
  local rules
  case "$1" in
    iptables) rules=$(iptables -t nat -S KUBE-SERVICES 2>/dev/null) && [[ "$rules" == *"default/kubernetes:https"* ]] ;;
    nftables) rules=$(nft list chain ip kube-proxy services 2>/dev/null) && [[ "$rules" == *"$SERVICE_IP_FIRST"* ]] ;;
    *) return 0 ;;
  esac
}

# Stops kube-proxy and removes every rule it wrote (iptables, nftables and ipvs, all families), so
# `down` leaves the host's firewall as it found it. Cleanup needs no API server, and runs only when
# this cluster started a kube-proxy (a pid file, even of one that died), so another's rules are kept.
proxy_stop() {
  [[ -f "$RUN_DIR/kube-proxy.pid" ]] || return 0
  proc_stop kube-proxy
  if [[ -x "$K8S_BIN_DIR/kube-proxy" ]]; then
    mkdir -p "$LOG_DIR"
    "$K8S_BIN_DIR/kube-proxy" --cleanup --v 1 >>"$LOG_DIR/kube-proxy.log" 2>&1 ||
      log "kube-proxy --cleanup failed (see $LOG_DIR/kube-proxy.log)"
  fi
}

# shellcheck disable=SC2034 # used by cluster.sh
PROXY_PROCS=(kube-proxy)

# The rules the node itself leaves once kube-proxy has cleaned up: the kubelet's chains
# (KUBE-FIREWALL, KUBE-KUBELET-CANARY, KUBE-IPTABLES-HINT; the kubelet never removes them) and the
# CNI bridge plugin's per-pod masquerade rules of this cluster's network, which stay behind because
# `down` kills containers without a CNI DEL. Run after the kubelet and containerd have stopped.
node_rules_cleanup() {
  local ipt table line chain
  local -a chains
  for ipt in iptables ip6tables; do
    command -v "$ipt-save" >/dev/null || continue
    for table in filter nat mangle; do
      chains=(KUBE-FIREWALL KUBE-KUBELET-CANARY KUBE-IPTABLES-HINT)
      while IFS= read -r line; do
        [[ "$line" =~ -j\ (CNI-[0-9a-f]+) ]] && chains+=("${BASH_REMATCH[1]}")
        # iptables-save quotes like a shell, so the rule is its own delete command.
        eval "$ipt -w -t $table -D ${line#-A }" 2>/dev/null || true
      done < <("$ipt-save" -t "$table" 2>/dev/null |
        grep -E -- "^-A [A-Z]+ .*(-j (KUBE-FIREWALL|KUBE-KUBELET-CANARY)\$|name: \\\\\"$CNI_NETWORK_NAME\\\\\")")
      for chain in "${chains[@]}"; do
        if "$ipt" -w -t "$table" -S "$chain" >/dev/null 2>&1; then
          "$ipt" -w -t "$table" -F "$chain" 2>/dev/null || true
          "$ipt" -w -t "$table" -X "$chain" 2>/dev/null || true
        fi
      done
    done
  done
}
