{{/*
The name of the release's cluster-scoped objects (ClusterRoles, bindings, admission policies):
the release name when it already says tofu-operator (the default install: the same names as the
kustomize base), else <release>-tofu-operator. Namespaced objects keep the base's names: one
release per namespace.
*/}}
{{- define "tofu-operator.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" -}}
{{- else if contains "tofu-operator" .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-tofu-operator" .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Labels every object of the release carries (part-of is the kustomize base's own label). */}}
{{- define "tofu-operator.labels" -}}
app.kubernetes.io/part-of: tofu-operator
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* An image reference: [registry/]repository:tag, the tag defaulting to the chart's appVersion. */}}
{{- define "tofu-operator.image" -}}
{{- $root := index . 0 -}}{{- $image := index . 1 -}}
{{- with $root.Values.image.registry }}{{ trimSuffix "/" . }}/{{ end -}}
{{ $image.repository }}:{{ $image.tag | default $root.Chart.AppVersion }}
{{- end -}}

{{/* The dashboard's public origin: dashboard.publicUrl, else the Ingress host (https with TLS). */}}
{{- define "tofu-operator.dashboardPublicUrl" -}}
{{- if .Values.dashboard.publicUrl -}}
{{- .Values.dashboard.publicUrl -}}
{{- else if and .Values.ingress.enabled .Values.ingress.host -}}
{{- printf "%s://%s" (ternary "https" "http" (not (empty .Values.ingress.tls.secretName))) .Values.ingress.host -}}
{{- end -}}
{{- end -}}
