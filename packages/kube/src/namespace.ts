import { conventions, type NamespaceSpec } from '@kubevirt-ci/topology';
import type { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import { Namespace } from 'kubernetes-models/v1';
import { emitModel } from './emit.ts';

/**
 * A namespace with its Pod Security Admission level enforced. Argo CD never prunes it, nor
 * deletes it with its Application: deleting a namespace deletes everything in it, which no
 * git change (a removed or renamed Application included) should do by accident.
 */
export function namespace(scope: Construct, name: string, spec: NamespaceSpec): ApiObject {
  return emitModel(scope, new Namespace({
    metadata: {
      name,
      labels: {
        'pod-security.kubernetes.io/enforce': spec.podSecurity,
        'pod-security.kubernetes.io/warn': 'restricted',
        'pod-security.kubernetes.io/audit': 'restricted',
      },
      annotations: {
        [conventions.annotations.syncOptions]: 'Prune=false,Delete=false',
        [conventions.annotations.purpose]: spec.purpose,
        ...(spec.podSecurityReason ? { [conventions.annotations.podSecurityReason]: spec.podSecurityReason } : {}),
      },
    },
  }));
}
