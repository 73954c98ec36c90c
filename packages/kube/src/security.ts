import type { IPodSecurityContext, ISecurityContext } from 'kubernetes-models/v1';
import { conventions } from '@kubevirt-ci/topology';

/**
 * The security contexts of a pod that meets Pod Security "restricted": not root, no privilege
 * escalation, no capabilities, the runtime's seccomp profile, and a read-only root filesystem
 * (mount an emptyDir where the program writes).
 */
export function restrictedPod(user = 65532, fsGroup: number | undefined = user): IPodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: user,
    runAsGroup: user,
    ...(fsGroup === undefined ? {} : { fsGroup, fsGroupChangePolicy: 'OnRootMismatch' }),
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

export function restrictedContainer(): ISecurityContext {
  return {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
  };
}

/** The policy exception annotation for a rule, with the reason (see packages/validate). */
export const policyExceptionPrefix = conventions.annotations.policyExceptionPrefix;

export function policyException(rule: string, why: string): Record<string, string> {
  return { [`${policyExceptionPrefix}${rule}`]: why };
}

/** Standard labels for the pods and objects of one component. */
export function componentLabels(app: string, component: string): Record<string, string> {
  return { 'app.kubernetes.io/name': component, 'app.kubernetes.io/part-of': app };
}
