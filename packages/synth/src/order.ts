import type { Cluster, Problems } from '@kubevirt-ci/topology';
import type { Part, PlannedPart } from './plan.ts';

/**
 * Each part's sync wave: one past the latest wave of what it comes after. Two parts of one
 * name are a problem, and only the first is kept; a cycle in `after` is a problem, and the
 * part that closes it stays at wave 0.
 */
export function orderParts(cluster: Cluster, parts: readonly PlannedPart[], problems: Problems): Part[] {
  const byName = new Map<string, PlannedPart>();
  for (const p of parts) {
    if (byName.has(p.name)) problems.add({ file: p.sourceFile, object: `cluster "${cluster.name}"`, field: 'name', message: `two Applications of the cluster are both named "${p.name}"`, fix: 'rename the release or the app' });
    else byName.set(p.name, p);
  }
  const waves = new Map<string, number>();
  const visit = (p: PlannedPart, path: readonly string[]): number => {
    const known = waves.get(p.name);
    if (known !== undefined) return known;
    if (path.includes(p.name)) {
      problems.add({ file: p.sourceFile, object: `cluster "${cluster.name}"`, field: 'sync order', message: `the sync order has a cycle: ${[...path.slice(path.indexOf(p.name)), p.name].join(' waits for ')}`, fix: 'break the cycle: a part cannot come after itself (give a release and the app that installs it different names)' });
      return 0;
    }
    let wave = 0;
    for (const dep of p.after) {
      const d = byName.get(dep);
      if (d) wave = Math.max(wave, visit(d, [...path, p.name]) + 1);
    }
    waves.set(p.name, wave);
    return wave;
  };
  return [...byName.values()].map((p) => ({ ...p, wave: visit(p, []) }));
}
