import { defineApp, type GroupKind } from '@kubevirt-ci/topology';
import { stringify } from 'yaml';
import { z } from 'zod';
import { applicationHealthKey, applicationHealthLua } from './health.ts';

export { applicationHealthKey, applicationHealthLua } from './health.ts';

const values = z.object({}).strict();

const core = (kind: string): GroupKind => ({ group: '', kind });
const rbac = (kind: string): GroupKind => ({ group: 'rbac.authorization.k8s.io', kind });

/** The argocd-cm settings we add to upstream's, as a strategic-merge patch. */
function argocdCmPatch(): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'argocd-cm' },
    data: {
      [applicationHealthKey]: applicationHealthLua,
      // Watch only what the account may list: on workloads clusters Argo CD deploys as an
      // account limited to its AppProject's kinds (tools/src/bootstrap/clusters.ts).
      'resource.respectRBAC': 'normal',
    },
  }, { blockQuote: 'literal', lineWidth: 0 });
}

export const app = defineApp({
  name: 'argocd',
  component: 'Argo CD',
  description: 'syncs every cluster from this repository; runs on the hub and manages the other clusters by name',
  values,

  namespaces: ({ topology }) => [topology.gitops.argocdNamespace],

  releases: ({ topology }) => [
    {
      name: 'argocd-release',
      namespace: topology.gitops.argocdNamespace,
      keepOnDelete: 'deleting or renaming this Application must never delete Argo CD, which would then have nothing left to sync with',
      source: {
        type: 'git',
        repoURL: 'https://github.com/argoproj/argo-cd',
        revision: topology.versions.argocd,
        path: 'manifests/cluster-install',
        kustomizePatches: [{ target: { kind: 'ConfigMap', name: 'argocd-cm' }, patch: argocdCmPatch() }],
      },
      installs: [
        { group: 'argoproj.io', kind: 'Application', scope: 'Namespaced' },
        { group: 'argoproj.io', kind: 'ApplicationSet', scope: 'Namespaced' },
        { group: 'argoproj.io', kind: 'AppProject', scope: 'Namespaced' },
      ],
      creates: {
        cluster: [{ group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' }, rbac('ClusterRole'), rbac('ClusterRoleBinding')],
        namespaced: [
          core('ConfigMap'),
          core('Secret'),
          core('Service'),
          core('ServiceAccount'),
          { group: 'apps', kind: 'Deployment' },
          { group: 'apps', kind: 'StatefulSet' },
          { group: 'networking.k8s.io', kind: 'NetworkPolicy' },
          rbac('Role'),
          rbac('RoleBinding'),
        ],
      },
      // Argo CD's own CRDs are too large for a client-side apply's last-applied annotation.
      serverSideApply: true,
    },
  ],
});
