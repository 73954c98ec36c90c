import type { NamespaceSpec } from '@kubevirt-ci/topology';
import { k8s } from 'cdk8s-plus-33';
import type { Construct } from 'constructs';

/**
 * A namespace with its Pod Security Admission level enforced. Argo CD never prunes it:
 * deleting a namespace deletes everything in it, which no git change should do by accident.
 */
export function namespace(scope: Construct, name: string, spec: NamespaceSpec): k8s.KubeNamespace {
  return new k8s.KubeNamespace(scope, `namespace-${name}`, {
    metadata: {
      name,
      labels: {
        'pod-security.kubernetes.io/enforce': spec.podSecurity,
        'pod-security.kubernetes.io/warn': 'restricted',
        'pod-security.kubernetes.io/audit': 'restricted',
      },
      annotations: {
        'argocd.argoproj.io/sync-options': 'Prune=false',
        'ci.kubevirt.io/purpose': spec.purpose,
        ...(spec.podSecurityReason ? { 'ci.kubevirt.io/pod-security-reason': spec.podSecurityReason } : {}),
      },
    },
  });
}
