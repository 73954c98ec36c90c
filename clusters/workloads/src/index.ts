import { app as buildCluster } from '@kubevirt-ci/app-build-cluster';
import { app as dockerProxy } from '@kubevirt-ci/app-docker-proxy';
import { app as greenhouse } from '@kubevirt-ci/app-greenhouse';
import { app as prometheus } from '@kubevirt-ci/app-prometheus';
import { defineRole, enable } from '@kubevirt-ci/topology';

/**
 * Workloads clusters run the e2e jobs. The role can have any number of clusters: adding one
 * (an arm64 or s390x workloads cluster, say) is one more entry in `clusters`.
 */
export const role = defineRole({
  role: 'workloads',
  description: 'A self-managed cluster with bare-metal workers. It runs the e2e jobs.',
  hub: false,
  apps: [
    enable(buildCluster),
    // Both caches keep their data on the cache node's own disk.
    enable(greenhouse, { storage: { type: 'local', size: '1400Gi', path: '/data/greenhouse' } }),
    enable(dockerProxy, {
      storage: { type: 'local', size: '500Gi', path: '/var/data/docker-mirror-proxy' },
      resources: { requests: { cpu: '4', memory: '8Gi' }, limits: { memory: '8Gi' } },
    }),
    // The bare-metal cluster's one persistent disk is the cache node's.
    enable(prometheus, { prometheus: { retentionDays: 7, growthPerDay: '8Gi', storage: { type: 'local', size: '100Gi', path: '/var/data/prometheus' } } }),
  ],
  clusters: [
    {
      name: 'prow-workloads',
      description: "The e2e workloads cluster, managed by the control plane's Argo CD.",
      uses: { services: ['quay'], buckets: ['build-artifacts'] },
      connectedClusters: [{ cluster: 'ibm-prow-jobs', why: 'it sends Prow jobs here to be executed and retrieves their state' }],
      exposes: [],
    },
  ],
});
