import { here, recordSource } from '../source.ts';

/**
 * A cluster jobs reach through KubeVirtCI's external provider: the job is scheduled on a
 * Prow build cluster and connects out with a kubeconfig that is not in Prow's kubeconfig.
 */
export interface KubevirtciCluster {
  readonly title: string;
  readonly description: string;
  /** The Secret in the jobs namespace holding its kubeconfig, provided outside git. */
  readonly kubeconfigSecret: { readonly name: string; readonly key: string };
  /** The cluster holds one KubeVirtCI environment, so one job at a time. */
  readonly maxConcurrency: 1;
}

export const kubevirtciClusters = recordSource(
  {
    arm: {
      title: 'ARM cluster',
      description: 'runs ARM test jobs',
      kubeconfigSecret: { name: 'kubevirtci-arm-kubeconfig', key: 'kubeconfig' },
      maxConcurrency: 1,
    },
    performance: {
      title: 'Performance cluster',
      description: 'runs performance-related jobs',
      kubeconfigSecret: { name: 'kubevirtci-performance-kubeconfig', key: 'kubeconfig' },
      maxConcurrency: 1,
    },
  } satisfies Record<string, KubevirtciCluster>,
  here(import.meta.url),
);

/** The job preset that hands a job the kubeconfig of an external KubeVirtCI cluster. */
export function kubevirtciPreset(name: string): string {
  return `preset-kubevirtci-${name}-kubeconfig`;
}

/**
 * The Prow job queue of an external KubeVirtCI cluster: every job using the cluster joins it,
 * and the queue runs one job at a time, whichever job it is.
 */
export function kubevirtciQueue(name: string): string {
  return `kubevirtci-${name}`;
}
