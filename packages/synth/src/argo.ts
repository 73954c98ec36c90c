import { application, project, repoOf } from '@kubevirt-ci/argocd';
import { formatGroupKind } from '@kubevirt-ci/kube';
import { conventions, type Cluster, type GroupKind, type ResolvedTopology } from '@kubevirt-ci/topology';
import { App, Chart } from 'cdk8s';
import { groupKindOf, type Manifest } from './manifest.ts';
import { scopeOf, type Installs, type Part } from './plan.ts';

/** The name of the project every cluster's root Application belongs to. */
export const rootsProject = conventions.rootsProject;

function projectKinds(parts: readonly Part[], installs: Installs) {
  const cluster: GroupKind[] = [];
  const namespaced: GroupKind[] = [];
  for (const p of parts) {
    if (p.release) {
      cluster.push(...p.release.creates.cluster);
      namespaced.push(...p.release.creates.namespaced);
    }
    for (const m of p.objects) {
      const gk = groupKindOf(m);
      (scopeOf(gk, installs)?.scope === 'Cluster' ? cluster : namespaced).push(gk);
    }
  }
  return { cluster, namespaced };
}

/** The cluster's AppProject, its Applications and its root (and on the hub, the roots' project). */
export function argoObjects(t: ResolvedTopology, cluster: Cluster, parts: readonly Part[], namespaces: readonly string[], installs: Installs): Manifest[] {
  const { gitops } = t;
  const cdk = new App();
  const root = new Chart(cdk, `${cluster.name}-root`);

  if (cluster.hub) {
    project(root, gitops, {
      name: rootsProject,
      description: "Each cluster's root Application: it creates that cluster's AppProject and Applications in Argo CD.",
      sourceRepos: [gitops.repoURL],
      destinations: [{ name: gitops.inClusterName, namespace: gitops.argocdNamespace }],
      clusterKinds: [],
      namespacedKinds: [
        { group: 'argoproj.io', kind: 'AppProject' },
        { group: 'argoproj.io', kind: 'Application' },
      ],
    });
  }
  const kinds = projectKinds(parts, installs);
  project(root, gitops, {
    name: cluster.name,
    description: `Everything Argo CD deploys to cluster ${cluster.name} (role ${cluster.role}).`,
    sourceRepos: [gitops.repoURL, ...parts.map((p) => repoOf(gitops, p.source))],
    destinations: namespaces.map((ns) => ({ name: cluster.destination, namespace: ns })),
    clusterKinds: kinds.cluster,
    namespacedKinds: kinds.namespaced,
  });
  const labels = (part: string | undefined) => ({
    [conventions.partOf.key]: conventions.partOf.value,
    [conventions.labels.cluster]: cluster.name,
    [conventions.labels.role]: cluster.role,
    ...(part ? { [conventions.labels.app]: part } : {}),
  });
  for (const p of parts) {
    application(root, gitops, {
      name: `${cluster.name}-${p.name}`,
      project: cluster.name,
      destination: { name: cluster.destination, namespace: p.destinationNamespace },
      source: p.source,
      wave: p.wave,
      serverSideApply: p.serverSideApply,
      labels: labels(p.app ?? p.name),
      description: p.description,
      installs: p.release?.installs.map(formatGroupKind),
      // The namespaces hold everything else; a release may say it must outlive its Application.
      keepOnDelete: p.app === undefined || p.release?.keepOnDelete !== undefined,
    });
  }
  application(root, gitops, {
    name: `${cluster.name}-root`,
    project: rootsProject,
    destination: { name: gitops.inClusterName, namespace: gitops.argocdNamespace },
    source: { type: 'rendered', path: cluster.manifestsDir },
    wave: 0,
    serverSideApply: false,
    labels: labels(undefined),
    description: `app of apps for cluster ${cluster.name}: its AppProject and one Application per app`,
  });
  return root.toJson() as Manifest[];
}

