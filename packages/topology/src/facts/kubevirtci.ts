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
