#!/usr/bin/env bash
# The forced command of the local cluster's git sshd (lib/git-servers.sh): whatever a client asks,
# only `git-upload-pack '<name>'` (clone and fetch) of a repository served under the root given as
# the argument runs; anything else (a shell, a push, a path outside the root) is refused.
set -euo pipefail

root="$1"
cmd="${SSH_ORIGINAL_COMMAND:-}"
# git sends `git-upload-pack '/name'` for ssh://host/name and `git-upload-pack 'name'` for host:name.
re="^git[ -]upload-pack '/?([A-Za-z0-9._-]+)'$"
if [[ ! "$cmd" =~ $re ]]; then
  echo "this server only serves git clone and fetch (git-upload-pack '<name>')" >&2
  exit 1
fi
name="${BASH_REMATCH[1]%.git}"
if [[ "$name" == .* || ! -d "$root/$name" ]]; then
  echo "no repository '$name' here" >&2
  exit 1
fi
# The served repositories belong to the cluster's owner, not to this account.
export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=safe.directory GIT_CONFIG_VALUE_0='*'
exec git upload-pack --strict "$root/$name"
