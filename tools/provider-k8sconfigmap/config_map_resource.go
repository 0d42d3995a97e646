package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// configMapResource is k8sconfigmap_config_map: one ConfigMap whose data the configuration owns.
type configMapResource struct {
	client *kubeClient
}

var (
	_ resource.Resource                = (*configMapResource)(nil)
	_ resource.ResourceWithConfigure   = (*configMapResource)(nil)
	_ resource.ResourceWithImportState = (*configMapResource)(nil)
)

func newConfigMapResource() resource.Resource { return &configMapResource{} }

type configMapModel struct {
	ID              types.String `tfsdk:"id"`
	Namespace       types.String `tfsdk:"namespace"`
	Name            types.String `tfsdk:"name"`
	Data            types.Map    `tfsdk:"data"`
	UID             types.String `tfsdk:"uid"`
	ResourceVersion types.String `tfsdk:"resource_version"`
}

func (r *configMapResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_config_map"
}

func (r *configMapResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	resp.Schema = schema.Schema{
		Description: "A ConfigMap in the cluster. Read compares the object's data with the state, so an edit by hand is drift and a deleted object is created again.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:      true,
				Description:   "namespace/name",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"namespace":        schema.StringAttribute{Required: true, PlanModifiers: replace},
			"name":             schema.StringAttribute{Required: true, PlanModifiers: replace},
			"data":             schema.MapAttribute{Optional: true, ElementType: types.StringType},
			"uid":              schema.StringAttribute{Computed: true, PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
			"resource_version": schema.StringAttribute{Computed: true, Description: "changes with every write to the object"},
		},
	}
}

func (r *configMapResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if req.ProviderData == nil {
		return // the provider is not configured yet (validation)
	}
	client, ok := req.ProviderData.(*kubeClient)
	if !ok {
		resp.Diagnostics.AddError("Unexpected provider data", fmt.Sprintf("expected *kubeClient, got %T", req.ProviderData))
		return
	}
	r.client = client
}

// dataFromModel converts the configured data to a Go map; a null map is an empty ConfigMap.
func dataFromModel(ctx context.Context, m types.Map) (map[string]string, diag.Diagnostics) {
	out := map[string]string{}
	if m.IsNull() || m.IsUnknown() {
		return out, nil
	}
	diags := m.ElementsAs(ctx, &out, false)
	return out, diags
}

// dataToModel is the server's data as the state holds it: null stays null when the server has no
// keys, so an unset `data` does not show a perpetual diff.
func dataToModel(data map[string]string, prior types.Map) types.Map {
	if len(data) == 0 && prior.IsNull() {
		return types.MapNull(types.StringType)
	}
	elems := make(map[string]attr.Value, len(data))
	for k, v := range data {
		elems[k] = types.StringValue(v)
	}
	return types.MapValueMust(types.StringType, elems)
}

func (r *configMapResource) fill(m *configMapModel, cm configMap) {
	ns, name := cm.meta("namespace"), cm.meta("name")
	m.ID = types.StringValue(ns + "/" + name)
	m.Namespace = types.StringValue(ns)
	m.Name = types.StringValue(name)
	m.Data = dataToModel(cm.Data, m.Data)
	m.UID = types.StringValue(cm.meta("uid"))
	m.ResourceVersion = types.StringValue(cm.meta("resourceVersion"))
}

func (r *configMapResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan configMapModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	data, diags := dataFromModel(ctx, plan.Data)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ns, name := plan.Namespace.ValueString(), plan.Name.ValueString()
	cm, err := r.client.create(ctx, ns, name, data)
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Creating ConfigMap %s/%s", ns, name), err.Error())
		return
	}
	r.fill(&plan, cm)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *configMapResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state configMapModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ns, name := state.Namespace.ValueString(), state.Name.ValueString()
	cm, err := r.client.get(ctx, ns, name)
	if isNotFound(err) {
		// Deleted outside tofu: the next plan creates it again.
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Reading ConfigMap %s/%s", ns, name), err.Error())
		return
	}
	r.fill(&state, cm)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *configMapResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan configMapModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	data, diags := dataFromModel(ctx, plan.Data)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ns, name := plan.Namespace.ValueString(), plan.Name.ValueString()
	current, err := r.client.get(ctx, ns, name)
	if err == nil {
		current, err = r.client.replaceData(ctx, current, data)
	}
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Updating ConfigMap %s/%s", ns, name), err.Error())
		return
	}
	r.fill(&plan, current)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *configMapResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state configMapModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ns, name := state.Namespace.ValueString(), state.Name.ValueString()
	if err := r.client.delete(ctx, ns, name); err != nil && !isNotFound(err) {
		resp.Diagnostics.AddError(fmt.Sprintf("Deleting ConfigMap %s/%s", ns, name), err.Error())
	}
}

// ImportState takes "namespace/name".
func (r *configMapResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	ns, name, err := parseID(req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Importing a ConfigMap", err.Error())
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("namespace"), ns)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), name)...)
}

// parseID splits an import ID "namespace/name".
func parseID(id string) (string, string, error) {
	ns, name, ok := strings.Cut(id, "/")
	if !ok || ns == "" || name == "" || strings.Contains(name, "/") {
		return "", "", fmt.Errorf("import ID %q must be namespace/name", id)
	}
	return ns, name, nil
}
