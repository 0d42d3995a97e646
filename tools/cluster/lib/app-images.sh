# The operator and dashboard images in the node's containerd, next to the runner image: built
# offline by tools/images/build-app-image.sh (cached by content: seconds when nothing changed),
# imported when the node lacks them. Sourced by cluster.sh after node.sh. Never executed.
# shellcheck shell=bash

# Images built and imported on `up`, by build-app-image.sh app name.
APP_IMAGES=(operator dashboard)

# Builds one app image and imports it unless the node has it; writes its reference to
# .cluster/<app>-image (as runner_image_import writes .cluster/runner-image).
app_image_import() {
  local app="$1" ref tar images
  ref=$(bash "$REPO_ROOT/tools/images/build-app-image.sh" "$app" | tail -n 1) || die "could not build the $app image"
  tar="$CACHE_ROOT/images/${ref/:/-}.tar"
  [[ -f "$tar" ]] || die "$app image archive $tar is missing"
  # Captured, then matched: `ctr ... | grep -q` fails under pipefail when grep exits at its match.
  images=$(ctr_k8s images ls -q) || images=''
  if ! grep -qxF "docker.io/library/$ref" <<<"$images"; then
    log "importing $ref (and ${ref%%:*}:<version>) into the node"
    node_import_image "$tar"
  fi
  echo "$ref" >"$CLUSTER_DIR/$app-image"
}

app_images_import() {
  local app
  for app in "${APP_IMAGES[@]}"; do app_image_import "$app"; done
}
