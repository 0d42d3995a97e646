# Private git servers for runner pods beside the git daemon, serving the same bare repositories
# (what git_publish writes): OpenSSH's sshd (key auth only, a forced command that allows nothing but
# git-upload-pack of a served name) and git http-backend behind a TLS server with basic auth (any
# user, the password is a token). Sourced by cluster.sh after git-serve.sh and pki.sh.
#
# What clients need is written under $CLUSTER_DIR and summed up in $CLUSTER_DIR/git-servers.json:
#   git-ssh/id_ed25519       the client key the server accepts (the Secret key "identity")
#   git-ssh/known_hosts      the server's host key line (the Secret key "known_hosts")
#   git-https/token          the token (the Secret key "password")
#   pki/ca.crt               the CA of the server's certificate (the Secret key "ca.crt")
# shellcheck shell=bash

# shellcheck disable=SC2034 # used by cluster.sh
GIT_SERVER_PROCS=(git-sshd git-https)

GIT_SSH_PORT="${TOFU_CLUSTER_GIT_SSH_PORT:-2222}"
GIT_HTTPS_PORT="${TOFU_CLUSTER_GIT_HTTPS_PORT:-9443}"
# The account sshd authenticates (it runs as root, so the name must be a real account): a system
# user with no password, made on first use.
GIT_SSH_USER="${TOFU_CLUSTER_GIT_SSH_USER:-git}"
GIT_SSH_DIR="$CLUSTER_DIR/git-ssh"
GIT_HTTPS_DIR="$CLUSTER_DIR/git-https"
GIT_SERVERS_INFO="$CLUSTER_DIR/git-servers.json"

git_servers_start() {
  git_sshd_start
  git_https_start
  git_servers_info
  log "private git over ssh at ssh://$GIT_SSH_USER@$NODE_IP:$GIT_SSH_PORT/<name> (key $GIT_SSH_DIR/id_ed25519, known_hosts $GIT_SSH_DIR/known_hosts)"
  log "private git over https at https://$NODE_IP:$GIT_HTTPS_PORT/<name> (token in $GIT_HTTPS_DIR/token, CA $PKI_DIR/ca.crt)"
}

# The account git-upload-pack runs as. "*" as password: locked for passwords, but not "!"-locked,
# which sshd without PAM refuses even for keys.
git_ssh_user_ensure() {
  getent passwd "$GIT_SSH_USER" >/dev/null && return 0
  [[ $(id -u) == 0 ]] || die "the git ssh server needs the account $GIT_SSH_USER; create it as root"
  useradd --system --no-create-home --home-dir / --shell /bin/sh --password '*' "$GIT_SSH_USER" ||
    die "could not create the account $GIT_SSH_USER for the git ssh server"
  log "created the system account $GIT_SSH_USER for the git ssh server"
}

