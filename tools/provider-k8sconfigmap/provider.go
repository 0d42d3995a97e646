package main

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

type k8sConfigMapProvider struct {
	version string
}

var _ provider.Provider = (*k8sConfigMapProvider)(nil)

func newProvider(version string) func() provider.Provider {
	return func() provider.Provider { return &k8sConfigMapProvider{version: version} }
}

func (p *k8sConfigMapProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "k8sconfigmap"
	resp.Version = p.version
}

func (p *k8sConfigMapProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "Manages ConfigMaps in the cluster the provider runs in (in-cluster ServiceAccount credentials only).",
	}
}

// Configure reads the in-cluster configuration once; a provider outside a pod fails here with a
// message saying what is missing, not at the first request.
func (p *k8sConfigMapProvider) Configure(_ context.Context, _ provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	cfg, err := inClusterConfig(osEnv, defaultServiceAccountDir)
	if err != nil {
		resp.Diagnostics.AddError("Kubernetes in-cluster configuration", err.Error())
		return
	}
	client, err := newKubeClient(cfg)
	if err != nil {
		resp.Diagnostics.AddError("Kubernetes client", err.Error())
		return
	}
	resp.ResourceData = client
}

func (p *k8sConfigMapProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{newConfigMapResource}
}

func (p *k8sConfigMapProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return nil
}
