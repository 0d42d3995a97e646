# Debian packages the local cluster needs, installed on demand. Sourced by cluster.sh.
# shellcheck shell=bash

# command -> package that provides it
DEBIAN_DEPS=(
  "etcd:etcd-server"
  "openssl:openssl"
  "curl:curl"
  "git:git"
  "containerd:containerd"
  "runc:runc"
  "/usr/lib/cni/bridge:containernetworking-plugins"
  "umoci:umoci"
  "skopeo:skopeo"
  "gcc:gcc"
  "ip:iproute2"
  "iptables:iptables"
  "/usr/sbin/sshd:openssh-server"
  "zip:zip"
)

# What the browser tests (Playwright) need: Debian's Chromium, never a downloaded browser.
BROWSER_DEPS=(
  "/usr/bin/chromium:chromium"
)

# What the test command's checks need beyond the cluster: shellcheck (tools/check-shell.sh).
LINT_DEPS=(
  "shellcheck:shellcheck"
)

deps_ensure() {
  deps_install "${DEBIAN_DEPS[@]}"
}

deps_ensure_browser() {
  deps_install "${BROWSER_DEPS[@]}"
}

deps_ensure_lint() {
  deps_install "${LINT_DEPS[@]}"
}

# Installs the packages of the "command:package" entries whose command is missing.
deps_install() {
  local missing=() entry
  for entry in "$@"; do
    command -v "${entry%%:*}" >/dev/null || [[ -x "${entry%%:*}" ]] || missing+=("${entry#*:}")
  done
  ((${#missing[@]} == 0)) && return 0
  [[ $(id -u) == 0 ]] || die "missing Debian packages (${missing[*]}); install them as root: apt-get install ${missing[*]}"
  log "installing Debian packages: ${missing[*]}"
  apt-get update -qq >/dev/null || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
    die "apt-get install ${missing[*]} failed"
  # Debian's etcd-server package may start a system etcd on the default ports; ours runs on its own.
  if command -v systemctl >/dev/null && systemctl is-active --quiet etcd 2>/dev/null; then
    systemctl disable --now etcd >/dev/null 2>&1 || true
  fi
  # Likewise openssh-server's system sshd on port 22: the cluster's git sshd is its own process.
  if command -v systemctl >/dev/null && systemctl is-active --quiet ssh 2>/dev/null; then
    systemctl disable --now ssh >/dev/null 2>&1 || true
  fi
}
