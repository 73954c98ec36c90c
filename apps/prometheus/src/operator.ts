import type { GroupKind, Release, Versions } from '@kubevirt-ci/topology';
import { namespace } from './names.ts';

const monitoring = (kind: string) => ({ group: 'monitoring.coreos.com', kind, scope: 'Namespaced' as const });
const core = (kind: string): GroupKind => ({ group: '', kind });
const rbac = (kind: string): GroupKind => ({ group: 'rbac.authorization.k8s.io', kind });

/**
 * prometheus-operator and its CRDs, from the bundle at the release's tag (the repository's
 * root kustomization), moved into the monitoring namespace. The operator also keeps a
 * kube-system/kubelet Service up to date (its --kubelet-service flag), which the kubelet
 * ServiceMonitor selects.
 */
export function operatorRelease(versions: Pick<Versions, 'prometheusOperator'>): Release {
  return {
    name: 'prometheus-operator',
    namespace,
    source: { type: 'git', repoURL: versions.prometheusOperator.repo, revision: versions.prometheusOperator.tag, path: '.', kustomizeNamespace: namespace },
    installs: [
      monitoring('Prometheus'),
      monitoring('Alertmanager'),
      monitoring('ServiceMonitor'),
      monitoring('PodMonitor'),
      monitoring('Probe'),
      monitoring('PrometheusRule'),
      monitoring('ThanosRuler'),
      monitoring('AlertmanagerConfig'),
      monitoring('PrometheusAgent'),
      monitoring('ScrapeConfig'),
    ],
    creates: {
      cluster: [{ group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' }, rbac('ClusterRole'), rbac('ClusterRoleBinding')],
      namespaced: [core('ServiceAccount'), core('Service'), { group: 'apps', kind: 'Deployment' }],
    },
    // The CRDs run to megabytes of schema, far past a client-side apply's annotation.
    serverSideApply: true,
    // bundle.yaml at the tag; tools/test/bootstrap.test.ts holds this to it.
    clusterRoles: ['prometheus-operator'],
    clusterRoleBindings: ['prometheus-operator'],
  };
}
