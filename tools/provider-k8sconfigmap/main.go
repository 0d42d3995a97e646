// Command terraform-provider-k8sconfigmap is the project's own OpenTofu provider: it manages
// ConfigMaps in the cluster its pod runs in, through the Kubernetes REST API with the pod's
// ServiceAccount token. It exists so samples and integration tests can manage something outside
// tofu's own state offline (served by the local cluster's provider network mirror), and so drift is
// real: editing or deleting the ConfigMap shows up in the next plan.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
)

// Address is the provider's source address; the network mirror serves it under this path.
const Address = "registry.tofu-operator.local/tofu-operator/k8sconfigmap"

// version is set at build time (-ldflags "-X main.version=...").
var version = "dev"

func main() {
	debug := flag.Bool("debug", false, "run with support for debuggers like delve")
	flag.Parse()
	err := providerserver.Serve(context.Background(), newProvider(version), providerserver.ServeOpts{
		Address: Address,
		Debug:   *debug,
	})
	if err != nil {
		log.Fatal(err)
	}
}
