# Private git servers for runner pods beside the git daemon: OpenSSH (key auth) and git
# http-backend behind TLS (basic auth with a token). Sourced by cluster.sh.
# shellcheck shell=bash

# shellcheck disable=SC2034 # used by cluster.sh
GIT_SERVER_PROCS=(git-sshd git-https)

git_servers_start() {
  : # filled in by the private-sources work (issue 12)
}
