# syntax=docker/dockerfile:1
# The tofu-operator runner image, for people with Docker (or any BuildKit builder):
#   docker build -f docker/runner.Dockerfile -t tofu-operator-runner:0.1.0 .     (from the repo root)
#
# Kept in step with tools/images/build-runner-image.sh, the offline build this project uses (no
# Docker engine): same Debian suite and packages, paths, user 65532, entrypoint, workdir and tofu
# version, and the same app layout (both run tools/images/stage-runner-app.sh).
# tools/images/check-runner-image-parity.sh compares the two; run it after changing either.

# Versions. TOFU_VERSION must match TOFU_VERSION in tools/cluster/lib/build.sh; NODE_VERSION the
# workspace's Node (the "node" devDependency in package.json); OpenTofu v1.12 needs Go >= 1.26.6.
ARG TOFU_VERSION=v1.12.6
ARG NODE_VERSION=24.9.0
ARG GO_VERSION=1.26.8

# ---- tofu, built from the Go module proxy as tools/cluster/lib/build.sh (tofu_build) does: a
# wrapper module requiring opentofu, with that release's godebug block and non-local replaces ----
FROM golang:${GO_VERSION}-bookworm AS tofu
ARG TOFU_VERSION
ENV GOTOOLCHAIN=local GOFLAGS=-buildvcs=false CGO_ENABLED=0
WORKDIR /src
RUN set -eu; \
    dir="$(go mod download -json "github.com/opentofu/opentofu@${TOFU_VERSION}" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"; \
    test -f "$dir/go.mod"; \
    { \
      echo "module tofu-operator.io/tofu-build"; echo; \
      grep -E '^go [0-9]' "$dir/go.mod"; echo; \
      sed -n '/^godebug/,/^)/p' "$dir/go.mod"; echo; \
      echo "require github.com/opentofu/opentofu ${TOFU_VERSION}"; echo; \
      grep -E '^replace .*=>' "$dir/go.mod" | grep -v '=> \.' || true; \
    } >go.mod; \
    printf '//go:build tools\n\npackage tools\n\nimport _ "github.com/opentofu/opentofu/cmd/tofu"\n' >tools.go; \
    go mod tidy; \
    go build -trimpath -tags selinux,notest \
      -ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" \
      -o /out/tofu github.com/opentofu/opentofu/cmd/tofu; \
    /out/tofu version

# ---- the runner's JavaScript: tsc -b apps/runner (and libs/api-types through its reference) ----
FROM node:${NODE_VERSION}-bookworm-slim AS runner-build
WORKDIR /src
COPY package.json /tmp/workspace-package.json
# Only the compiler and Node's types, at the workspace's versions (the runner has no npm dependencies).
RUN set -eu; \
    ts="$(node -p 'require("/tmp/workspace-package.json").devDependencies.typescript')"; \
    types="$(node -p 'require("/tmp/workspace-package.json").devDependencies["@types/node"]')"; \
    npm install --prefix /src --no-audit --no-fund --ignore-scripts "typescript@$ts" "@types/node@$types"
COPY tsconfig.base.json ./
COPY libs/api-types/ libs/api-types/
COPY apps/runner/ apps/runner/
COPY tools/images/stage-runner-app.sh tools/images/
RUN set -eu; \
    mkdir -p node_modules/@tofu-operator; \
    ln -sfn ../../libs/api-types node_modules/@tofu-operator/api-types; \
    rm -rf libs/api-types/dist apps/runner/dist; \
    node_modules/.bin/tsc -b apps/runner; \
    bash tools/images/stage-runner-app.sh /src /out/app

# ---- the image ----
FROM debian:bookworm-slim
ARG TOFU_VERSION
ARG NODE_VERSION
# git and openssh-client for the clone (GIT_SSH_COMMAND runs through /bin/sh), ca-certificates for
# https remotes, libstdc++6 for Node.
ARG RUNNER_PACKAGES="ca-certificates git libstdc++6 openssh-client"
RUN set -eu; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get upgrade -y --no-install-recommends; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $RUNNER_PACKAGES; \
    apt-get clean; \
    rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/cache/debconf/*-old /var/lib/dpkg/*-old; \
    find /usr/share/doc -mindepth 1 ! -type d ! -name copyright -delete; \
    find /usr/share/doc -mindepth 1 -type d -empty -delete; \
    rm -rf /usr/share/man/* /usr/share/info/* /usr/share/locale/* /usr/share/lintian/*; \
    find /var/log -type f -delete; \
    groupadd --gid 65532 runner; \
    useradd --uid 65532 --gid 65532 --home-dir /home/runner --no-create-home --shell /usr/sbin/nologin runner; \
    install -d -m 0755 -o 65532 -g 65532 /home/runner /workspace
COPY --from=tofu /out/tofu /usr/local/bin/tofu
COPY --from=runner-build /usr/local/bin/node /usr/local/bin/node
COPY --from=runner-build /out/app /opt/tofu-runner
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/home/runner
LABEL org.opencontainers.image.title="tofu-operator-runner" \
      org.opencontainers.image.description="tofu-operator runner: clones a repository and runs tofu plan" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.base.name="debian:bookworm" \
      io.tofu-operator.tofu-version="${TOFU_VERSION}" \
      io.tofu-operator.node-version="v${NODE_VERSION}"
USER 65532:65532
WORKDIR /workspace
ENTRYPOINT ["/usr/local/bin/node", "/opt/tofu-runner/main.js"]
