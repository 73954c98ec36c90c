import type { GroupKind } from '@kubevirt-ci/topology';

/** API groups served by Kubernetes itself; anything else needs a CRD on the cluster. */
export const builtinGroups: ReadonlySet<string> = new Set([
  '',
  'admissionregistration.k8s.io',
  'apiextensions.k8s.io',
  'apiregistration.k8s.io',
  'apps',
  'autoscaling',
  'batch',
  'certificates.k8s.io',
  'coordination.k8s.io',
  'discovery.k8s.io',
  'events.k8s.io',
  'networking.k8s.io',
  'node.k8s.io',
  'policy',
  'rbac.authorization.k8s.io',
  'scheduling.k8s.io',
  'storage.k8s.io',
]);

/** Built-in kinds that are not namespaced. */
export const builtinClusterKinds: ReadonlySet<string> = new Set(
  [
    ['', 'Namespace'],
    ['', 'Node'],
    ['', 'PersistentVolume'],
    ['admissionregistration.k8s.io', 'MutatingWebhookConfiguration'],
    ['admissionregistration.k8s.io', 'ValidatingWebhookConfiguration'],
    ['admissionregistration.k8s.io', 'ValidatingAdmissionPolicy'],
    ['admissionregistration.k8s.io', 'ValidatingAdmissionPolicyBinding'],
    ['apiextensions.k8s.io', 'CustomResourceDefinition'],
    ['apiregistration.k8s.io', 'APIService'],
    ['certificates.k8s.io', 'CertificateSigningRequest'],
    ['networking.k8s.io', 'IngressClass'],
    ['node.k8s.io', 'RuntimeClass'],
    ['rbac.authorization.k8s.io', 'ClusterRole'],
    ['rbac.authorization.k8s.io', 'ClusterRoleBinding'],
    ['scheduling.k8s.io', 'PriorityClass'],
    ['storage.k8s.io', 'CSIDriver'],
    ['storage.k8s.io', 'CSINode'],
    ['storage.k8s.io', 'StorageClass'],
    ['storage.k8s.io', 'VolumeAttachment'],
  ].map(([g, k]) => `${g}/${k}`),
);

/** The API group of an apiVersion: 'apps/v1' -> 'apps', 'v1' -> ''. */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.lastIndexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

export function groupKindKey(gk: GroupKind): string {
  return `${gk.group}/${gk.kind}`;
}

/** How a person reads a group/kind: 'Deployment.apps', 'Namespace'. */
export function formatGroupKind(gk: GroupKind): string {
  return gk.group ? `${gk.kind}.${gk.group}` : gk.kind;
}
