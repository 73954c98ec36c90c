import { isUtf8 } from 'node:buffer';
import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { conventions, type ProvidedObject } from '@kubevirt-ci/topology';
import { parse } from 'yaml';

/** An object the rendered manifests need and git never holds, as it is on a cluster. */
export interface LiveObject {
  /** Key to value, the bytes as stored (Secret data decoded); values never leave this module's callers' memory. */
  readonly data: Readonly<Record<string, Buffer>>;
}

/** Reads one provided object from a cluster; undefined when it does not exist. */
export type ReadObject = (kind: ProvidedObject['kind'], namespace: string, name: string) => Promise<LiveObject | undefined>;

export type Status =
  | { readonly state: 'ok' }
  | { readonly state: 'missing' }
  | { readonly state: 'keys'; readonly missing: readonly string[] }
  | { readonly state: 'contexts'; readonly missing: readonly string[] }
  | { readonly state: 'differs'; readonly keys: readonly string[] };

export interface CheckRow {
  readonly object: ProvidedObject;
  readonly status: Status;
}

export const ref = (o: Pick<ProvidedObject, 'kind' | 'namespace' | 'name'>) => `${o.kind} ${o.namespace}/${o.name}`;

/** The contexts a kubeconfig file names; empty when it is not one. */
function contextsIn(value: Buffer | undefined): string[] {
  try {
    const doc = parse(value?.toString('utf8') ?? '') as { contexts?: { name?: unknown }[] } | null;
    return (doc?.contexts ?? []).map((c) => String(c.name));
  } catch {
    return [];
  }
}

/**
 * Compares what the manifests need with what a cluster has: each object present, with every
 * key, and a kubeconfig with every context; given the bundle, each value the same bytes as
 * the bundle's. It reads values only to count kubeconfig contexts and compare them, and
 * never returns them.
 */
export async function checkProvided(required: readonly ProvidedObject[], read: ReadObject, bundled: readonly BundledObject[] = []): Promise<CheckRow[]> {
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
      const have = new Set(object.keys.flatMap((k) => contextsIn(live.data[k])));
      const missing = object.contexts.filter((c) => !have.has(c));
      if (missing.length > 0) {
        rows.push({ object, status: { state: 'contexts', missing } });
        continue;
      }
    }
    const want = bundled.find((b) => b.object.kind === object.kind && b.object.namespace === object.namespace && b.object.name === object.name);
    const differing = want ? object.keys.filter((k) => !live.data[k]!.equals(want.data[k]!)) : [];
    if (differing.length > 0) {
      rows.push({ object, status: { state: 'differs', keys: differing } });
      continue;
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
      case 'differs':
        return `differs   ${ref(object)}: ${status.keys.join(', ')} not as in the bundle; secrets apply --from it`;
    }
  });
}

/** An object to create from the bundle: the declaration and the values read for it. */
export interface BundledObject {
  readonly object: ProvidedObject;
  /** Each key's file, byte for byte. */
  readonly data: Readonly<Record<string, Buffer>>;
}

export interface BundleOptions {
  /** An empty file is a value on purpose (otherwise it is refused as a forgotten one). */
  readonly allowEmpty?: boolean;
}

/**
 * Reads the decrypted secrets bundle: `<dir>/<namespace>/<name>/<key>`, one file per key. Every
 * object in it must be one the cluster's apps declare, with exactly the declared keys; a
 * bundle that says anything else is refused whole, so nothing half-right is applied. Objects
 * the cluster declares and the bundle lacks are left alone (and listed by `check`). A symlink
 * may point within the bundle, never out of it; a key is a file, and an empty one is refused
 * unless empty is intended.
 */
export function readBundle(dir: string, required: readonly ProvidedObject[], opts: BundleOptions = {}): BundledObject[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`--from ${dir}: no such directory; point it at the decrypted bundle, laid out as <namespace>/<name>/<key>`);
  const root = realpathSync(dir);
  /** Why a bundle path is unusable because it leads out of the bundle, if it does. */
  const escapes = (path: string, shown: string): string | undefined => {
    if (!lstatSync(path).isSymbolicLink()) return undefined;
    const target = realpathSync(path);
    const rel = relative(root, target);
    const inside = rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
    return inside ? undefined : `${shown}: a symlink to ${target}, outside the bundle; put the file itself in the bundle`;
  };
  const declared = new Map(required.map((o) => [`${o.namespace}/${o.name}`, o]));
  const problems: string[] = [];
  const found: BundledObject[] = [];
  for (const ns of readdirSync(dir).sort()) {
    if (ns.startsWith('.')) continue;
    const outside = escapes(join(dir, ns), ns);
    if (outside) {
      problems.push(outside);
      continue;
    }
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
      const out = escapes(path, `${ns}/${name}`);
      if (out) {
        problems.push(out);
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
      if (unknown.length > 0 || missing.length > 0) continue;
      const data: Record<string, Buffer> = {};
      for (const k of keys) {
        const file = join(path, k);
        const shown = `${ns}/${name}/${k}`;
        const why = escapes(file, shown) ?? (statSync(file).isDirectory() ? `${shown}: a directory where the key's file belongs; a key is one file holding its value` : undefined);
        if (why) {
          problems.push(why);
          continue;
        }
        data[k] = readFileSync(file);
        if (data[k].length === 0 && !opts.allowEmpty) problems.push(`${shown}: empty; put the value in the file, or pass --allow-empty if an empty value is intended`);
      }
      if (Object.keys(data).length === keys.length) found.push({ object, data });
    }
  }
  if (problems.length > 0) throw new Error(`the bundle in ${dir} does not match what the cluster declares; nothing was applied:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return found;
}

/** The object server-side apply sends for a bundled entry (Secret data base64-encoded). */
export function manifestOf(b: BundledObject): Record<string, unknown> {
  const metadata = { name: b.object.name, namespace: b.object.namespace, labels: { [conventions.managedBy.key]: conventions.managedBy.secrets } };
  const entries = Object.entries(b.data);
  if (b.object.kind === 'ConfigMap') {
    // A ConfigMap holds text in data and anything else, base64-encoded, in binaryData.
    const text = entries.filter(([, v]) => isUtf8(v));
    const binary = entries.filter(([, v]) => !isUtf8(v));
    return { apiVersion: 'v1', kind: 'ConfigMap', metadata, data: Object.fromEntries(text.map(([k, v]) => [k, v.toString('utf8')])), ...(binary.length ? { binaryData: Object.fromEntries(binary.map(([k, v]) => [k, v.toString('base64')])) } : {}) };
  }
  return { apiVersion: 'v1', kind: 'Secret', metadata, type: 'Opaque', data: Object.fromEntries(entries.map(([k, v]) => [k, v.toString('base64')])) };
}
