import { stringify } from 'yaml';
import type { Manifest } from './manifest.ts';

/**
 * One file per object, named '<kind>-<name>.yaml'; where two objects in a directory would
 * share a name, each gets its namespace appended. Sorted, so the output never depends on
 * the order objects were created in.
 */
export function objectFiles(dir: string, objects: readonly Manifest[], header: string): Map<string, string> {
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
    if (files.has(path)) throw new Error(`two objects would both be written to ${path}; give them distinct names`);
    files.set(path, `${header}${stringify(m, { lineWidth: 0 })}`);
  }
  return files;
}

export function headerFor(source: string): string {
  return `# Rendered by 'pnpm synth' from ${source}; edit that, not this file.\n`;
}
