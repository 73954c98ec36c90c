import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CoreFields } from './core-fields.ts';
import type { CrdFields, FieldType } from './crd-fields.ts';
import type { Finding } from './finding.ts';
import { isObj, schemaErrors } from '@kubevirt-ci/kube/read';
import { pointerToPath } from './kubeconform.ts';
import { refOf, type ParsedObject } from './parse.ts';
import { crdSchemasIn, unprunedFields, type CrdSchema } from './crd-schemas.ts';

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: unknown) => Validatable;

/** Custom resources we use, and the @kubernetes-models package that types each API group. */
const customGroups: Readonly<Record<string, string>> = {
  'argoproj.io': '@kubernetes-models/argo-cd',
  'cert-manager.io': '@kubernetes-models/cert-manager',
  'acme.cert-manager.io': '@kubernetes-models/cert-manager',
  'monitoring.coreos.com': '@kubernetes-models/prometheus-operator',
};

const groupPattern = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/;
const versionPattern = /^v\d+((alpha|beta)\d+)?$/;
const kindPattern = /^[A-Z][A-Za-z0-9]*$/;

function split(apiVersion: string): [string, string] {
  const slash = apiVersion.lastIndexOf('/');
  return slash < 0 ? ['', apiVersion] : [apiVersion.slice(0, slash), apiVersion.slice(slash + 1)];
}

const packageRoots = new Map<string, string | undefined>();

/**
 * A models package's folder, looked up from this file's folder upwards as Node looks up a bare
 * specifier. Resolved here rather than by import() of the bare name, because the bundled CLI
 * (tools/bin/cli.mjs) keeps this file's URL but not its place among the node_modules folders.
 */
function packageRoot(pkg: string): string | undefined {
  if (!packageRoots.has(pkg)) {
    let dir = dirname(fileURLToPath(import.meta.url));
    let found: string | undefined;
    for (;;) {
      const candidate = join(dir, 'node_modules', pkg);
      if (existsSync(join(candidate, 'package.json'))) {
        found = candidate;
        break;
      }
      const up = dirname(dir);
      if (up === dir) break;
      dir = up;
    }
    packageRoots.set(pkg, found);
  }
  return packageRoots.get(pkg);
}

const modelCache = new Map<string, Promise<ModelClass | undefined>>();

/**
 * The kubernetes-models class for an apiVersion and kind, offline. apiVersion and kind come
 * from the file under validation and become a module path, so they must look like what they
 * claim to be before anything is imported.
 */
export function modelFor(apiVersion: string, kind: string): Promise<ModelClass | undefined> {
  const key = `${apiVersion}/${kind}`;
  let cached = modelCache.get(key);
  if (!cached) {
    const [group, version] = split(apiVersion);
    const valid = (group === '' || groupPattern.test(group)) && versionPattern.test(version) && kindPattern.test(kind);
    const pkg = customGroups[group];
    // Each models package exports ./<group>/<version>/* as that folder's <Kind>.js (core kinds without a group).
    const root = valid ? packageRoot(pkg ?? 'kubernetes-models') : undefined;
    const file = root === undefined ? undefined : join(root, ...(group === '' ? [] : [group]), version, `${kind}.js`);
    cached = file !== undefined && existsSync(file)
      ? import(pathToFileURL(file).href).then(
          (m: Record<string, unknown>) => m[kind] as ModelClass | undefined,
          () => undefined,
        )
      : Promise.resolve(undefined);
    modelCache.set(key, cached);
  }
  return cached;
}

type FieldMap = ReadonlyMap<string, string>;
/** Field lists of every built-in type; regenerate with `pnpm --filter @kubevirt-ci/validate generate`. */
const coreFields = JSON.parse(readFileSync(new URL('./generated/core-fields.json', import.meta.url), 'utf8')) as CoreFields;
const fieldCache = new Map<string, FieldMap | undefined>();

function fieldsOf(type: string): FieldMap | undefined {
  if (!fieldCache.has(type)) {
    const fields = Object.hasOwn(coreFields, type) ? coreFields[type] : undefined;
    fieldCache.set(type, fields ? new Map(Object.entries(fields)) : undefined);
  }
  return fieldCache.get(type);
}

/** client-node's type for a built-in kind: V1Deployment, V2HorizontalPodAutoscaler, CoreV1Event, ... */
export function coreTypeOf(apiVersion: string, kind: string): string | undefined {
  const [group, version] = split(apiVersion);
  if (customGroups[group]) return undefined;
  const v = version.charAt(0).toUpperCase() + version.slice(1);
  const prefix = group === '' ? 'Core' : group.split('.')[0]!.replace(/^./, (c) => c.toUpperCase());
  return [`${v}${kind}`, `${prefix}${v}${kind}`].find((t) => fieldsOf(t)?.has('kind'));
}


/** Every field the type does not have, by path; descends through arrays, maps and nested types. */
export function unknownFields(value: unknown, type: string, path = '', out: string[] = []): string[] {
  const arr = /^Array<(.+)>$/.exec(type);
  if (arr) {
    if (Array.isArray(value)) value.forEach((x, i) => unknownFields(x, arr[1]!, `${path}[${i}]`, out));
    return out;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    if (isObj(value)) for (const [k, x] of Object.entries(value)) unknownFields(x, map[1]!, `${path}.${k}`, out);
    return out;
  }
  const fields = fieldsOf(type);
  if (!fields || !isObj(value)) return out;
  for (const [k, x] of Object.entries(value)) {
    const p = path ? `${path}.${k}` : k;
    const t = fields.get(k);
    if (t === undefined) out.push(p);
    else unknownFields(x, t, p, out);
  }
  return out;
}

