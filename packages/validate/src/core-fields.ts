/**
 * Field lists of the built-in kinds, from the attribute maps @kubernetes/client-node keeps for
 * every type of the Kubernetes API. Its models module loads some 750 files, so the validator
 * reads them from the committed src/generated/core-fields.json instead; only the generator
 * and its staleness test import this module.
 */
import * as models from '@kubernetes/client-node/dist/gen/models/all.js';

/** client-node type name -> field (JSON name) -> its client-node type. */
export type CoreFields = Record<string, Record<string, string>>;

export function generateCoreFields(): CoreFields {
  const registry = models as unknown as Record<string, { getAttributeTypeMap?: () => { baseName: string; type: string }[] } | undefined>;
  const out: CoreFields = {};
  for (const name of Object.keys(registry).sort()) {
    const map = registry[name]?.getAttributeTypeMap?.();
    if (map) out[name] = Object.fromEntries(map.map((a) => [a.baseName, a.type]));
  }
  return out;
}