git_sshd_start() {
  command -v /usr/sbin/sshd >/dev/null || die "sshd is missing (npm run cluster -- deps installs openssh-server)"
  git_ssh_user_ensure
  mkdir -p "$GIT_SSH_DIR" "$GIT_DIR_ROOT"
  chmod 755 "$GIT_SSH_DIR"
  [[ -f "$GIT_SSH_DIR/host_ed25519" ]] ||
    ssh-keygen -q -t ed25519 -N '' -C "tofu-operator-local-git-host" -f "$GIT_SSH_DIR/host_ed25519" ||
    die "could not make the git ssh host key"
  [[ -f "$GIT_SSH_DIR/id_ed25519" ]] ||
    ssh-keygen -q -t ed25519 -N '' -C "tofu-operator-local-git-client" -f "$GIT_SSH_DIR/id_ed25519" ||
    die "could not make the git ssh client key"
  # Clients (tests) read the private key to put it in a Secret; the server only needs the public one.
  chmod 600 "$GIT_SSH_DIR/host_ed25519" "$GIT_SSH_DIR/id_ed25519"
  local pub
  pub=$(<"$GIT_SSH_DIR/id_ed25519.pub")
  printf 'restrict %s\n' "$pub" >"$GIT_SSH_DIR/authorized_keys"
  chmod 644 "$GIT_SSH_DIR/authorized_keys"
  printf '[%s]:%s %s\n' "$NODE_IP" "$GIT_SSH_PORT" "$(cut -d' ' -f1,2 "$GIT_SSH_DIR/host_ed25519.pub")" >"$GIT_SSH_DIR/known_hosts"
  # sshd's privilege separation needs this directory (tmpfs: gone after a reboot).
  mkdir -p /run/sshd && chmod 755 /run/sshd
  cat >"$GIT_SSH_DIR/sshd_config" <<EOF
# The local cluster's git ssh server (tools/cluster/lib/git-servers.sh); rewritten by every up.
ListenAddress $NODE_IP:$GIT_SSH_PORT
HostKey "$GIT_SSH_DIR/host_ed25519"
PidFile none
AllowUsers $GIT_SSH_USER
AuthorizedKeysFile "$GIT_SSH_DIR/authorized_keys"
# The keys live in the checkout's .cluster, which may sit below a world-writable /tmp (a fresh clone):
# StrictModes would refuse them there. The files are this script's own, written just above.
StrictModes no
AuthenticationMethods publickey
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
UsePAM no
AllowTcpForwarding no
AllowAgentForwarding no
X11Forwarding no
PermitTTY no
PermitUserRC no
PrintMotd no
# git asks for protocol v2 through this variable.
AcceptEnv GIT_PROTOCOL
ForceCommand "$REPO_ROOT/tools/cluster/lib/git-ssh-command.sh" "$GIT_DIR_ROOT"
LogLevel VERBOSE
EOF
  /usr/sbin/sshd -t -f "$GIT_SSH_DIR/sshd_config" || die "the git sshd configuration is invalid"
  # -D: stays in the foreground (proc_start owns it); -e: logs to stderr, the process's log.
  proc_start git-sshd /usr/sbin/sshd -D -e -f "$GIT_SSH_DIR/sshd_config"
  wait_for "git sshd" 20 git-sshd bash -c "echo >/dev/tcp/$NODE_IP/$GIT_SSH_PORT"
}

git_https_start() {
  local node="$REPO_ROOT/node_modules/node/bin/node"
  [[ -x "$node" ]] || die "Node 24 is missing at $node (npm install)"
  mkdir -p "$GIT_HTTPS_DIR" "$GIT_DIR_ROOT"
  chmod 700 "$GIT_HTTPS_DIR"
  if [[ ! -s "$GIT_HTTPS_DIR/token" ]]; then
    (umask 077 && openssl rand -hex 24 >"$GIT_HTTPS_DIR/token") || die "could not make the git https token"
  fi
  pki_sign git-https "/CN=tofu-operator-local-git" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:$NODE_IP,DNS:localhost,IP:127.0.0.1"
  proc_start git-https "$node" "$REPO_ROOT/tools/cluster/git-https/server.ts" \
    --listen "$NODE_IP" --port "$GIT_HTTPS_PORT" --root "$GIT_DIR_ROOT" \
    --cert "$PKI_DIR/git-https.crt" --key "$PKI_DIR/git-https.key" --token-file "$GIT_HTTPS_DIR/token"
  wait_for "git https" 20 git-https bash -c "echo >/dev/tcp/$NODE_IP/$GIT_HTTPS_PORT"
}

# Where the servers are and which files hold what a client needs, for tests and scripts.
git_servers_info() {
  cat >"$GIT_SERVERS_INFO" <<EOF
{
  "ssh": {
    "urlPrefix": "ssh://$GIT_SSH_USER@$NODE_IP:$GIT_SSH_PORT/",
    "identityFile": "$GIT_SSH_DIR/id_ed25519",
    "knownHostsFile": "$GIT_SSH_DIR/known_hosts"
  },
  "https": {
    "urlPrefix": "https://$NODE_IP:$GIT_HTTPS_PORT/",
    "tokenFile": "$GIT_HTTPS_DIR/token",
    "caFile": "$PKI_DIR/ca.crt"
  }
}
EOF
}
