package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// defaultServiceAccountDir is where the kubelet mounts a pod's ServiceAccount token and CA.
const defaultServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount"

// kubeConfig is what the provider needs to talk to the API server from inside a pod.
type kubeConfig struct {
	// Server is the API server's base URL (https://host:port).
	Server string
	// TokenFile is re-read on every request: bound ServiceAccount tokens are rotated by the kubelet.
	TokenFile string
	CAFile    string
}

func osEnv(name string) string { return os.Getenv(name) }

// inClusterConfig builds the configuration from KUBERNETES_SERVICE_HOST/PORT and the
// ServiceAccount directory, the way client-go's rest.InClusterConfig does.
func inClusterConfig(getenv func(string) string, saDir string) (kubeConfig, error) {
	host, port := getenv("KUBERNETES_SERVICE_HOST"), getenv("KUBERNETES_SERVICE_PORT")
	if host == "" || port == "" {
		return kubeConfig{}, errors.New("KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set: this provider only runs inside a pod")
	}
	cfg := kubeConfig{
		Server:    "https://" + net.JoinHostPort(host, port),
		TokenFile: filepath.Join(saDir, "token"),
		CAFile:    filepath.Join(saDir, "ca.crt"),
	}
	if _, err := os.Stat(cfg.TokenFile); err != nil {
		return kubeConfig{}, fmt.Errorf("no ServiceAccount token at %s (set automountServiceAccountToken: true on the runner's ServiceAccount or pod): %w", cfg.TokenFile, err)
	}
	return cfg, nil
}

// kubeClient is a minimal REST client for ConfigMaps (no client-go: it keeps the binary small).
type kubeClient struct {
	cfg  kubeConfig
	http *http.Client
}

func newKubeClient(cfg kubeConfig) (*kubeClient, error) {
	pem, err := os.ReadFile(cfg.CAFile)
	if err != nil {
		return nil, fmt.Errorf("reading the cluster CA %s: %w", cfg.CAFile, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("no certificate in %s", cfg.CAFile)
	}
	transport := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
	return &kubeClient{cfg: cfg, http: &http.Client{Transport: transport, Timeout: 30 * time.Second}}, nil
}

// configMap is the part of a ConfigMap the provider reads and writes; Metadata keeps every other
// field as sent by the server so an update does not drop labels or annotations others set.
type configMap struct {
	APIVersion string            `json:"apiVersion"`
	Kind       string            `json:"kind"`
	Metadata   map[string]any    `json:"metadata"`
	Data       map[string]string `json:"data,omitempty"`
	BinaryData map[string]string `json:"binaryData,omitempty"`
	Immutable  *bool             `json:"immutable,omitempty"`
}

func (c configMap) meta(key string) string {
	v, _ := c.Metadata[key].(string)
	return v
}

// statusError is a non-2xx answer of the API server, with the message of its Status object.
type statusError struct {
	Code    int
	Message string
}

func (e *statusError) Error() string { return fmt.Sprintf("HTTP %d: %s", e.Code, e.Message) }

func isNotFound(err error) bool {
	var se *statusError
	return errors.As(err, &se) && se.Code == http.StatusNotFound
}

// configMapPath is the REST path of a ConfigMap, or of the collection when name is empty.
func configMapPath(namespace, name string) string {
	p := "/api/v1/namespaces/" + url.PathEscape(namespace) + "/configmaps"
	if name != "" {
		p += "/" + url.PathEscape(name)
	}
	return p
}

func (k *kubeClient) do(ctx context.Context, method, path string, body any) (configMap, error) {
	var out configMap
	var reader io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return out, err
		}
		reader = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, k.cfg.Server+path, reader)
	if err != nil {
		return out, err
	}
	token, err := os.ReadFile(k.cfg.TokenFile)
	if err != nil {
		return out, fmt.Errorf("reading the ServiceAccount token: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(token)))
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := k.http.Do(req)
	if err != nil {
		return out, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return out, fmt.Errorf("%s %s: reading the answer: %w", method, path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return out, &statusError{Code: resp.StatusCode, Message: statusMessage(data)}
	}
	if method == http.MethodDelete {
		return out, nil
	}
	if err := json.Unmarshal(data, &out); err != nil {
		return out, fmt.Errorf("%s %s: decoding the answer: %w", method, path, err)
	}
	return out, nil
}

// statusMessage is the message of a Kubernetes Status answer, or the start of the raw body.
func statusMessage(body []byte) string {
	var st struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &st) == nil && st.Message != "" {
		return st.Message
	}
	s := strings.TrimSpace(string(body))
	if len(s) > 300 {
		s = s[:300]
	}
	return s
}

func (k *kubeClient) get(ctx context.Context, namespace, name string) (configMap, error) {
	return k.do(ctx, http.MethodGet, configMapPath(namespace, name), nil)
}

func (k *kubeClient) create(ctx context.Context, namespace, name string, data map[string]string) (configMap, error) {
	cm := configMap{
		APIVersion: "v1",
		Kind:       "ConfigMap",
		Metadata: map[string]any{
			"name":      name,
			"namespace": namespace,
			"labels":    map[string]string{"app.kubernetes.io/managed-by": "terraform-provider-k8sconfigmap"},
		},
		Data: data,
	}
	return k.do(ctx, http.MethodPost, configMapPath(namespace, ""), cm)
}

// replaceData writes data over the current object with its resourceVersion, so a concurrent edit
// answers 409 instead of being overwritten silently.
func (k *kubeClient) replaceData(ctx context.Context, current configMap, data map[string]string) (configMap, error) {
	current.Data = data
	return k.do(ctx, http.MethodPut, configMapPath(current.meta("namespace"), current.meta("name")), current)
}

func (k *kubeClient) delete(ctx context.Context, namespace, name string) error {
	_, err := k.do(ctx, http.MethodDelete, configMapPath(namespace, name), nil)
	return err
}
