#!/usr/bin/env bash
# Lays out the dashboard as it goes into its image (the app root, /app), from Next's standalone
# output (next.config.ts: output 'standalone', traced from the repository root):
#   node_modules/...                          what Next traced as needed at run time (no @next/swc,
#                                             no webpack or compiler; no type declarations or maps)
#   apps/dashboard/package.json, .next/...    the server build (standalone), without Next's generated
#                                             server.js, plus .next/static (browser assets)
#   apps/dashboard/server.ts, src/server/*.ts the custom server (run by Node's type stripping) and
#                                             the two modules it imports; with no next.config.ts
#                                             beside it, it uses the build's resolved configuration
# Shared by tools/images/build-app-image.sh (offline build) and docker/dashboard.Dockerfile.
# Needs the dashboard built (next build apps/dashboard).
#
# Usage: stage-dashboard.sh <repo-root> <out-dir>   (out-dir must not exist or be empty)
set -euo pipefail

die() {
  printf 'stage-dashboard: error: %s\n' "$*" >&2
  exit 1
}

[[ $# -eq 2 ]] || die "usage: $0 <repo-root> <out-dir>"
root="$(cd "$1" && pwd)"
out="$2"
app="$root/apps/dashboard"
standalone="$app/.next/standalone"
[[ -f "$standalone/apps/dashboard/.next/BUILD_ID" && -d "$standalone/node_modules/next" ]] ||
  die "$standalone is missing or incomplete: build the dashboard (next build apps/dashboard, output 'standalone')"
[[ "$(cat "$standalone/apps/dashboard/.next/BUILD_ID")" == "$(cat "$app/.next/BUILD_ID")" ]] ||
  die "$standalone is from another build than $app/.next"
[[ -d "$app/.next/static" ]] || die "$app/.next/static is missing"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
[[ -z "$(ls -A "$out")" ]] || die "$out is not empty"

# The standalone tree without Next's generated server.js (the image runs server.ts).
tar -C "$standalone" --exclude=./apps/dashboard/server.js --anchored -cf - . | tar -C "$out" --no-same-owner -xf -
cp -a --no-preserve=ownership "$app/.next/static" "$out/apps/dashboard/.next/static"
install -m 0644 "$app/server.ts" "$out/apps/dashboard/server.ts"
(cd "$app" && find src/server -type f -name '*.ts' ! -name '*.spec.ts' -print | LC_ALL=C sort) | while IFS= read -r f; do
  install -D -m 0644 "$app/$f" "$out/apps/dashboard/$f"
done
[[ ! -e "$out/apps/dashboard/next.config.ts" ]] || die "next.config.ts must not be staged (server.ts then compiles it)"

find "$out/node_modules" -type f \( -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -name '*.map' -o -name '*.tsbuildinfo' \) -delete
[[ -z "$(find "$out" -type l -lname '/*' -print -quit)" ]] || die "absolute symlinks in the standalone output: $(find "$out" -type l -lname '/*' | head -3)"
chmod -R u=rwX,go=rX "$out"
