# Serves local directories as git repositories to runner pods over git:// on the node's bridge
# address. Sourced by cluster.sh.
# shellcheck shell=bash

GIT_DIR_ROOT="$CLUSTER_DIR/git"
GIT_PORT="${TOFU_CLUSTER_GIT_PORT:-9418}"

git_daemon_start() {
  mkdir -p "$GIT_DIR_ROOT"
  proc_start git-daemon git daemon --reuseaddr --export-all --base-path="$GIT_DIR_ROOT" \
    --listen="$NODE_IP" --port="$GIT_PORT" --informative-errors "$GIT_DIR_ROOT"
  wait_for "git daemon" 20 git-daemon bash -c "echo >/dev/tcp/$NODE_IP/$GIT_PORT"
}

# Publishes a directory's current files as the branch main of a served repository and prints the URL
# runner pods clone. main becomes exactly the directory's files now (without .git and .terraform
# directories), whatever the name served before (another directory, a git checkout with its own
# history): a new commit on top of the served main when the files changed, pushed with --force. The
# directory is read in place, never its own .git (copying it along made the push non-fast-forward).
git_publish() {
  local src="$1" name="$2"
  [[ -d "$src" ]] || die "serve-git: $src is not a directory"
  [[ "$name" =~ ^[A-Za-z0-9._-]+$ ]] || die "serve-git: name must be letters, digits, '.', '_' or '-'"
  local bare="$GIT_DIR_ROOT/$name" gitdir
  [[ -d "$bare" ]] || git init -q --bare -b main "$bare"
  gitdir=$(mktemp -d)
  (
    export GIT_DIR="$gitdir" GIT_WORK_TREE="$src"
    export GIT_AUTHOR_NAME=tofu-operator GIT_AUTHOR_EMAIL=local@tofu-operator.io
    export GIT_COMMITTER_NAME=tofu-operator GIT_COMMITTER_EMAIL=local@tofu-operator.io
    git init -q -b main
    # The served main as parent (clones see a new commit, not a new history); the index starts empty,
    # so the commit's tree is the directory alone.
    if git fetch -q "$bare" main 2>/dev/null; then git reset -q --soft FETCH_HEAD; fi
    git add -A -- . ':(exclude,glob)**/.terraform/**'
    if ! git diff --cached --quiet 2>/dev/null || ! git rev-parse -q --verify HEAD >/dev/null; then
      git commit -qm "Publish $src"
    fi
    git push -q --force "$bare" HEAD:main
  ) || die "serve-git: could not publish $src"
  rm -rf "$gitdir"
  log "serve-git: $name now serves the current files of $src (main replaced)"
  if [[ "$GIT_PORT" == 9418 ]]; then echo "git://$NODE_IP/$name"; else echo "git://$NODE_IP:$GIT_PORT/$name"; fi
}
