# A ConfigMap in the cluster, managed through the project's own provider
# (tools/provider-k8sconfigmap), which runner pods install from the provider network mirror:
# docs/guides/providers-offline.md. The runner needs a ServiceAccount token allowed to manage
# ConfigMaps in that namespace (samples/configmap.yaml).
terraform {
  required_providers {
    k8sconfigmap = {
      source  = "registry.tofu-operator.local/tofu-operator/k8sconfigmap"
      version = "0.1.0"
    }
  }
}

# No settings: the provider uses the runner pod's in-cluster configuration. The empty block keeps
# tofu from adding "requires explicit configuration" to the provider's own error without a token.
provider "k8sconfigmap" {}

variable "namespace" {
  type        = string
  description = "Namespace of the ConfigMap (the runner's ServiceAccount must be allowed to manage ConfigMaps there)."
}

variable "name" {
  type        = string
  default     = "managed-by-tofu"
  description = "Name of the ConfigMap."
}

variable "data" {
  type        = map(string)
  default     = {}
  description = "The ConfigMap's data; a key edited or added by hand is drift the next plan shows."
}

resource "k8sconfigmap_config_map" "this" {
  namespace = var.namespace
  name      = var.name
  data      = var.data
}

output "uid" {
  value = k8sconfigmap_config_map.this.uid
}

output "id" {
  value = k8sconfigmap_config_map.this.id
}
