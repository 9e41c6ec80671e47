{{/* The release's base name, at most 63 characters. */}}
{{- define "sealgate.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "sealgate.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "sealgate.labels" -}}
{{ include "sealgate.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "sealgate.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}
{{- end -}}

{{/* Seconds the pod gets to stop: the drain plus 30 s for the final flushes. */}}
{{- define "sealgate.terminationGrace" -}}
{{ add .Values.config.drainTimeoutSeconds 30 }}
{{- end -}}

{{/* Every container: no privileges, nothing writable but the mounted volumes. */}}
{{- define "sealgate.containerSecurity" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
allowPrivilegeEscalation: false
privileged: false
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* TOML lines from a values string, indented into the ConfigMap (blank lines kept empty). */}}
{{- define "sealgate.tomlLines" -}}
{{ regexReplaceAll "(?m)^ +$" (. | trim | nindent 4) "" }}
{{- end -}}
