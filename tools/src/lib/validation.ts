import { join, relative, resolve, sep } from 'node:path';
import type { Rendered } from '@kubevirt-ci/synth';
import type { Placeholder } from '@kubevirt-ci/testcluster';
import { repoRoot } from '@kubevirt-ci/topology/light';
import type { ArgoOptions, ParsedObject, Provided } from '@kubevirt-ci/validate';

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

/**
 * Which cluster an object is applied to, so each gets an API server of its own as on the real
 * clusters: a rendered cluster's objects (clusters/<role>/manifests/<cluster>/) to it, except
 * its Argo CD Applications and AppProjects, which live on the hub's Argo CD. Any other files
 * share one.
 */
export function clusterOf(hub: string | undefined) {
  return (o: ParsedObject): string => {
    if (hub && String(o.value['apiVersion']).startsWith('argoproj.io/')) return hub;
    const parts = relative(join(repoRoot, 'clusters'), resolve(o.file)).split(sep);
    return parts[0] !== '..' && parts[1] === 'manifests' && parts.length > 3 ? parts[2]! : 'validate';
  };
}

/** What each cluster is given outside git, for the operator to find (values are placeholders). */
export function placeholdersOf(provided: readonly Provided[]) {
  return (cluster: string): Placeholder[] =>
    provided.flatMap((p) => ((p.kind === 'Secret' || p.kind === 'ConfigMap') && p.namespace && (!p.cluster || p.cluster === cluster) ? [{ kind: p.kind, namespace: p.namespace, name: p.name, keys: p.keys ?? [] }] : []));
}