/** Field lists of the custom resources we use; regenerate with `pnpm --filter @kubevirt-ci/validate generate`. */
const crdFields = JSON.parse(readFileSync(new URL('./generated/crd-fields.json', import.meta.url), 'utf8')) as CrdFields;

/** Unknown fields of a custom resource, from the generated field lists. */
export function unknownCrdFields(value: unknown, type: FieldType, path = '', out: string[] = []): string[] {
  if (type === 'x') return out;
  if ('a' in type) {
    if (Array.isArray(value)) value.forEach((x, i) => unknownCrdFields(x, type.a, `${path}[${i}]`, out));
    return out;
  }
  if ('m' in type) {
    if (isObj(value)) for (const [k, x] of Object.entries(value)) unknownCrdFields(x, type.m, `${path}.${k}`, out);
    return out;
  }
  const fields = crdFields.types[type.t];
  if (!fields || !isObj(value)) return out;
  for (const [k, x] of Object.entries(value)) {
    const p = path ? `${path}.${k}` : k;
    const t = fields[k];
    if (t === undefined) out.push(p);
    else unknownCrdFields(x, t, p, out);
  }
  return out;
}

/** The generated type of a custom kind, when we have one. */
export function crdTypeOf(apiVersion: string, kind: string): string | undefined {
  return crdFields.kinds[`${apiVersion}/${kind}`];
}

export interface SchemaOptions {
  /** Kinds with no schema on purpose, each with the reason ('Kind' or 'group/Kind'). */
  readonly skipKinds?: Readonly<Record<string, string>>;
}

/**
 * Stage 2, built in and offline: every object against its kind's schema, strictly. Unknown
 * fields are errors too (the models' validators let them pass), checked with the field list
 * @kubernetes/client-node keeps for every built-in type and, for our custom resources, with
 * field lists generated from the @kubernetes-models types. A kind with no schema is an error
 * unless it is listed as skipped.
 */
/** Whether an object's kind is skipped on purpose: by 'Kind' or by 'group/Kind'. */
export function isSkippedKind(value: Readonly<Record<string, unknown>>, skipKinds: SchemaOptions['skipKinds']): boolean {
  const kind = String(value['kind'] ?? '');
  const [group] = split(String(value['apiVersion'] ?? ''));
  return skipKinds?.[kind] !== undefined || skipKinds?.[`${group}/${kind}`] !== undefined;
}

export async function checkSchemas(objects: readonly ParsedObject[], options: SchemaOptions = {}): Promise<Finding[]> {
  const findings: Finding[] = [];
  // Load every kind's model at once: module loading is most of a cold run's cost.
  const kinds = new Map(objects.map((o) => [`${o.value['apiVersion']}/${o.value['kind']}`, o.value]));
  await Promise.all([...kinds.values()].map((v) => modelFor(String(v['apiVersion']), String(v['kind']))));
  const inputCrds = crdSchemasIn(objects);
  // A value parseFiles shared between identical documents is judged once; each gets the findings.
  const judged = new Map<Readonly<Record<string, unknown>>, readonly Finding[]>();
  for (const o of objects) {
    if (isSkippedKind(o.value, options.skipKinds)) continue;
    let own = judged.get(o.value);
    if (own === undefined) {
      own = await judgeSchema(o, inputCrds);
      judged.set(o.value, own);
      findings.push(...own);
    } else {
      for (const f of own) findings.push({ ...f, file: o.file, line: o.line });
    }
  }
  return findings;
}

/** The schema findings of one object, every one at the object's own file and line. */
async function judgeSchema(o: ParsedObject, inputCrds: ReadonlyMap<string, CrdSchema>): Promise<Finding[]> {
  const findings: Finding[] = [];
  const apiVersion = o.value['apiVersion'] as string;
  const kind = o.value['kind'] as string;
  const object = refOf(o.value);
  const base = { severity: 'error' as const, file: o.file, line: o.line, object };
  const model = await modelFor(apiVersion, kind);
  const core = coreTypeOf(apiVersion, kind);
  const fromInput = !model && !core ? inputCrds.get(`${apiVersion}/${kind}`) : undefined;
  if (fromInput) {
    const validate = fromInput.validate();
    validate?.(o.value);
    for (const e of validate?.errors ?? []) {
      findings.push({ ...base, rule: 'schema/invalid', path: pointerToPath(e.instancePath ?? ''), message: e.message ?? 'does not match the schema', fix: `make the field match the ${kind} schema of its CustomResourceDefinition in the input` });
    }
    for (const path of unprunedFields(o.value, fromInput.schema)) {
      findings.push({ ...base, rule: 'schema/unknown-field', path, message: `${kind} has no field "${path.split('.').pop()}" here`, fix: 'remove it or fix its spelling; the API server would prune it without a word' });
    }
    return findings;
  }
  if (!model && !core) {
    findings.push({ ...base, rule: 'schema/unknown-kind', path: 'kind', message: `no schema is known for ${kind} in ${apiVersion}`, fix: 'check apiVersion and kind; a kind we cannot check on purpose goes in the skip list with its reason' });
    return findings;
  }
  if (model) {
    for (const e of schemaErrors(new model(o.value))) {
      findings.push({ ...base, rule: 'schema/invalid', path: pointerToPath(e.instancePath ?? ''), message: e.message ?? 'does not match the schema', fix: `make the field match the ${kind} schema of ${apiVersion}` });
    }
  }
  const crd = core ? undefined : crdTypeOf(apiVersion, kind);
  const unknown = core ? unknownFields(o.value, core) : crd ? unknownCrdFields(o.value, { t: crd }) : [];
  for (const path of unknown) {
    findings.push({ ...base, rule: 'schema/unknown-field', path, message: `${kind} has no field "${path.split('.').pop()}" here`, fix: 'remove it or fix its spelling; the API server would drop it without a word' });
  }
  return findings;
}
