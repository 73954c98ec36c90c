import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type { Rendered } from '@kubevirt-ci/synth';
import { apiErrorDetail } from '../lib/kubeconfig.ts';
import type { ApplicationObject } from './tree.ts';
import { conventions } from '@kubevirt-ci/topology';

/** Every Application the repository renders, per cluster, with its sync wave. */
export function expectedApplications(rendered: Rendered): { cluster: string; applications: { name: string; wave: number }[] }[] {
  return rendered.clusters.map((rc) => ({
    cluster: rc.cluster.name,
    applications: rc.argo
      .filter((m) => m.kind === 'Application')
      .map((m) => ({ name: m.metadata.name, wave: Number((m.metadata as { annotations?: Record<string, string> }).annotations?.[conventions.annotations.syncWave] ?? 0) })),
  }));
}

/** The Applications in Argo CD's namespace on the hub. */
export async function liveApplications(kc: KubeConfig, namespace: string): Promise<ApplicationObject[]> {
  const api = kc.makeApiClient(CustomObjectsApi);
  try {
    const list = (await api.listNamespacedCustomObject({ group: 'argoproj.io', version: 'v1alpha1', namespace, plural: 'applications' })) as { items?: ApplicationObject[] };
    return list.items ?? [];
  } catch (err) {
    throw new Error(`listing Applications in ${namespace}: ${apiErrorDetail(err)}; is Argo CD installed on the hub, and is --context the hub's?`);
  }
}
