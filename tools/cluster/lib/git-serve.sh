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

# Publishes a directory's current content as the branch main of a served repository (a new commit
# when the content changed). Prints the URL runner pods clone.
git_publish() {
  local src="$1" name="$2"
  [[ -d "$src" ]] || die "serve-git: $src is not a directory"
  [[ "$name" =~ ^[A-Za-z0-9._-]+$ ]] || die "serve-git: name must be letters, digits, '.', '_' or '-'"
  local bare="$GIT_DIR_ROOT/$name" work
  [[ -d "$bare" ]] || git init -q --bare -b main "$bare"
  work=$(mktemp -d)
  (
    cd "$work"
    export GIT_AUTHOR_NAME=tofu-operator GIT_AUTHOR_EMAIL=local@tofu-operator.io
    export GIT_COMMITTER_NAME=tofu-operator GIT_COMMITTER_EMAIL=local@tofu-operator.io
    git init -q -b main
    git fetch -q "$bare" main 2>/dev/null && git reset -q --soft FETCH_HEAD
    cp -a "$src"/. .
    rm -rf .git/../.terraform
    git add -A
    git diff --cached --quiet 2>/dev/null && git rev-parse -q --verify HEAD >/dev/null || git commit -qm "Publish $src"
    git push -q "$bare" HEAD:main
  ) || die "serve-git: could not publish $src"
  rm -rf "$work"
  echo "git://$NODE_IP/$name"
}
