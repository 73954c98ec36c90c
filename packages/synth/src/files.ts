import { goYamlOptions } from '@kubevirt-ci/kube';
import { stringify } from 'yaml';
import type { Cluster, Problems } from '@kubevirt-ci/topology';
import { describe, type Manifest } from './manifest.ts';
import type { Part } from './plan.ts';

/**
 * One file per object, named '<kind>-<name>.yaml'; where two objects in a directory would
 * share a name, each gets its namespace appended. Sorted, so the output never depends on
 * the order objects were created in. An object bound for a file already taken goes to `clash`.
 */
export function objectFiles(dir: string, objects: readonly Manifest[], header: string, clash: (path: string, m: Manifest) => void): Map<string, string> {
  const base = (m: Manifest) => `${m.kind.toLowerCase()}-${m.metadata.name}`;
  const counts = new Map<string, number>();
  for (const m of objects) counts.set(base(m), (counts.get(base(m)) ?? 0) + 1);
  const files = new Map<string, string>();
  const named = objects.map((m) => {
    const stem = counts.get(base(m))! > 1 ? `${base(m)}.${m.metadata.namespace ?? 'cluster'}` : base(m);
    return { path: `${dir}/${stem}.yaml`, m };
  });
  named.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const { path, m } of named) {
    if (files.has(path)) {
      clash(path, m);
      continue;
    }
    files.set(path, `${header}${stringify(m, { ...goYamlOptions, lineWidth: 0 })}`);
  }
  return files;
}

export function headerFor(source: string): string {
  return `# Rendered by 'pnpm synth' from ${source}; edit that, not this file.\n`;
}

/**
 * A cluster's directory: its AppProject and Applications at the top, each part's objects in
 * a folder of the part's name. Two objects bound for one file are a problem.
 */
export function clusterFiles(cluster: Cluster, argo: readonly Manifest[], parts: readonly Part[], problems: Problems): Map<string, string> {
  const clash = (file: string) => (path: string, m: Manifest) =>
    problems.add({ file, object: `${describe(m)} on cluster "${cluster.name}"`, field: 'metadata.name', message: `another object of the same kind and name would also be written to ${path}`, fix: 'give the objects distinct names' });
  const files = objectFiles(cluster.manifestsDir, argo, headerFor(cluster.source), clash(cluster.source));
  for (const p of parts) {
    if (p.objects.length === 0) continue;
    objectFiles(`${cluster.manifestsDir}/${p.name}`, p.objects, headerFor(p.sourceFile), clash(p.sourceFile)).forEach((v, k) => files.set(k, v));
  }
  return files;
}
