/**
 * kubeconform's schemas, made offline from the pinned sources: every kind of the pinned
 * Kubernetes API (its OpenAPI v3 documents) and every CRD of the releases we install, one
 * JSON schema per kind and version, in the layout and file names kubeconform looks up
 * (pkg/registry/registry.go at its pinned version: <kind><suffix>.json under
 * <version>-standalone-strict/). Strict: an object that names its properties allows no others,
 * as the API server's strict field validation does.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { cacheRoot, moduleDir, type Progress } from './go.ts';
import type { ModuleSource } from './sources.ts';

type Schema = { [key: string]: unknown };
const isObj = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The file kubeconform looks for: kind in lower case, the group's first label, the version. */
export function schemaFileName(group: string, version: string, kind: string): string {
  const apiVersion = group ? `${group}/${version}` : version;
  const [first, second] = apiVersion.split('/') as [string, string | undefined];
  const suffix = `-${first.split('.')[0]!.toLowerCase()}${second !== undefined ? `-${second.toLowerCase()}` : ''}`;
  return `${kind.toLowerCase()}${suffix}.json`;
}

/** Makes every object that lists its properties refuse any other, unless it keeps unknown fields. */
export function strictify(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(strictify);
  if (!isObj(s)) return s;
  const out: Schema = {};
  for (const [k, v] of Object.entries(s)) {
    out[k] = k === 'properties' || k === 'patternProperties' || k === 'definitions' ? Object.fromEntries(Object.entries(v as Schema).map(([p, ps]) => [p, strictify(ps)])) : k === 'enum' || k === 'default' || k === 'example' ? v : strictify(v);
  }
  if (isObj(s['properties']) && s['additionalProperties'] === undefined && s['x-kubernetes-preserve-unknown-fields'] !== true) out['additionalProperties'] = false;
  // OpenAPI's nullable is JSON Schema's null type.
  if (s['nullable'] === true && typeof s['type'] === 'string') out['type'] = [s['type'], 'null'];
  return out;
}

const componentRef = '#/components/schemas/';

/** One kind's schema with every schema it refers to under `definitions`, refs rewritten to match. */
function standalone(root: Schema, all: Readonly<Record<string, unknown>>): Schema {
  const definitions: Schema = {};
  const rewrite = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(rewrite);
    if (!isObj(v)) return v;
    const out: Schema = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === '$ref' && typeof x === 'string' && x.startsWith(componentRef)) {
        const name = x.slice(componentRef.length);
        out[k] = `#/definitions/${name}`;
        if (!(name in definitions)) {
          definitions[name] = {};
          definitions[name] = rewrite(all[name] ?? {});
        }
      } else if (k === 'properties' || k === 'patternProperties') {
        // A map of property names, any of which may be called default or enum.
        out[k] = Object.fromEntries(Object.entries(x as Schema).map(([p, ps]) => [p, rewrite(ps)]));
      } else out[k] = k === 'enum' || k === 'default' || k === 'example' ? x : rewrite(x);
    }
    return out;
  };
  const schema = rewrite(root) as Schema;
  return { ...schema, definitions };
}

/** Every kind of the Kubernetes API, by kubeconform's file name. */
export function kubernetesSchemas(openapiV3Dir: string): Map<string, Schema> {
  const out = new Map<string, Schema>();
  for (const file of readdirSync(openapiV3Dir).filter((f) => f.endsWith('.json')).sort()) {
    const doc = JSON.parse(readFileSync(join(openapiV3Dir, file), 'utf8')) as { components?: { schemas?: Record<string, unknown> } };
    const all = doc.components?.schemas ?? {};
    for (const schema of Object.values(all)) {
      if (!isObj(schema)) continue;
      const gvks = schema['x-kubernetes-group-version-kind'] as { group: string; version: string; kind: string }[] | undefined;
      // Shared types (DeleteOptions, WatchEvent) name many; a kind's own schema names one.
      if (gvks?.length !== 1) continue;
      const { group, version, kind } = gvks[0]!;
      out.set(schemaFileName(group, version, kind), strictify(standalone(schema, all)) as Schema);
    }
  }
  return out;
}

/** Every version of every CRD in the YAML files of a directory, by kubeconform's file name. */
export function crdSchemas(dir: string): Map<string, Schema> {
  const out = new Map<string, Schema>();
  for (const file of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort()) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
      const crd = doc.toJS() as { kind?: string; spec?: { group: string; names: { kind: string }; versions?: { name: string; schema?: { openAPIV3Schema?: Schema } }[] } } | null;
      if (crd?.kind !== 'CustomResourceDefinition' || !crd.spec) continue;
      for (const v of crd.spec.versions ?? []) {
        const schema = v.schema?.openAPIV3Schema;
        if (schema) out.set(schemaFileName(crd.spec.group, v.name, crd.spec.names.kind), strictify(schema) as Schema);
      }
    }
  }
  return out;
}

/** Bump when the generated schemas change for the same sources, so cached sets are made anew. */
const generatorRevision = 2;

export interface SchemaSet {
  /** What kubeconform's -schema-location takes. */
  readonly location: string;
  /** What its -kubernetes-version takes, so that the location resolves to these files. */
  readonly kubernetesVersion: string;
  readonly kinds: number;
}

/**
 * The schema set for these sources, generated once into the cache (keyed by the sources and
 * the generator) and reused; written whole to a staging directory, then renamed into place.
 */
export function schemaSet(api: ModuleSource, crds: readonly ModuleSource[], progress: Progress, env: NodeJS.ProcessEnv = process.env): SchemaSet {
  const kubernetesVersion = api.version.replace(/^v/, '');
  const key = createHash('sha256').update(JSON.stringify({ api, crds, generatorRevision })).digest('hex').slice(0, 16);
  const dir = join(cacheRoot(env), 'kubeconform-schemas', key);
  const files = join(dir, `v${kubernetesVersion}-standalone-strict`);
  const location = `${dir}/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json`;
  if (existsSync(files)) return { location, kubernetesVersion, kinds: readdirSync(files).length };

  progress(`upstream: generating kubeconform's schemas from ${[api, ...crds].map((s) => `${s.module}@${s.version}`).join(', ')} (once; kept in ${dir})`);
  const schemas = kubernetesSchemas(join(moduleDir(api.module, api.version, env), api.path));
  for (const c of crds) for (const [name, s] of crdSchemas(join(moduleDir(c.module, c.version, env), c.path))) schemas.set(name, s);
  const staging = `${dir}.generating-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(join(staging, `v${kubernetesVersion}-standalone-strict`), { recursive: true });
  for (const [name, s] of schemas) writeFileSync(join(staging, `v${kubernetesVersion}-standalone-strict`, name), JSON.stringify(s));
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
  return { location, kubernetesVersion, kinds: schemas.size };
}
