import { app as argocd } from '@kubevirt-ci/app-argocd';
import { app as buildCluster } from '@kubevirt-ci/app-build-cluster';
import { app as certManager } from '@kubevirt-ci/app-cert-manager';
import { app as ciSearch } from '@kubevirt-ci/app-ci-search';
import { app as dockerProxy } from '@kubevirt-ci/app-docker-proxy';
import { app as grafana } from '@kubevirt-ci/app-grafana';
import { app as greenhouse } from '@kubevirt-ci/app-greenhouse';
import { app as prometheus } from '@kubevirt-ci/app-prometheus';
import { app as prow } from '@kubevirt-ci/app-prow';
import { app as thanos } from '@kubevirt-ci/app-thanos';
import { defineRole, enable } from '@kubevirt-ci/topology';

/** The control plane: Prow, the monitoring hub, the caches, and Argo CD, which manages every cluster. */
export const role = defineRole({
  role: 'control-plane',
  description:
    'The control plane cluster is a managed cluster on IBM Cloud, where only the worker nodes are ours to care for. It runs the main components of the infrastructure and several non-e2e Prow jobs.',
  hub: true,
  apps: [
    enable(argocd),
    enable(certManager),
    enable(greenhouse, { storage: { type: 'claim', size: '700Gi' } }),
    enable(dockerProxy, {
      storage: { type: 'claim', size: '450Gi' },
      resources: { requests: { cpu: '300m', memory: '3Gi' }, limits: { memory: '3Gi' } },
    }),
    enable(ciSearch),
    // It also runs Prow's non-e2e jobs.
    enable(buildCluster),
    enable(prow),
    enable(prometheus, { prometheus: { retentionDays: 7, growthPerDay: '6Gi', storage: { type: 'claim', size: '100Gi' } } }),
    // The monitoring hub: one query over every cluster, and its dashboards.
    enable(thanos),
    enable(grafana),
  ],
  clusters: [
    {
      name: 'ibm-prow-jobs',
      description: 'Hosted on IBM Cloud Kubernetes Service. Argo CD runs here and manages every cluster.',
      uses: { services: ['github', 'quay', 'slack'], buckets: ['build-results', 'build-artifacts', 'thanos-blocks'] },
      connectedClusters: [{ cluster: 'prow-workloads', why: 'the control plane schedules CI jobs on it' }],
      // thanos-receive: the workloads clusters' Prometheus write their samples there.
      exposes: ['deck', 'gcsweb', 'grafana', 'ci-search', 'thanos-receive'],
      // IBM Cloud Kubernetes Service's public application load balancer.
      ingressClassName: 'public-iks-k8s-nginx',
    },
  ],
});
