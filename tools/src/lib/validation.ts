import type { Rendered } from '@kubevirt-ci/synth';
import type { ArgoOptions, Provided } from '@kubevirt-ci/validate';

/**
 * What the validator needs to know of a rendered topology beyond its files: the git source
 * and destinations its Argo CD graph may use, and the objects created outside git.
 */
export function renderedContext(rendered: Rendered): { argocd: ArgoOptions; provided: Provided[] } {
  const t = rendered.topology;
  return {
    argocd: { repoURL: t.gitops.repoURL, basePath: t.gitops.basePath, destinations: [t.gitops.inClusterName, ...t.clusters.filter((c) => !c.hub).map((c) => c.name)] },
    provided: rendered.clusters.flatMap((rc) => rc.provided.map((p) => ({ ...p, cluster: rc.cluster.name }))),
  };
}
