import { exposedServices, publicDomain } from './facts/exposed.ts';
import { external } from './facts/external.ts';
import { gitops } from './facts/gitops.ts';
import { kubevirtciClusters } from './facts/kubevirtci.ts';
import { namespaces } from './facts/namespaces.ts';
import { versions } from './facts/versions.ts';
import type { z } from 'zod';
import type { AppDefinition, Cluster, JobPreset, MetricsEndpoint, ResolvedTopology, RoleSpec, Topology } from './model.ts';

/** The repository's facts, each declared once in facts/. */
export const facts = {
  gitops,
  versions,
  namespaces,
  exposedServices,
  publicDomain,
  external,
  kubevirtci: kubevirtciClusters,
} satisfies Omit<Topology, 'apps' | 'roles'>;

/** The facts plus the apps and roles; pass overrides to build a variant (tests, kind, benchmarks). */
export function defineTopology(parts: Pick<Topology, 'apps' | 'roles'> & Partial<Topology>): Topology {
  return { ...facts, ...parts };
}

/**
 * An app's parsed values on a cluster, typed by the app's own values schema; undefined when
 * the app is not enabled there. Apps that others read export an accessor built on this, so a
 * renamed field fails to compile where it is read.
 */
export function valuesOn<S extends z.ZodType>(cluster: { apps: readonly { app: AppDefinition; values: unknown }[] }, app: AppDefinition<S>): z.output<S> | undefined {
  return cluster.apps.find((e) => e.app.name === app.name)?.values as z.output<S> | undefined;
}

/** Whether an app is enabled on a cluster. */
export function enabledOn(cluster: { apps: readonly { app: AppDefinition }[] }, app: Pick<AppDefinition, 'name'>): boolean {
  return cluster.apps.some((e) => e.app.name === app.name);
}

export type { RoleSpec };

/** The capability of the app that turns a cluster into a Prow build cluster (see apps/build-cluster). */
export const prowBuildCluster = 'prow-build-cluster';

/** The clusters Prow schedules test pods on: those enabling the build-cluster capability. */
export function prowBuildClusters(t: { readonly clusters: readonly Cluster[] }): Cluster[] {
  return t.clusters.filter((c) => c.apps.some((e) => e.app.provides.includes(prowBuildCluster)));
}

/** The job presets a cluster's apps offer its jobs, in app order. */
export function jobPresetsOn(cluster: Pick<Cluster, 'apps'>): JobPreset[] {
  return cluster.apps.flatMap((e) => e.declared.jobPresets);
}

/** The metrics endpoints a cluster's apps declare, with the app declaring each. */
export function metricsEndpointsOn(cluster: Pick<Cluster, 'apps'>): (MetricsEndpoint & { readonly app: string })[] {
  return cluster.apps.flatMap((e) => e.declared.metrics.map((m) => ({ ...m, app: e.app.name })));
}
