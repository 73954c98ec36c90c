/**
 * The validator's rules on single objects (policy, and what the API server refuses of an
 * object) run on each cluster's rendered objects before anything is written. They live in
 * the validator only; here an error among them stops synth like any topology problem,
 * blamed on the app whose source rendered the object.
 */
import type { Cluster, Problems } from '@kubevirt-ci/topology';
import { checkObjects, checkPolicy, describeObject, type ParsedObject } from '@kubevirt-ci/validate/rules';
import type { Part } from './plan.ts';

/** Rules plan.ts judges already, knowing the app's namespaces and the other apps. */
const judgedByPlan = new Set(['objects/duplicate', 'objects/namespace']);

export function checkRendered(cluster: Cluster, parts: readonly Part[], problems: Problems): void {
  const owners: Part[] = [];
  // A finding names its object by file and line; the line here is the object's index + 1.
  const objects: ParsedObject[] = parts.flatMap((p) => p.objects.map((m) => (owners.push(p), { file: p.sourceFile, line: owners.length, value: m as unknown as Record<string, unknown> })));
  for (const f of [...checkObjects(objects, { wholeCluster: true }), ...checkPolicy(objects)]) {
    if (f.severity !== 'error' || judgedByPlan.has(f.rule)) continue;
    const part = owners[f.line - 1]!;
    problems.add({ file: f.file, object: `${describeObject(f.object)} of app "${part.app ?? part.name}" on cluster "${cluster.name}"`, field: f.path, message: `${f.message} (${f.rule})`, fix: f.fix });
  }
}
