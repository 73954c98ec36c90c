/**
 * Custom resources judged by the CRDs in the same input: each served version's
 * openAPIV3Schema, as the API server judges an object of it (types, enums, required
 * fields), and a field the schema does not name is unknown, as the API server's pruning
 * would drop it, unless the schema preserves unknown fields there.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { get, isObj, str, type Obj } from '@kubevirt-ci/kube/read';
import type { ParsedObject } from './parse.ts';

export interface CrdSchema {
  /** The compiled schema, or undefined when ajv cannot compile it (then the API server judges the CRD). */
  readonly validate: () => ValidateFunction | undefined;
  readonly schema: Obj;
}

/**
 * The schema of every served version of every CRD in the input, by apiVersion/kind. Each is
 * compiled when a custom resource of it is first judged: an input with Prow's CRD and no
 * ProwJob (project-infra's control plane) spent 0.4 s compiling a schema nothing used.
 */
export function crdSchemasIn(objects: readonly ParsedObject[]): Map<string, CrdSchema> {
  let ajv: Ajv | undefined;
  const out = new Map<string, CrdSchema>();
  for (const o of objects) {
    if (o.value['kind'] !== 'CustomResourceDefinition' || !String(o.value['apiVersion']).startsWith('apiextensions.k8s.io/')) continue;
    const group = str(get(o.value, 'spec', 'group'));
    const kind = str(get(o.value, 'spec', 'names', 'kind'));
    const versions = get(o.value, 'spec', 'versions');
    if (!group || !kind || !Array.isArray(versions)) continue;
    for (const v of versions.filter(isObj)) {
      const schema = get(v, 'schema', 'openAPIV3Schema');
      if (!isObj(schema) || v['served'] === false) continue;
      let compiled: ValidateFunction | null | undefined;
      const validate = () => {
        if (compiled === undefined) {
          ajv ??= new Ajv({ strict: false, allErrors: true, validateFormats: false });
          try {
            compiled = ajv.compile(schema);
          } catch {
            // A schema ajv cannot compile is the CRD's own problem; the API server judges it.
            compiled = null;
          }
        }
        return compiled ?? undefined;
      };
      out.set(`${group}/${str(v['name'])}/${kind}`, { validate, schema });
    }
  }
  return out;
}

/** Fields the schema does not name, by path: what the API server's pruning would drop. */
export function unprunedFields(value: unknown, schema: Obj, path = '', out: string[] = []): string[] {
  if (schema['x-kubernetes-preserve-unknown-fields'] === true) return out;
  if (Array.isArray(value)) {
    const items = schema['items'];
    if (isObj(items)) value.forEach((x, i) => unprunedFields(x, items, `${path}[${i}]`, out));
    return out;
  }
  if (!isObj(value)) return out;
  const properties = isObj(schema['properties']) ? schema['properties'] : undefined;
  const additional = schema['additionalProperties'];
  for (const [k, x] of Object.entries(value)) {
    const p = path ? `${path}.${k}` : k;
    // apiVersion, kind and metadata are the API server's, whatever the schema says.
    if (!path && (k === 'apiVersion' || k === 'kind' || k === 'metadata')) continue;
    const own = properties?.[k];
    if (isObj(own)) unprunedFields(x, own, p, out);
    else if (isObj(additional)) unprunedFields(x, additional, p, out);
    else if (additional !== true) out.push(p);
  }
  return out;
}
