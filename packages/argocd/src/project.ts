import { AppProject } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1';
import { byText, emitModel, formatGroupKind } from '@kubevirt-ci/kube';
import type { GitOps, GroupKind } from '@kubevirt-ci/topology';
import type { Construct } from 'constructs';
import { syncWaveAnnotation } from './sync.ts';

export interface ProjectProps {
  readonly name: string;
  readonly description: string;
  readonly sourceRepos: readonly string[];
  readonly destinations: readonly { readonly name: string; readonly namespace: string }[];
  readonly clusterKinds: readonly GroupKind[];
  readonly namespacedKinds: readonly GroupKind[];
}


function sortedKinds(kinds: readonly GroupKind[]) {
  const unique = new Map(kinds.map((k) => [formatGroupKind(k), { group: k.group, kind: k.kind }]));
  return [...unique.entries()].sort(([a], [b]) => byText(a, b)).map(([, k]) => k);
}

/**
 * An AppProject that allows exactly what its Applications deploy: the listed repositories,
 * the listed namespaces of one cluster, and the listed kinds. No wildcards anywhere.
 */
export function project(scope: Construct, gitops: GitOps, props: ProjectProps) {
  for (const value of [...props.sourceRepos, ...props.destinations.flatMap((d) => [d.name, d.namespace])]) {
    if (value.includes('*')) throw new Error(`AppProject ${props.name}: "${value}" is a wildcard; list exact values`);
  }
  const destinations = [...new Map(props.destinations.map((d) => [`${d.name}/${d.namespace}`, d])).values()].sort((a, b) =>
    byText(`${a.name}/${a.namespace}`, `${b.name}/${b.namespace}`),
  );
  return emitModel(
    scope,
    new AppProject({
      metadata: {
        name: props.name,
        namespace: gitops.argocdNamespace,
        // Projects exist before the Applications that name them.
        annotations: { [syncWaveAnnotation]: '-1' },
      },
      spec: {
        description: props.description,
        sourceRepos: [...new Set(props.sourceRepos)].sort(byText),
        destinations: destinations.map((d) => ({ name: d.name, namespace: d.namespace })),
        clusterResourceWhitelist: sortedKinds(props.clusterKinds),
        namespaceResourceWhitelist: sortedKinds(props.namespacedKinds),
      },
    }),
  );
}
