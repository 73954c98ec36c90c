/** Helpers for tests that render small topologies of their own. */
import { conventions, defineApp, jobsNamespace, prowBuildCluster, TopologyError, type ClusterSpec, type Problem } from '@kubevirt-ci/topology';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import type { Manifest } from './manifest.ts';
import type { Rendered, RenderedCluster } from './render.ts';

/** A cluster entry with nothing but a name; pass what the test is about. */
export function clusterSpec(name: string, extra: Partial<ClusterSpec> = {}): ClusterSpec {
  return { name, description: `test cluster ${name}`, uses: { services: [], buckets: [] }, connectedClusters: [], exposes: [], ...extra };
}

export function clusterOf(rendered: Rendered, name: string): RenderedCluster {
  const c = rendered.clusters.find((rc) => rc.cluster.name === name);
  if (!c) throw new Error(`no rendered cluster "${name}" (have ${rendered.clusters.map((rc) => rc.cluster.name).join(', ')})`);
  return c;
}

/** The objects of one part (Application) of a cluster. */
export function objectsOf(rendered: Rendered, cluster: string, part: string): readonly Manifest[] {
  const p = clusterOf(rendered, cluster).parts.find((x) => x.name === part);
  if (!p) throw new Error(`cluster "${cluster}" has no part "${part}"`);
  return p.objects;
}

/** One Argo CD object (Application or AppProject) of a cluster's root directory, by name. */
export function argoObject(rendered: Rendered, cluster: string, kind: 'Application' | 'AppProject', name: string): Manifest {
  const m = clusterOf(rendered, cluster).argo.find((o) => o.kind === kind && o.metadata.name === name);
  if (!m) throw new Error(`cluster "${cluster}" renders no ${kind} "${name}"`);
  return m;
}

/** The problems a TopologyError carries; fails when fn does not throw one. */
export function problemsFrom(fn: () => unknown): Problem[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof TopologyError) return [...err.problems];
    throw err;
  }
  throw new Error('expected a TopologyError, but nothing was thrown');
}

/** Stands in for Prow's build-cluster app in app tests: it makes the cluster a build cluster and creates the jobs namespace, nothing else. */
export const jobsNamespaceApp = defineApp({
  name: 'jobs-namespace',
  component: 'jobs namespace',
  description: 'creates the namespace jobs run in',
  values: z.object({}),
  provides: [prowBuildCluster],
  namespaces: () => [jobsNamespace],
});

/**
 * The apps whose Applications (their own objects or their releases) are committed in a
 * cluster's manifests directory, read from disk by the label every child Application carries.
 */
export function committedApps(root: string, manifestsDir: string): string[] {
  const apps = new Set<string>();
  for (const file of readdirSync(join(root, manifestsDir))) {
    if (!file.startsWith('application-')) continue;
    const doc = parse(readFileSync(join(root, manifestsDir, file), 'utf8')) as Manifest;
    const app = (doc.metadata as { labels?: Record<string, string> }).labels?.[conventions.labels.app];
    if (app && app !== 'namespaces') apps.add(app);
  }
  return [...apps].sort();
}
