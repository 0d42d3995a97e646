package main

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestInClusterConfig(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"}
	getenv := func(k string) string { return env[k] }
	if _, err := inClusterConfig(getenv, dir); err == nil || !strings.Contains(err.Error(), "automountServiceAccountToken") {
		t.Fatalf("missing token: got %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "token"), []byte("t"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := inClusterConfig(getenv, dir)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Server != "https://10.96.0.1:443" || cfg.CAFile != filepath.Join(dir, "ca.crt") {
		t.Fatalf("unexpected config %+v", cfg)
	}
	env["KUBERNETES_SERVICE_HOST"] = "fd00::1"
	if cfg, _ = inClusterConfig(getenv, dir); cfg.Server != "https://[fd00::1]:443" {
		t.Fatalf("IPv6 host: %s", cfg.Server)
	}
	delete(env, "KUBERNETES_SERVICE_PORT")
	if _, err := inClusterConfig(getenv, dir); err == nil || !strings.Contains(err.Error(), "inside a pod") {
		t.Fatalf("outside a pod: got %v", err)
	}
}

func TestParseID(t *testing.T) {
	for _, tc := range []struct {
		id, ns, name string
		ok           bool
	}{
		{"team-a/settings", "team-a", "settings", true},
		{"settings", "", "", false},
		{"/settings", "", "", false},
		{"team-a/", "", "", false},
		{"a/b/c", "", "", false},
	} {
		ns, name, err := parseID(tc.id)
		if (err == nil) != tc.ok || ns != tc.ns || name != tc.name {
			t.Errorf("parseID(%q) = %q, %q, %v", tc.id, ns, name, err)
		}
	}
}

func TestDataToModel(t *testing.T) {
	if m := dataToModel(nil, types.MapNull(types.StringType)); !m.IsNull() {
		t.Errorf("no data with null prior should stay null, got %v", m)
	}
	empty := types.MapValueMust(types.StringType, nil)
	if m := dataToModel(nil, empty); m.IsNull() || len(m.Elements()) != 0 {
		t.Errorf("no data with an empty prior should be an empty map, got %v", m)
	}
	m := dataToModel(map[string]string{"a": "1"}, types.MapNull(types.StringType))
	if got := m.Elements()["a"]; got == nil || got.(types.String).ValueString() != "1" {
		t.Errorf("data written by hand must appear even with a null prior, got %v", m)
	}
}

// fakeAPI is an httptest TLS server answering like the API server for one ConfigMap.
func fakeAPI(t *testing.T) (*kubeClient, *map[string]configMap, *[]string) {
	store := map[string]configMap{}
	var seen []string
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.Method+" "+r.URL.Path+" "+r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "application/json")
		switch r.Method {
		case http.MethodGet, http.MethodDelete:
			cm, ok := store[r.URL.Path]
			if !ok {
				w.WriteHeader(http.StatusNotFound)
				_, _ = io.WriteString(w, `{"kind":"Status","message":"configmaps \"x\" not found"}`)
				return
			}
			if r.Method == http.MethodDelete {
				delete(store, r.URL.Path)
			}
			_ = json.NewEncoder(w).Encode(cm)
		case http.MethodPost, http.MethodPut:
			var cm configMap
			_ = json.NewDecoder(r.Body).Decode(&cm)
			p := r.URL.Path
			if r.Method == http.MethodPost {
				p += "/" + cm.meta("name")
				cm.Metadata["uid"] = "u-1"
			}
			cm.Metadata["resourceVersion"] = "rv-" + r.Method
			store[p] = cm
			_ = json.NewEncoder(w).Encode(cm)
		}
	}))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(filepath.Join(dir, "ca.crt"), ca, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "token"), []byte("sa-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	client, err := newKubeClient(kubeConfig{Server: srv.URL, TokenFile: filepath.Join(dir, "token"), CAFile: filepath.Join(dir, "ca.crt")})
	if err != nil {
		t.Fatal(err)
	}
	return client, &store, &seen
}

func TestKubeClientLifecycle(t *testing.T) {
	ctx := context.Background()
	client, store, seen := fakeAPI(t)
	if _, err := client.get(ctx, "ns", "cm"); !isNotFound(err) || !strings.Contains(err.Error(), "not found") {
		t.Fatalf("get before create: %v", err)
	}
	created, err := client.create(ctx, "ns", "cm", map[string]string{"k": "v"})
	if err != nil || created.meta("uid") != "u-1" || created.Data["k"] != "v" {
		t.Fatalf("create: %+v %v", created, err)
	}
	current, err := client.get(ctx, "ns", "cm")
	if err != nil {
		t.Fatal(err)
	}
	current.Metadata["labels"] = map[string]any{"owner": "someone"}
	updated, err := client.replaceData(ctx, current, map[string]string{"k": "w"})
	if err != nil || updated.Data["k"] != "w" || updated.meta("resourceVersion") != "rv-PUT" {
		t.Fatalf("update: %+v %v", updated, err)
	}
	if labels, _ := (*store)["/api/v1/namespaces/ns/configmaps/cm"].Metadata["labels"].(map[string]any); labels["owner"] != "someone" {
		t.Fatalf("an update must keep metadata others set, got %v", labels)
	}
	if err := client.delete(ctx, "ns", "cm"); err != nil {
		t.Fatal(err)
	}
	if err := client.delete(ctx, "ns", "cm"); !isNotFound(err) {
		t.Fatalf("second delete: %v", err)
	}
	for _, s := range *seen {
		if !strings.HasSuffix(s, "Bearer sa-token") {
			t.Fatalf("request without the trimmed token: %q", s)
		}
	}
}

func TestConfigMapPathEscapes(t *testing.T) {
	if got := configMapPath("ns", ""); got != "/api/v1/namespaces/ns/configmaps" {
		t.Errorf("collection path %s", got)
	}
	if got := configMapPath("ns", "a b"); got != "/api/v1/namespaces/ns/configmaps/a%20b" {
		t.Errorf("escaped path %s", got)
	}
}
