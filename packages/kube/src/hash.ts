import { createHash } from 'node:crypto';
import { conventions } from '@kubevirt-ci/topology';

/**
 * A digest of the ConfigMaps a pod mounts, for its pod template: changing their data changes
 * the template, so the pods roll instead of running on stale config (Prow's deck once did).
 */
export function configHash(mounted: readonly string[], data: ReadonlyMap<string, Readonly<Record<string, string>>>): string | undefined {
  if (mounted.length === 0) return undefined;
  const hash = createHash('sha256');
  for (const name of [...mounted].sort()) {
    const d = data.get(name);
    if (!d) throw new Error(`a pod mounts ConfigMap "${name}", which the app does not render`);
    hash.update(name).update('\0');
    for (const key of Object.keys(d).sort()) hash.update(key).update('\0').update(d[key]!).update('\0');
  }
  return hash.digest('hex');
}

export const configHashAnnotation = conventions.annotations.configHash;
