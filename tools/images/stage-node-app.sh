#!/usr/bin/env bash
# Lays out one Node.js workspace of this monorepo as it goes into its image (the app root, /app),
# keeping the repository's layout so relative paths and Node's module resolution work unchanged:
#   <workspace>/package.json, <workspace>/dist/**.js    the app (no tests, fixtures, maps or types)
#   <workspace>/<path>...                                extra paths of the app, as they are
#   node_modules/@tofu-operator/<lib>/                   each workspace library it uses: package.json
#                                                        and dist/**.js (real copies, not symlinks)
#   node_modules/<pkg>/...                               the production closure of third-party
#                                                        packages (tools/images/prod-deps.ts), without
#                                                        type declarations, source maps or tsbuildinfo
# Shared by tools/images/build-app-image.sh (offline build) and docker/{operator,dashboard}.Dockerfile,
# so both builds get the same files. Needs node 24 and the workspace built (dist of app and libs).
#
# Usage: stage-node-app.sh <repo-root> <workspace> <out-dir> [<extra path in workspace>...]
#   out-dir must not exist or be empty. Extra paths that are directories are copied whole.
set -euo pipefail

die() {
  printf 'stage-node-app: error: %s\n' "$*" >&2
  exit 1
}

[[ $# -ge 3 ]] || die "usage: $0 <repo-root> <workspace> <out-dir> [<extra path>...]"
root="$(cd "$1" && pwd)"
ws="${2%/}"
out="$3"
shift 3
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
command -v node >/dev/null || die "node is required"
[[ -f "$root/$ws/package.json" ]] || die "$root/$ws is not a workspace (no package.json)"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
[[ -z "$(ls -A "$out")" ]] || die "$out is not empty"

# Copies the run-time JavaScript of a tsc output directory: *.js except tests and test fixtures.
copy_js() {
  local from="$1" to="$2" rel
  [[ -d "$from" ]] || return 0
  (cd "$from" && find . -type f -name '*.js' ! -name '*.spec.js' ! -path './testing/*' -print | LC_ALL=C sort) |
    while IFS= read -r rel; do
      install -D -m 0644 "$from/$rel" "$to/${rel#./}"
    done
}

deps="$(node "$here/prod-deps.ts" "$root" "$ws")" || die "listing the production dependencies of $ws failed"
while IFS=$'\t' read -r kind src dest; do
  case "$kind" in
    app | lib)
      [[ "$kind" == app || -f "$root/$src/dist/index.js" ]] || die "$src/dist is missing: build it first (tsc -b $ws)"
      install -D -m 0644 "$root/$src/package.json" "$out/$dest/package.json"
      copy_js "$root/$src/dist" "$out/$dest/dist"
      ;;
    pkg)
      mkdir -p "$out/$dest"
      # The package's own files; packages nested in its node_modules come as entries of their own.
      tar -C "$root/$src" --exclude=./node_modules --anchored -cf - . | tar -C "$out/$dest" --no-same-owner -xf -
      ;;
    *) die "unexpected line from prod-deps.ts: $kind $src $dest" ;;
  esac
done <<<"$deps"

for extra in "$@"; do
  [[ -e "$root/$ws/$extra" ]] || die "$ws/$extra does not exist"
  mkdir -p "$(dirname "$out/$ws/$extra")"
  cp -a --no-preserve=ownership "$root/$ws/$extra" "$out/$ws/$extra"
done

# Nothing Node runs: type declarations, source maps, build info; and no executable bits a
# package's tarball did not need (npm's bin links are not staged).
find "$out/node_modules" -type f \( -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -name '*.map' -o -name '*.tsbuildinfo' \) -delete 2>/dev/null || true
chmod -R u=rwX,go=rX "$out"
[[ -f "$out/$ws/package.json" ]] || die "staging produced no $ws/package.json"
