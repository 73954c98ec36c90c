/**
 * render: the topology resolved, then each cluster planned (plan.ts), ordered (order.ts),
 * judged by the validator's single-object rules (checks.ts), given its Argo CD objects
 * (argo.ts) and laid out as files (files.ts).
 */
import { Problems, resolveTopology, sourceOf, type Cluster, type ProvidedObject, type ResolvedTopology, type Topology } from '@kubevirt-ci/topology';
import { argoObjects, rootsProject } from './argo.ts';
import { checkRendered } from './checks.ts';
import { clusterFiles } from './files.ts';
import type { Manifest } from './manifest.ts';
import { orderParts } from './order.ts';
import { planCluster, type Part } from './plan.ts';
import { checkPresets, type OfferedPreset } from './presets.ts';

export { rootsProject } from './argo.ts';
export type { Part } from './plan.ts';

export interface RenderedCluster {
  readonly cluster: Cluster;
  readonly parts: readonly Part[];
  /** The cluster's namespaces, sorted. */
  readonly namespaces: readonly string[];
  /** Objects the cluster's apps need that are created outside git. */
  readonly provided: readonly ProvidedObject[];
  /** The Prow job presets the cluster's apps offer its jobs. */
  readonly presets: readonly OfferedPreset[];
  /** The root directory's objects: AppProjects and Applications. */
  readonly argo: readonly Manifest[];
  /** Repo-relative path -> file content. */
  readonly files: ReadonlyMap<string, string>;
}

export interface Rendered {
  readonly topology: ResolvedTopology;
  readonly clusters: readonly RenderedCluster[];
}

function renderCluster(t: ResolvedTopology, cluster: Cluster, problems: Problems): RenderedCluster {
  const plan = planCluster(t, cluster, problems);
  const parts = orderParts(cluster, plan.parts, problems);
  checkRendered(cluster, parts, problems);
  const provided = cluster.apps.flatMap(({ app, declared: { provided } }) => {
    for (const p of provided) {
      if (!(plan.appNamespaces.get(app.name) ?? []).includes(p.namespace)) {
        problems.add({ file: sourceOf(app), object: `app "${app.name}" on cluster "${cluster.name}"`, field: `provided().${p.kind} ${p.name}.namespace`, message: `"${p.namespace}" is not one of the app's namespaces`, fix: "add it to the app's namespaces()" });
      }
    }
    return provided;
  });
  const presets = cluster.apps.flatMap(({ app, declared }) => declared.jobPresets.map((preset) => ({ app: app.name, file: sourceOf(app), preset })));
  const argo = argoObjects(t, cluster, parts, plan.namespaces, plan.installs);
  return { cluster, parts, namespaces: plan.namespaces, provided, presets, argo, files: clusterFiles(cluster, argo, parts, problems) };
}

/**
 * Validates the topology and renders every cluster in memory. Throws a TopologyError with
 * every problem found; nothing is written here.
 */
export function render(topology: Topology): Rendered {
  const t = resolveTopology(topology);
  const problems = new Problems();
  const names = new Map<string, string>();
  for (const c of t.clusters) {
    if (c.name === rootsProject) {
      problems.add({ file: c.source, object: `cluster "${c.name}"`, field: 'name', message: `"${rootsProject}" is the name of the roots AppProject`, fix: 'choose another cluster name' });
    }
  }
  const clusters = t.clusters.map((c) => renderCluster(t, c, problems));
  checkPresets(clusters, problems);
  for (const rc of clusters) {
    for (const p of [...rc.parts.map((p) => p.name), 'root']) {
      const app = `${rc.cluster.name}-${p}`;
      const other = names.get(app);
      if (other && other !== rc.cluster.name) {
        problems.add({ file: rc.cluster.source, object: `cluster "${rc.cluster.name}"`, field: 'name', message: `its Application "${app}" has the same name as one of cluster "${other}"`, fix: 'rename one of the clusters' });
      }
      names.set(app, rc.cluster.name);
    }
  }
  problems.throwIfAny();
  return { topology: t, clusters };
}
