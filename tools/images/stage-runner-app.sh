#!/usr/bin/env bash
# Lays out the runner's compiled JavaScript as it goes into the runner image (/opt/tofu-runner):
#   main.js, runner.js, ...                    apps/runner/dist without tests, fixtures, maps, types
#   package.json                               name, version, "type": "module"
#   node_modules/@tofu-operator/api-types/     its package.json and dist/*.js
# Shared by tools/images/build-runner-image.sh (offline build) and docker/runner.Dockerfile, so both
# images get the same files. Needs node (to write package.json) and the runner built (tsc -b apps/runner).
#
# Usage: stage-runner-app.sh <repo-root> <out-dir>   (out-dir must not exist or be empty)
set -euo pipefail

die() {
  printf 'stage-runner-app: error: %s\n' "$*" >&2
  exit 1
}

[[ $# -eq 2 ]] || die "usage: $0 <repo-root> <out-dir>"
root="$1"
out="$2"
runner_dist="$root/apps/runner/dist"
types_pkg="$root/libs/api-types"

[[ -f "$runner_dist/main.js" ]] || die "$runner_dist/main.js is missing: build the runner first (tsc -b apps/runner)"
[[ -f "$types_pkg/dist/index.js" ]] || die "$types_pkg/dist/index.js is missing: build libs/api-types first"
command -v node >/dev/null || die "node is required"
mkdir -p "$out"
[[ -z "$(ls -A "$out")" ]] || die "$out is not empty"

# Copies the run-time JavaScript of a tsc output directory: *.js except tests and test fixtures.
copy_js() {
  local from="$1" to="$2" rel
  (cd "$from" && find . -type f -name '*.js' ! -name '*.spec.js' ! -path './testing/*' -print | LC_ALL=C sort) |
    while IFS= read -r rel; do
      install -D -m 0644 "$from/$rel" "$to/${rel#./}"
    done
}

copy_js "$runner_dist" "$out"
copy_js "$types_pkg/dist" "$out/node_modules/@tofu-operator/api-types/dist"
install -m 0644 "$types_pkg/package.json" "$out/node_modules/@tofu-operator/api-types/package.json"

# A package.json of the app's own: the .js files are ES modules ("type": "module").
node -e '
  const fs = require("node:fs");
  const src = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  const pkg = { name: src.name, version: src.version, private: true, type: "module", main: "main.js",
    dependencies: src.dependencies ?? {} };
  fs.writeFileSync(process.argv[2], JSON.stringify(pkg, null, 2) + "\n");
' "$root/apps/runner/package.json" "$out/package.json"

[[ -f "$out/main.js" ]] || die "staging produced no main.js"
