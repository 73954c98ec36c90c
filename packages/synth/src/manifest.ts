import { groupOf } from '@kubevirt-ci/kube';
import type { GroupKind } from '@kubevirt-ci/topology';

/** A rendered Kubernetes object as plain JSON. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

export function groupKindOf(m: Pick<Manifest, 'apiVersion' | 'kind'>): GroupKind {
  return { group: groupOf(m.apiVersion), kind: m.kind };
}

/** kind/namespace/name, how a person names an object. */
export function describe(m: Manifest): string {
  return m.metadata.namespace ? `${m.kind} ${m.metadata.namespace}/${m.metadata.name}` : `${m.kind} ${m.metadata.name}`;
}
