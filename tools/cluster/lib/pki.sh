# PKI and kubeconfigs of the local cluster, made with openssl. Sourced by cluster.sh.
# shellcheck shell=bash

PKI_DIR="$CLUSTER_DIR/pki"

# Signs a certificate with the cluster CA. Args: name, subject, extensions (openssl -extfile text).
pki_sign() {
  local name="$1" subj="$2" ext="$3"
  [[ -f "$PKI_DIR/$name.crt" ]] && return 0
  openssl genrsa -out "$PKI_DIR/$name.key" 2048 2>/dev/null
  openssl req -new -key "$PKI_DIR/$name.key" -subj "$subj" -out "$PKI_DIR/$name.csr" 2>/dev/null
  printf '%s\n' "$ext" >"$PKI_DIR/$name.ext"
  openssl x509 -req -in "$PKI_DIR/$name.csr" -CA "$PKI_DIR/ca.crt" -CAkey "$PKI_DIR/ca.key" -CAcreateserial \
    -days 3650 -sha256 -extfile "$PKI_DIR/$name.ext" -out "$PKI_DIR/$name.crt" 2>/dev/null ||
    die "could not sign the $name certificate"
  rm -f "$PKI_DIR/$name.csr" "$PKI_DIR/$name.ext"
}

pki_client() {
  pki_sign "$1" "$2" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"
}

# Creates every key and certificate the cluster needs; existing ones are kept (idempotent).
pki_ensure() {
  mkdir -p "$PKI_DIR"
  chmod 700 "$PKI_DIR"
  if [[ ! -f "$PKI_DIR/ca.crt" ]]; then
    openssl genrsa -out "$PKI_DIR/ca.key" 2048 2>/dev/null
    openssl req -x509 -new -key "$PKI_DIR/ca.key" -subj "/CN=tofu-operator-local-ca" -days 3650 -sha256 \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
      -out "$PKI_DIR/ca.crt" 2>/dev/null || die "could not create the cluster CA"
  fi
  pki_sign apiserver "/CN=kube-apiserver" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,DNS:localhost,IP:127.0.0.1,IP:$SERVICE_IP_FIRST,IP:$NODE_IP"
  pki_client admin "/O=system:masters/CN=tofu-operator-admin"
  pki_client kube-controller-manager "/CN=system:kube-controller-manager"
  pki_client kube-scheduler "/CN=system:kube-scheduler"
  pki_client apiserver-kubelet-client "/O=kube-apiserver-kubelet-client/CN=kube-apiserver-kubelet-client"
  pki_client "node-$NODE_NAME" "/O=system:nodes/CN=system:node:$NODE_NAME"
  pki_client kube-proxy "/CN=system:kube-proxy"
  if [[ ! -f "$PKI_DIR/sa.key" ]]; then
    openssl genrsa -out "$PKI_DIR/sa.key" 2048 2>/dev/null
    openssl rsa -in "$PKI_DIR/sa.key" -pubout -out "$PKI_DIR/sa.pub" 2>/dev/null
  fi
}

# Writes a kubeconfig with embedded credentials. Args: file, user, cert name, server URL.
write_kubeconfig() {
  local file="$1" user="$2" cert="$3" server="$4"
  local tmp="$file.tmp"
  cat >"$tmp" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: tofu-operator-local
  cluster:
    server: $server
    certificate-authority-data: $(base64 -w0 <"$PKI_DIR/ca.crt")
users:
- name: $user
  user:
    client-certificate-data: $(base64 -w0 <"$PKI_DIR/$cert.crt")
    client-key-data: $(base64 -w0 <"$PKI_DIR/$cert.key")
contexts:
- name: tofu-operator-local
  context:
    cluster: tofu-operator-local
    user: $user
current-context: tofu-operator-local
EOF
  chmod 600 "$tmp"
  mv "$tmp" "$file"
}
