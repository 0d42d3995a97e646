#!/usr/bin/env bash
# `npm start`: bootstraps node_modules (a fresh machine has only the system Node.js), then runs the
# product's `start` command with Node 24 (tools/cli/tofu-operator.ts; `--help` says what it does).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD

if [[ ! -x node_modules/.bin/node || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund
fi
export PATH="$root/node_modules/.bin:$PATH"
exec node tools/cli/tofu-operator.ts start "$@"
