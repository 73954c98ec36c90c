import type { PolicyFile } from './config/policy.ts';

/**
 * How Prow's programs read their YAML (sigs.k8s.io/yaml over go-yaml v2): YAML 1.1, so merge
 * keys (`<<: *anchor`) work and `yes` is a boolean, as in Prow.
 */
export const prowYaml = { version: '1.1', merge: true, maxAliasCount: 100_000 } as const;

/**
 * The options for one of Prow's files: label_sync reads every label field into a Go string
 * (sigs.k8s.io/yaml keeps the literal), so labels.yaml is read as strings only, and a colour
 * such as 80e591 stays text, not the float YAML would make of it.
 */
export function yamlOptionsFor(file: PolicyFile | 'job') {
  return file === 'labels.yaml' ? ({ schema: 'failsafe', maxAliasCount: prowYaml.maxAliasCount } as const) : prowYaml;
}
