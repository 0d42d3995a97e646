# The OpenTofu provider network mirror runner pods install providers from (https, certificate
# signed by the cluster CA), serving the providers the project builds. Sourced by cluster.sh.
# shellcheck shell=bash

# shellcheck disable=SC2034 # used by cluster.sh
MIRROR_PROCS=(provider-mirror)

provider_mirror_start() {
  : # filled in by the providers-offline work (issue 12)
}
