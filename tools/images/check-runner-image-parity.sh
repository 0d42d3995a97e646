#!/usr/bin/env bash
# Checks that docker/runner.Dockerfile and tools/images/build-runner-image.sh describe the same
# runner image: user, entrypoint, workdir, home, app and tofu paths, Debian suite and packages,
# tofu and Node versions. Each value is read from both sides and compared (nothing is hard-coded
# here); with a built image (the last build, or the tar/reference given) its config is compared too.
#
# Usage: tools/images/check-runner-image-parity.sh [<image-ref>|<docker-archive.tar>|--no-image]
# Env: DOCKERFILE, BUILD_SCRIPT to check other files (the parity check's own tests use this).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$HERE/../.." && pwd)"
DOCKERFILE="${DOCKERFILE:-$REPO_ROOT/docker/runner.Dockerfile}"
BUILD_SCRIPT="${BUILD_SCRIPT:-$HERE/build-runner-image.sh}"
PARITY_NAME=runner-image-parity
# shellcheck source=lib/parity-common.sh
source "$HERE/lib/parity-common.sh"
# shellcheck disable=SC2119 # the runner's build script takes no arguments
parity_read_spec

DF[tofu_version]="$(df_arg TOFU_VERSION)"
DF[debian_packages]="$(df_arg RUNNER_PACKAGES | tr ' ' '\n' | sed '/^$/d' | LC_ALL=C sort | paste -sd' ')"
DF[debian_suite]="$(df_final FROM | sed -n 's/^debian:\([a-z]*\)\(-slim\)\{0,1\}.*/\1/p')"
DF[tofu_path]="$(df_copy_dest /out/tofu)"
DF[app_dir]="$(df_copy_dest /out/app)"

parity_workspace_node "${RUNNER_IMAGE_NODE:-$REPO_ROOT/node_modules/node/bin/node}"

parity_image_config "${1:-}" tofu-operator-runner
if [[ -n "$config" ]]; then
  IMG[tofu_version]="$(jq -r '.config.Labels["io.tofu-operator.tofu-version"] // "(no label)"' <<<"$config")"
fi

# ---- Compare ----
parity_compare 52 "build-runner-image.sh" "runner.Dockerfile" \
  user user_name home workdir entrypoint app_dir tofu_path node_path tofu_version node_version debian_suite debian_packages
parity_finish "${BUILD_SCRIPT#"$REPO_ROOT"/}"
