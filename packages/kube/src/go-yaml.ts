/**
 * How YAML is written for a Go reader. Kubernetes (sigs.k8s.io/yaml), Argo CD and Prow read
 * YAML 1.1 through go-yaml v2, where a plain `on`, `yes` or `0400` is a bool or a number; a
 * string like that must be quoted, or an annotation `on` fails to decode as a string. The
 * yaml library quotes exactly those strings when told the document is YAML 1.1.
 */
export const goYamlOptions = { version: '1.1' } as const;
