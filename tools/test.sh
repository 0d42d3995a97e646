#!/usr/bin/env bash
# The whole test suite, from a clean clone on a new machine: installs what it needs (npm packages,
# Debian packages, the Kubernetes and OpenTofu binaries, built and cached by version), checks format,
# CRD/type drift, lint and types, runs the unit tests, then the integration tests against the local
# cluster (started here when it is not running, and stopped again afterwards) and the dashboard's
# browser tests in Debian's Chromium.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD

step() { printf '\n=== %s\n' "$*"; }

step "npm packages"
if [[ ! -x node_modules/.bin/node || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund
fi
export PATH="$root/node_modules/.bin:$PATH"
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false NX_SKIP_NX_CACHE=${NX_SKIP_NX_CACHE:-false}
# Playwright uses Debian's Chromium (/usr/bin/chromium), never a downloaded browser.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
node --version

step "Debian packages and cached binaries (Kubernetes, OpenTofu, helm), Chromium for the browser tests"
bash tools/cluster/cluster.sh build
bash tools/helm/helm.sh --path >/dev/null
bash tools/cluster/cluster.sh deps-browser

step "format, generated files, shell scripts (shellcheck), build and type-check (apps, libs, tools/), lint"
prettier --check . >/dev/null || { prettier --check . || true; echo "formatting differs: run npm run format" >&2; exit 1; }
nx run api-types:build --output-style=static >/dev/null
node tools/crd-gen/generate.ts --check
node --test --test-reporter=dot tools/check-docs.spec.ts && node tools/check-docs.ts   # docs: runnable blocks run by tests, settings documented (docs/README.md)
bash tools/check-shell.sh
nx run-many -t build lint --output-style=static

step "unit tests"
nx run-many -t test --output-style=static --skip-nx-cache
# The project's own OpenTofu provider (served by the local cluster's provider mirror).
(cd tools/provider-k8sconfigmap && GOTOOLCHAIN=local GOFLAGS=-buildvcs=false go vet ./... && GOTOOLCHAIN=local GOFLAGS=-buildvcs=false go test ./...)

step "local cluster"
started_here=0
if ! bash tools/cluster/cluster.sh status >/dev/null 2>&1; then
  bash tools/cluster/cluster.sh up
  started_here=1
fi
cleanup() { if ((started_here)); then bash tools/cluster/cluster.sh down || true; fi; }
trap cleanup EXIT
export KUBECONFIG="$root/.cluster/kubeconfig"

step "images: the Dockerfiles agree with the offline builds; the operator and dashboard images run (uid 65532, read-only root)"
bash tools/images/check-runner-image-parity.sh
for app in operator dashboard; do
  bash tools/images/build-app-image.sh "$app" --no-compile >/dev/null
  bash tools/images/check-app-image-parity.sh "$app"
  bash tools/images/verify-app-image.sh "$app"
done

step "deployment manifests (kustomize build of deploy/overlays/*, kubectl apply --dry-run=server), the Helm chart (helm lint, equal to deploy/base, dry run; installed by helm.spec below)"
bash tools/check-manifests.sh
bash tools/check-helm.sh

step "integration tests (real control plane, operator with its own RBAC)"
nx run operator-int:e2e --output-style=static

step "dashboard end-to-end tests (Chromium, the operator and the dashboard against the local cluster)"
nx run dashboard-e2e:e2e --output-style=static
