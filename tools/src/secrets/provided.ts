import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ProvidedObject } from '@kubevirt-ci/topology';
import { parse } from 'yaml';

/** An object the rendered manifests need and git never holds, as it is on a cluster. */
export interface LiveObject {
  /** Key to value (Secret data decoded); values never leave this module's callers' memory. */
  readonly data: Readonly<Record<string, string>>;
}

/** Reads one provided object from a cluster; undefined when it does not exist. */
export type ReadObject = (kind: ProvidedObject['kind'], namespace: string, name: string) => Promise<LiveObject | undefined>;

export type Status =
  | { readonly state: 'ok' }
  | { readonly state: 'missing' }
  | { readonly state: 'keys'; readonly missing: readonly string[] }
  | { readonly state: 'contexts'; readonly missing: readonly string[] };

export interface CheckRow {
  readonly object: ProvidedObject;
  readonly status: Status;
}

export const ref = (o: Pick<ProvidedObject, 'kind' | 'namespace' | 'name'>) => `${o.kind} ${o.namespace}/${o.name}`;

/** The contexts a kubeconfig file names; empty when it is not one. */
function contextsIn(text: string): string[] {
  try {
    const doc = parse(text) as { contexts?: { name?: unknown }[] } | null;
    return (doc?.contexts ?? []).map((c) => String(c.name));
  } catch {
    return [];
  }
}

/**
 * Compares what the manifests need with what a cluster has: each object present, with every
 * key, and a kubeconfig with every context. It reads values only to count kubeconfig contexts
 * and never returns them.
 */
export async function checkProvided(required: readonly ProvidedObject[], read: ReadObject): Promise<CheckRow[]> {
  const rows: CheckRow[] = [];
  for (const object of required) {
    const live = await read(object.kind, object.namespace, object.name);
    if (!live) {
      rows.push({ object, status: { state: 'missing' } });
      continue;
    }
    const missingKeys = object.keys.filter((k) => !(k in live.data));
    if (missingKeys.length > 0) {
      rows.push({ object, status: { state: 'keys', missing: missingKeys } });
      continue;
    }
    if (object.contexts?.length) {
      const have = new Set(object.keys.flatMap((k) => contextsIn(live.data[k] ?? '')));
      const missing = object.contexts.filter((c) => !have.has(c));
      if (missing.length > 0) {
        rows.push({ object, status: { state: 'contexts', missing } });
        continue;
      }
    }
    rows.push({ object, status: { state: 'ok' } });
  }
  return rows;
}

/** One line per object, values never included. */
export function formatCheck(rows: readonly CheckRow[]): string[] {
  return rows.map(({ object, status }) => {
    switch (status.state) {
      case 'ok':
        return `ok        ${ref(object)} (${object.keys.join(', ')})`;
      case 'missing':
        return `missing   ${ref(object)}: create it with ${object.keys.join(', ')}; ${object.description}`;
      case 'keys':
        return `keys      ${ref(object)}: lacks ${status.missing.join(', ')}`;
      case 'contexts':
        return `contexts  ${ref(object)}: its kubeconfig lacks context ${status.missing.join(', ')}`;
    }
  });
}

/** An object to create from the bundle: the declaration and the values read for it. */
export interface BundledObject {
  readonly object: ProvidedObject;
  readonly data: Readonly<Record<string, string>>;
}

/**
 * Reads the decrypted secrets bundle: `<dir>/<namespace>/<name>/<key>`, one file per key. Every
 * object in it must be one the cluster's apps declare, with exactly the declared keys; a
 * bundle that says anything else is refused whole, so nothing half-right is applied. Objects
 * the cluster declares and the bundle lacks are left alone (and listed by `check`).
 */
export function readBundle(dir: string, required: readonly ProvidedObject[]): BundledObject[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`--from ${dir}: no such directory; point it at the decrypted bundle, laid out as <namespace>/<name>/<key>`);
  const declared = new Map(required.map((o) => [`${o.namespace}/${o.name}`, o]));
  const problems: string[] = [];
  const found: BundledObject[] = [];
  for (const ns of readdirSync(dir).sort()) {
    if (ns.startsWith('.')) continue;
    if (!statSync(join(dir, ns)).isDirectory()) {
      problems.push(`${ns}: a file where a namespace directory belongs`);
      continue;
    }
    for (const name of readdirSync(join(dir, ns)).sort()) {
      const path = join(dir, ns, name);
      const object = declared.get(`${ns}/${name}`);
      if (!object) {
        problems.push(`${ns}/${name}: no app on this cluster declares it as provided; remove it from the bundle, or declare it in the app that uses it`);
        continue;
      }
      if (!statSync(path).isDirectory()) {
        problems.push(`${ns}/${name}: must be a directory with one file per key (${object.keys.join(', ')})`);
        continue;
      }
      const keys = readdirSync(path).filter((k) => !k.startsWith('.')).sort();
      const unknown = keys.filter((k) => !object.keys.includes(k));
      const missing = object.keys.filter((k) => !keys.includes(k));
      if (unknown.length > 0) problems.push(`${ns}/${name}: keys ${unknown.join(', ')} are not declared (it holds ${object.keys.join(', ')})`);
      if (missing.length > 0) problems.push(`${ns}/${name}: lacks keys ${missing.join(', ')}`);
      if (unknown.length === 0 && missing.length === 0) found.push({ object, data: Object.fromEntries(keys.map((k) => [k, readFileSync(join(path, k), 'utf8')])) });
    }
  }
  if (problems.length > 0) throw new Error(`the bundle in ${dir} does not match what the cluster declares; nothing was applied:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return found;
}

/** The object server-side apply sends for a bundled entry (Secret data base64-encoded). */
export function manifestOf(b: BundledObject): Record<string, unknown> {
  const metadata = { name: b.object.name, namespace: b.object.namespace, labels: { 'app.kubernetes.io/managed-by': 'kubevirt-ci-secrets' } };
  if (b.object.kind === 'ConfigMap') return { apiVersion: 'v1', kind: 'ConfigMap', metadata, data: { ...b.data } };
  return { apiVersion: 'v1', kind: 'Secret', metadata, type: 'Opaque', data: Object.fromEntries(Object.entries(b.data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])) };
}
