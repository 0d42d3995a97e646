# syntax=docker/dockerfile:1
# The tofu-operator image (the operator service: reconcilers, REST and websocket API), for people
# with Docker (or any BuildKit builder), from the repository root:
#   docker build -f docker/operator.Dockerfile -t tofu-operator:0.1.0 .
#
# Kept in step with tools/images/build-app-image.sh operator, the offline build this project uses
# (no Docker engine): same Debian suite and packages, user 65532, paths, entrypoint, env and port,
# and the same files (both run tools/images/stage-node-app.sh on the installed tree).
# tools/images/check-app-image-parity.sh operator compares the two; run it after changing either.
# Not built in this repository's CI (no Docker engine there); see docs/images.md.

# Versions. NODE_VERSION is the workspace's Node (the "node" devDependency in package.json);
# DEBIAN_VERSION the bookworm point release. Pin the digests too when you publish
# (debian:12.15-slim@sha256:..., node:24.9.0-bookworm-slim@sha256:...).
ARG NODE_VERSION=24.9.0
ARG DEBIAN_VERSION=12.15

# ---- build: the locked dependencies, tsc -b, then the production layout ----
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /src
# npm ci needs every workspace's package.json (the lockfile names them all).
COPY package.json package-lock.json tsconfig.base.json ./
COPY apps/operator/package.json apps/operator/
COPY apps/dashboard/package.json apps/dashboard/
COPY apps/runner/package.json apps/runner/
COPY libs/api-types/package.json libs/api-types/
COPY libs/api-contracts/package.json libs/api-contracts/
COPY libs/reconcile-runtime/package.json libs/reconcile-runtime/
COPY e2e/operator-int/package.json e2e/operator-int/
COPY e2e/dashboard-e2e/package.json e2e/dashboard-e2e/
# No install scripts: Node is the base image's, browsers and Nx's native parts are not needed.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY libs/ libs/
COPY apps/operator/ apps/operator/
COPY tools/images/stage-node-app.sh tools/images/prod-deps.ts tools/images/
RUN set -eu; \
    node node_modules/typescript/bin/tsc -b apps/operator; \
    bash tools/images/stage-node-app.sh /src apps/operator /out/stage; \
    mkdir -p /out/deps /out/app/node_modules; \
    mv /out/stage/node_modules /out/deps/node_modules; \
    mv /out/deps/node_modules/@tofu-operator /out/app/node_modules/@tofu-operator; \
    mv /out/stage/apps /out/app/apps

# ---- the image ----
FROM debian:${DEBIAN_VERSION}-slim
ARG NODE_VERSION
# libstdc++6 for Node, ca-certificates for https upstreams, git and openssh-client for the source
# poller's `git ls-remote` (issue 13).
ARG APP_PACKAGES="ca-certificates git libstdc++6 openssh-client"
RUN set -eu; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get upgrade -y --no-install-recommends; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $APP_PACKAGES; \
    apt-get clean; \
    rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/cache/debconf/*-old /var/lib/dpkg/*-old; \
    find /usr/share/doc -mindepth 1 ! -type d ! -name copyright -delete; \
    find /usr/share/doc -mindepth 1 -type d -empty -delete; \
    rm -rf /usr/share/man/* /usr/share/info/* /usr/share/locale/* /usr/share/lintian/*; \
    find /var/log -type f -delete; \
    groupadd --gid 65532 nonroot; \
    useradd --uid 65532 --gid 65532 --home-dir /home/nonroot --no-create-home --shell /usr/sbin/nologin nonroot; \
    install -d -m 0755 -o 65532 -g 65532 /home/nonroot; \
    install -d -m 0755 /app
# Two layers, as in the offline build: third-party packages (change seldom), then the app.
COPY --from=build /usr/local/bin/node /usr/local/bin/node
COPY --from=build /out/deps/node_modules /app/node_modules
COPY --from=build /out/app /app
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/home/nonroot \
    NODE_ENV=production \
    PORT=8080 \
    HOST=0.0.0.0
LABEL org.opencontainers.image.title="tofu-operator" \
      org.opencontainers.image.description="tofu-operator: reconcilers for TofuModule, TofuStack and TofuExecution, REST and websocket API" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.base.name="debian:bookworm" \
      io.tofu-operator.node-version="v${NODE_VERSION}"
USER 65532:65532
WORKDIR /app
EXPOSE 8080
# V8's --optimize-for-size on the command line (Node refuses it in NODE_OPTIONS): a burst of 10,000
# stacks peaks about 25 MiB lower for about a third more CPU per stack (docs/benchmarks.md).
ENTRYPOINT ["/usr/local/bin/node", "--optimize-for-size", "/app/apps/operator/dist/main.js"]
